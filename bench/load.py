"""A small closed-loop load driver: N client threads, each with its own keep-alive-if-possible
HTTP connection, sending requests until a request count or a time limit is reached.
"""

import dataclasses
import http.client
import itertools
import statistics
import threading
import time


@dataclasses.dataclass
class Result:
    latencies_ms: list[float]
    statuses: dict[int, int]
    query_counts: list[int]
    wall_s: float

    @property
    def n(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, p: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]

    @property
    def throughput(self) -> float:
        return self.n / self.wall_s if self.wall_s else 0.0

    @property
    def queries(self) -> int | None:
        return round(statistics.median(self.query_counts)) if self.query_counts else None


def send(conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body: bytes | None):
    """One request; returns (status, milliseconds, query count or None, body)."""
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    except (http.client.HTTPException, ConnectionError):
        conn.close()  # the server closed a kept-alive connection: once more on a fresh one
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.will_close:
        conn.close()
    count = response.getheader("X-Query-Count")
    return response.status, elapsed, int(count) if count is not None else None, data


def run(host: str, port: int, make_request, *, clients: int, requests: int, duration_s: float) -> Result:
    """`make_request(i)` gives (method, path, headers, body) for the i-th request (thread-safe)."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies, query_counts, statuses = [], [], {}
    deadline = time.monotonic() + duration_s

    def client():
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter)
            if i >= requests:
                break
            method, path, headers, body = make_request(i)
            status, ms, queries, _data = send(conn, method, path, headers, body)
            with lock:
                latencies.append(ms)
                statuses[status] = statuses.get(status, 0) + 1
                if queries is not None:
                    query_counts.append(queries)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(latencies, statuses, query_counts, time.perf_counter() - started)
