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

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from yancheng.core.models.organisations import Organisation
    from yancheng.core.models.users import User

Actor: TypeAlias = "User"
MaybeActor: TypeAlias = "User | AnonymousUser"


class AuthenticatedHttpRequest(HttpRequest):
    """An ``HttpRequest`` whose user has signed in (views behind ``login_required``)."""

    user: User


def actor_of(request: HttpRequest) -> Actor:
    """The signed-in user of a request that can only come from one (the admin site, a view
    behind ``login_required`` typed with a plain ``HttpRequest`` by its base class)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


def organisation_of(user: Actor) -> Organisation:
    """The organisation of a user already known to be active staff of one (``organisation``
    is nullable only for the system's own accounts). A user without one may do nothing."""
    org = user.organisation
    if org is None:
        raise PermissionDenied
    return org


__all__ = ["Actor", "AuthenticatedHttpRequest", "MaybeActor", "actor_of", "organisation_of"]
