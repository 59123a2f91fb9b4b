"""The vocabularies of 企业赋码保护: grades, kinds of visit, purposes, outside-plan reasons, entry modes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise

if TYPE_CHECKING:
    pass




Grade = Enterprise.Grade


class InspectionKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("行政检查")
    VISIT = "visit", _("非执法入企")


class VisitPurpose(models.TextChoices):
    """What a non-enforcement visit is for (they are monitored too: 龙华 files them apart)."""

    RESEARCH = "research", _("调研")
    CALL = "call", _("走访")
    PUBLICITY = "publicity", _("宣传")


class OutsidePlanReason(models.TextChoices):
    """Why an inspection is outside any filed plan (SPEC §4)."""

    COMPLAINT = "complaint", _("投诉举报")
    REFERRAL = "referral", _("转办交办")
    SUPERIOR = "superior", _("上级部署")
    EMERGENCY = "emergency", _("突发事件")


class EntryMode(models.TextChoices):
    """How the registration relates to the visit (深府规〔2025〕6号 and its 解读)."""

    SCANNED = "scanned", _("进门前扫码")
    EMERGENCY = "emergency", _("紧急情况先查后扫")
    BACKFILL = "backfill", _("系统故障事后补录")


class FoundBy(models.TextChoices):
    CODE = "code", _("扫监督码")
    USCC = "uscc", _("统一社会信用代码")
    LICENCE_QR = "licence_qr", _("营业执照二维码")
