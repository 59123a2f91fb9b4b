"""Authentication without Django's permission tables.

What a user may do follows from role + organisation + the object (the `rules`
predicates), never from rows in auth_permission: this backend checks passwords like
ModelBackend and grants no permission at all, so a stray permission row can never widen
anyone's rights (and pages don't pay two permission queries each)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class PasswordOnlyBackend(ModelBackend):
    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
