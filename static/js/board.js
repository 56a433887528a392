// The operations board (staff/board.py): its live part is fetched again, with htmx, when the event
// stream says something changed; where the stream cannot pass, every few seconds with the data version
// (204 when nothing changed). No reload, ever: the wall screen keeps its place.
(function () {
  "use strict";
  const board = document.getElementById("board");
  if (!board || !window.htmx) return;
  const liveUrl = board.dataset.liveUrl;
  const eventsUrl = board.dataset.eventsUrl;
  const pollMs = Number(board.dataset.pollSeconds || 5) * 1000;
  let busy = false, again = false, poller = null;

  function live() { return document.getElementById("board-live"); }

  function refresh(always) {
    if (busy) { again = true; return; }
    busy = true;
    const url = always ? liveUrl : liveUrl + "?version=" + encodeURIComponent(live().dataset.version);
    htmx.ajax("GET", url, { target: "#board-live", swap: "outerHTML" }).finally(function () {
      busy = false;
      if (again) { again = false; refresh(false); }
    });
  }

  function startPolling() { if (!poller) poller = setInterval(function () { refresh(false); }, pollMs); }
  function stopPolling() { if (poller) { clearInterval(poller); poller = null; } }

  // "Now" moves even when the data does not: the whole live part once a minute.
  setInterval(function () { refresh(true); }, 60000);

  if (!eventsUrl || !window.EventSource) { board.dataset.stream = "polling"; startPolling(); return; }
  const seen = live().dataset.lastEvent;
  // On reconnecting, the browser sends the last id it received (Last-Event-ID); the first time, the
  // page says which event it already shows.
  const source = new EventSource(eventsUrl + (seen ? "?last_event_id=" + encodeURIComponent(seen) : ""),
                                 { withCredentials: true });
  source.addEventListener("change", function () { refresh(false); });
  // The stream's state on the page (data-stream): for whoever looks at the screen's markup, and tests.
  source.addEventListener("open", function () { board.dataset.stream = "open"; stopPolling(); refresh(false); });
  source.addEventListener("error", function () { board.dataset.stream = "polling"; startPolling(); });
})();
