"""What a backup or a restore reports when it cannot be done, and how it tells the operator
what it is doing."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

Log = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that did not happen; the message is for the operator (translated)."""


class RestoreMismatch(BackupError):
    """The database was restored but does not match the archive's manifest."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            _("恢复后的数据与备份清单不符，请勿使用该数据库：%(problems)s") % {"problems": "；".join(problems)}
        )
