"""Starting and stopping the real server: gunicorn with its sync workers on 127.0.0.1 and a
free port, as `yancheng serve` runs it in production, and the workers' memory from /proc."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .env import BENCH_DIR, OUT_DIR


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    """``with Server(env, app, python) as server:`` → ``server.port``; the log goes to bench/out."""

    def __init__(self, env: dict[str, str], app: str, *, python: str = sys.executable, workers: int = 2,
                 name: str = "yancheng", pythonpath: Sequence[str] = (), ready_path: str = "/") -> None:
        self.env = env
        self.app = app
        self.python = python
        self.workers = workers
        self.name = name
        self.pythonpath = list(pythonpath)
        self.ready_path = ready_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        self.log = OUT_DIR / f"gunicorn-{name}.log"

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        argv = [self.python, "-m", "gunicorn", self.app, "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--access-logfile", str(self.log.with_suffix(".access.log")),
                "--error-logfile", str(self.log), "--timeout", "300", "--graceful-timeout", "10"]
        for path in self.pythonpath:
            argv += ["--pythonpath", path]
        self.process = subprocess.Popen(argv, env={**os.environ, **self.env}, cwd=str(BENCH_DIR.parent),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited; see {self.log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", self.ready_path, headers={"X-Forwarded-Proto": "https"})
                connection.getresponse().read()
                connection.close()
                if len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn ({self.name}) did not answer within 90 s; see {self.log}")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def rss_mib(self) -> dict[int, float]:
        return {pid: round(rss_kib(pid) / 1024, 1) for pid in self.worker_pids()}

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
