"""What every project service shares: the clock, the audited permission check, the row lock
that also hides projects the actor cannot see, the version bump and the input cleaners."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.errors import (
    NotFoundError,
    ValidationFailed,
)
from yancheng.core.typing import Actor

from ..models import (
    Project,
)
from ..permissions import projects_visible_to


def _today() -> dt.date:
    return timezone.localdate()


def _lock(project: Project | int, actor: Actor | None) -> Project:
    pk = project.pk if isinstance(project, Project) else project
    locked = Project.objects.select_for_update().filter(pk=pk).first()
    if locked is None or (actor is not None and not projects_visible_to(actor, Project.objects.filter(pk=pk)).exists()):
        raise NotFoundError(_("项目不存在。"))
    return locked


def _bump(project: Project, fields: list[str]) -> None:
    project.version += 1
    project.save(update_fields=[*fields, "version", "updated_at"])


def _money(value: Any, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationFailed(_("请填写金额。"), field=field)
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationFailed(_("金额格式不正确。"), field=field) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(_("金额不能为负数。"), field=field)
    if amount >= Decimal("1e12"):
        raise ValidationFailed(_("金额过大，请以万元为单位填写。"), field=field)
    return amount.quantize(Decimal("0.01"))
