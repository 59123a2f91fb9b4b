"""Types for the person behind a call.

``Actor`` is a signed-in user: every service takes one, and a view behind
``login_required`` has one in ``request.user``. ``MaybeActor`` is whoever is
calling, possibly nobody (a predicate or a public page); ``user.is_authenticated``
narrows it to ``Actor``. ``AuthenticatedHttpRequest`` is the request of a view
that requires login, as django-stubs recommends for typing ``request.user``.

The models are imported for the type checker only, so that any module, even one
loaded while the app registry is being filled (an ``apps.py``), may import these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from yancheng.core.models.users import User

Actor: TypeAlias = "User"
MaybeActor: TypeAlias = "User | AnonymousUser"


class AuthenticatedHttpRequest(HttpRequest):
    """An ``HttpRequest`` whose user has signed in (views behind ``login_required``)."""

    user: User


__all__ = ["Actor", "AuthenticatedHttpRequest", "MaybeActor"]
