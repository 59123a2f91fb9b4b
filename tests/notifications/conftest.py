"""A stand-in for the outside world: a real HTTP server on 127.0.0.1 that plays a
企业微信/钉钉 robot endpoint, recording what it receives and answering as told."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from yancheng.core.services import user_create
from yancheng.testing.world import PERSONA_PASSWORD


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class RobotServer:
    base: str
    received: list[Received] = field(default_factory=list)
    # Answers in order; the last one repeats. (status, json body)
    answers: list[tuple[int, Any]] = field(default_factory=lambda: [(200, {"errcode": 0, "errmsg": "ok"})])

    def url(self, path: str = "/cgi-bin/webhook/send?key=6f1c2e7a-robot-key-1234") -> str:
        return self.base + path

    def answer(self, *answers: tuple[int, Any]) -> None:
        self.answers = list(answers)


@pytest.fixture
def robot_server():
    state = RobotServer(base="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            parts = urlsplit(self.path)
            state.received.append(
                Received(parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status, payload = state.answers[0] if len(state.answers) == 1 else state.answers.pop(0)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def reachable(world):
    """Two people of the park with an email address and a mobile number."""
    people = []
    for n, (username, phone) in enumerate([("park_handler_1", "13812345678"), ("park_handler_2", "13987654321")]):
        people.append(
            user_create(
                username=username,
                password=PERSONA_PASSWORD,
                role="handler",
                organisation=world.qidong_park,
                full_name=f"园区承办人{n + 1}",
                email=f"{username}@qidong.example.cn",
                phone=phone,
                must_change_password=False,
                actor=None,
            )
        )
    return people
