"""Anonymous ratings: the rating (no link to who or when), the pending batch and the keyed receipt."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Organisation

if TYPE_CHECKING:
    pass

from .choices import InspectionKind


class _RatingFields(models.Model):
    """What a rating holds, and nothing more: the department rated, the kind of visit, the
    day and the score, under a random key. Shared by the pending and the batched table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    department = models.ForeignKey(
        Organisation, verbose_name=_("被评价部门"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("入企类型"), max_length=16, choices=InspectionKind.choices)
    rated_on = models.DateField(_("评价日期"))
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价意见"), blank=True)

    class Meta:
        abstract = True


class Rating(_RatingFields):
    """An enterprise's rating of a visit, anonymous by construction: no enterprise, user,
    inspection, IP or exact time — the department rated, the kind of visit, the day and
    the score. Rows arrive only through the daily batch (`PendingRating`), inserted in a
    shuffled order with fresh random keys, so neither the keys nor the physical order of rows
    say in which order ratings arrived. Departments see only aggregates over at least
    `InspectionPolicy.rating_min_count` ratings; supervisors read single ratings by month."""

    class Meta:
        verbose_name = _("匿名评价")
        verbose_name_plural = _("匿名评价")
        ordering = ["-rated_on"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
        ]
        indexes = [models.Index(fields=["department", "rated_on"])]

    def __str__(self) -> str:
        return f"{self.department} · {self.score}"


class PendingRating(_RatingFields):
    """A rating as submitted today, waiting for the daily batch (`ratings.ratings_batch_move`)
    that moves the day's ratings into `Rating` in random order and deletes these rows. The
    same fields as `Rating`, nothing more: the table only exists so that no stored order —
    SQLite's rowid, PostgreSQL's heap — follows the order in which ratings arrived, and so
    that the audit trail learns of ratings per department and day, not one at its moment."""

    class Meta:
        verbose_name = _("待汇总评价")
        verbose_name_plural = _("待汇总评价")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="pending_rating_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.rated_on}"


class RatingReceipt(models.Model):
    """Who has rated: a keyed digest of (enterprise, inspection), nothing else — not even a
    time. Lets an enterprise rate each visit once without the rating naming it."""

    digest = models.CharField(max_length=64, primary_key=True)

    class Meta:
        verbose_name = _("评价凭据")
        verbose_name_plural = _("评价凭据")

    def __str__(self) -> str:
        return self.digest[:8]
