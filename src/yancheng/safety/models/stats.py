"""安全生产通报: the monthly bulletin a 安委办 issues. Its figures are kept as they stood when
it was issued (``data``), so that the .docx and .xlsx read later say what was sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Organisation

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor


class BulletinQuerySet(models.QuerySet["Bulletin"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[Bulletin]:
        from ..permissions import bulletins_visible_to

        return bulletins_visible_to(user, self)


class Bulletin(models.Model):
    month = models.DateField(_("通报月份"), help_text=_("该月第一天"))
    issuer = models.ForeignKey(Organisation, verbose_name=_("印发单位"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("文号"), max_length=64, unique=True)
    data = models.JSONField(_("通报内容"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("印发人"), on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField(_("印发时间"))

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全生产通报")
        verbose_name_plural = _("安全生产通报")
        ordering = ["-month", "issuer__code"]
        constraints = [models.UniqueConstraint(fields=["issuer", "month"], name="safety_bulletin_once_a_month")]

    def __str__(self) -> str:
        return self.number
