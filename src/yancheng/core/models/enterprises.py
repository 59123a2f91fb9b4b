from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..crypto.fields import BlindIndexField, EncryptedTextField, SealedFieldsMixin
from .organisations import Organisation, Region

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor


# 国民经济行业代码 (GB/T 4754-2017): the 门类 letter A–T, then the 大类 (2 digits), the 中类
# (3) or the 小类 (4): "C", "C33", "C331", "C3311", "H6210" 正餐服务.
INDUSTRY_CODE_PATTERN = r"^[A-T]([0-9]{2}([0-9]{1,2})?)?$"
INDUSTRY_CODE_MESSAGE = _("国民经济行业代码应为门类字母 A–T，后接 2 至 4 位数字（GB/T 4754-2017），如 C3311。")


class IndustryChain(models.Model):
    """An industry chain (产业链) as reference data, so enterprises can be tagged with it.

    The chains module adds the five lists and the chain map on top of this row.
    """

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[Enterprise]:
        from .visibility import enterprises_visible_to

        return enterprises_visible_to(user, self)


class Enterprise(models.Model):
    """An enterprise, identified by its 18-character 统一社会信用代码 (GB 32100-2015)."""

    class SrdiTier(models.TextChoices):
        NONE = "", _("无")
        INNOVATIVE_SME = "innovative", _("创新型中小企业")
        SRDI_SME = "srdi", _("专精特新中小企业")
        LITTLE_GIANT = "little_giant", _("专精特新“小巨人”")

    class Grade(models.TextChoices):
        A = "A", _("A 类（信用好、风险低）")
        B = "B", _("B 类")
        C = "C", _("C 类")
        D = "D", _("D 类（信用差、风险高）")

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=128)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="enterprises")
    park = models.ForeignKey(
        Organisation,
        verbose_name=_("所在园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_enterprises",
        limit_choices_to={"kind": Organisation.Kind.PARK},
    )
    # The organisation the enterprise's own users belong to (kind=enterprise).
    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("企业账户机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprise",
    )
    chains = models.ManyToManyField(IndustryChain, verbose_name=_("所属产业链"), blank=True, related_name="enterprises")
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    industry_code = models.CharField(
        _("国民经济行业代码"), max_length=5, blank=True, default="", db_index=True,
        validators=[RegexValidator(INDUSTRY_CODE_PATTERN, INDUSTRY_CODE_MESSAGE)],
        help_text=_("GB/T 4754-2017：门类字母加 2 至 4 位数字，如 H6210（正餐服务）。"),
    )
    is_above_scale_industry = models.BooleanField(_("规上工业"), default=False)
    is_above_quota_trade = models.BooleanField(_("限上批零住餐"), default=False)
    is_qualified_construction = models.BooleanField(_("资质等级建筑业"), default=False)
    is_above_scale_service = models.BooleanField(_("规上服务业"), default=False)
    srdi_tier = models.CharField(_("专精特新梯度"), max_length=16, choices=SrdiTier.choices, blank=True, default="")
    srdi_valid_until = models.DateField(_("专精特新有效期至"), null=True, blank=True)
    grade = models.CharField(_("信用风险等级"), max_length=1, choices=Grade.choices, default=Grade.B)
    is_active = models.BooleanField(_("存续"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = pgettext_lazy("list", "企业")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(uscc__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"), name="enterprise_uscc_format"),
            models.CheckConstraint(condition=Q(grade__in=["A", "B", "C", "D"]), name="enterprise_grade_valid"),
            models.CheckConstraint(
                condition=Q(industry_code="") | Q(industry_code__regex=INDUSTRY_CODE_PATTERN),
                name="enterprise_industry_code_format",
            ),
        ]
        indexes = [models.Index(fields=["region", "name"]), models.Index(fields=["park"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_four_above(self) -> bool:
        """四上企业: 规上工业、资质等级建筑业、限上批零住餐、规上服务业."""
        return (
            self.is_above_scale_industry
            or self.is_above_quota_trade
            or self.is_qualified_construction
            or self.is_above_scale_service
        )

    def to_audit(self) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "region": self.region.code if self.region_id else None,
            "park": self.park_id,
            "grade": self.grade,
            "srdi_tier": self.srdi_tier,
            "industry_code": self.industry_code,
            "is_active": self.is_active,
            "scale": [
                self.is_above_scale_industry,
                self.is_above_quota_trade,
                self.is_qualified_construction,
                self.is_above_scale_service,
            ],
        }


class EnterpriseContact(SealedFieldsMixin, models.Model):
    """A named contact person of an enterprise (not necessarily a user of the system)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职务"), max_length=64, blank=True)
    phone = EncryptedTextField(_("电话"), kind="phone", blank=True)  # SPEC §12: encrypted, masked
    phone_digest = BlindIndexField(source="phone")
    email = models.EmailField(_("邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)

    class Meta:
        verbose_name = _("企业联系人")
        verbose_name_plural = _("企业联系人")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name
