"""Test helpers for API tests of any app: a JSON client with a bearer token."""

from __future__ import annotations

from typing import Any

from django.test import Client

from yancheng.core.typing import Actor

from .services import api_token_create


class ApiClient:
    """A Django test client that sends ``Authorization: Bearer <token>`` and JSON bodies."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return result | (headers or {})

    def get(self, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(path, data, content_type="application/json", headers=self._headers(headers))

    def post_multipart(self, path: str, data: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(path, data, headers=self._headers(headers))

    def patch(self, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.patch(path, data, content_type="application/json", headers=self._headers(headers))

    def put(self, path: str, data: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.put(path, data, content_type="application/json", headers=self._headers(headers))

    def delete(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.delete(path, headers=self._headers(headers))


def api_client_for(user: Actor | None) -> ApiClient:
    """An ApiClient holding a fresh 30-day token of ``user`` (anonymous for None)."""
    if user is None:
        return ApiClient()
    _token, raw = api_token_create(user=user, name="test", valid_days=30, actor=user)
    return ApiClient(raw)
