// A proposal's page (deployments/views/proposals.py): a country's box ticks or unticks every proposed
// assignment of that country. Listened to on the document: the list arrives by htmx once the proposal is
// ready. A script file, not an inline handler: the pages' CSP allows no inline script.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!box.matches || !box.matches("input[data-country]")) return;
    box.closest("fieldset").querySelectorAll("input[name=assignment]").forEach(function (item) {
      item.checked = box.checked;
    });
  });
})();
