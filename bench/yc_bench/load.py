"""A small HTTP load client: N requests at concurrency C, each thread with its own
connection (http.client), latencies measured around each request. Gunicorn's sync workers
close the connection after every answer, so every request also pays for its TCP connect,
as it would behind a proxy that does not pool."""

from __future__ import annotations

import http.client
import itertools
import math
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expect: tuple[int, ...] = (200,)


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float]
    statuses: Counter[int]
    errors: list[str]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Latency at quantile q (0–1), in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    def summary(self) -> dict[str, Any]:
        return {"requests": self.requests, "seconds": round(self.seconds, 3), "rps": round(self.rps, 1),
                "p50_ms": round(self.p50, 1), "p95_ms": round(self.p95, 1),
                "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else None,
                "errors": len(self.errors), "statuses": dict(self.statuses)}


BASE_HEADERS = {
    # As nginx in front of it would say: the request came over HTTPS from this client.
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "10.0.0.8",
    "Accept-Language": "zh-hans",
}


def run_load(port: int, make: Callable[[int, int], Request], *, total: int, concurrency: int,
             host: str = "127.0.0.1", timeout: float = 120.0) -> LoadResult:
    """Send ``total`` requests; thread ``t`` sends request ``n`` as ``make(t, n)``."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: list[str] = []

    def worker(thread: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        mine: list[float] = []
        seen: Counter[int] = Counter()
        wrong: list[str] = []
        while True:
            with lock:
                n = next(counter)
            if n >= total:
                break
            request = make(thread, n)
            headers = {**BASE_HEADERS, "Host": f"{host}:{port}", **request.headers}
            began = time.perf_counter()
            try:
                connection.request(request.method, request.path, body=request.body, headers=headers)
                response = connection.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - began
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                wrong.append(f"{request.method} {request.path}: {exc!r}")
                continue
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
            seen[response.status] += 1
            if response.status not in request.expect:
                wrong.append(f"{request.method} {request.path}: {response.status} {body[:200]!r}")
            mine.append(elapsed)
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            errors.extend(wrong)

    threads = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(total, time.perf_counter() - began, latencies, statuses, errors)
