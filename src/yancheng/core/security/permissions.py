"""Who may use the account administration pages (等保 8.1.4.2d, 8.1.5: 三权分立).

The system administrator (系统管理员) runs business accounts: creates them, disables and
re-enables them, resets their passwords and ends their sessions. The security
administrator (安全管理员) runs the security policy: roles (including the three
administrator roles), lockouts, second-factor devices, failed logins. The audit
administrator (审计管理员) does none of this. Both account administrators see the list.
"""

from __future__ import annotations

from typing import Any

from rules import permissions as _rules

from yancheng.core.permissions import is_security_admin, is_system_admin
from yancheng.core.typing import Actor

PERMS = {
    "security.view_accounts": is_system_admin | is_security_admin,
    "security.create_account": is_system_admin,
    "security.set_account_active": is_system_admin,
    "security.reset_account_password": is_system_admin,
    "security.end_account_sessions": is_system_admin,
    "security.set_account_role": is_security_admin,
    "security.unlock_account": is_security_admin,
    "security.reset_second_factor": is_security_admin,
    "security.view_failed_logins": is_security_admin,
    # The full phone number of an account (masked elsewhere; each reveal audited): the
    # system administrator, who runs business accounts and must reach their holders.
    "security.reveal_account_phone": is_system_admin,
}

for _name, _predicate in PERMS.items():
    if not _rules.perm_exists(_name):
        _rules.add_perm(_name, _predicate)


def has_perm(perm: str, user: Actor, obj: Any = None) -> bool:
    """Typed front for ``rules.has_perm`` (the package's functions are unannotated)."""
    return bool(_rules.has_perm(perm, user, obj))
