"""全覆盖: the city's safety responsibility systems (安全生产责任制) as data — who leads each,
who answers for it in each region (党政同责、一岗双责), what each level must do and how
often, the checklist a check of an enterprise walks through, which enterprises each system
covers, and the annual responsibility letters (责任书)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, Organisation, Region

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor


class SystemCategory(models.TextChoices):
    FIRE = "fire", _("消防")
    GAS = "gas", _("燃气")
    ROAD = "road", _("道路交通")
    CONSTRUCTION = "construction", _("建筑施工")
    HAZCHEM = "hazchem", _("危险化学品")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备")
    MINES = "mines", _("非煤矿山")
    FIREWORKS = "fireworks", _("烟花爆竹")
    CAMPUS = "campus", _("校园")
    TOURISM = "tourism", _("旅游")
    INDUSTRY = "industry", _("工贸")
    TRANSPORT = "transport", _("交通运输")
    OTHER = "other", _("其他")


class Frequency(models.TextChoices):
    """How often a duty recurs; a recurring duty that checks enterprises makes check tasks."""

    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[self.value]


class DutyLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县（市、区）级")
    TOWNSHIP = "township", _("乡镇（街道）、园区")
    ENTERPRISE = "enterprise", _("企业")


class PostKind(models.TextChoices):
    """党政同责、一岗双责: the leader in charge, the department head, the grid person."""

    LEADER_IN_CHARGE = "leader", _("分管领导")
    DEPARTMENT_HEAD = "head", _("部门负责人")
    GRID = "grid", _("网格员")


class MappingSource(models.TextChoices):
    INDUSTRY = "industry", _("按行业代码")
    MANUAL = "manual", _("人工指定")


class SafetySystemQuerySet(models.QuerySet["SafetySystem"]):
    def active(self) -> QuerySet[SafetySystem]:
        return self.filter(is_active=True)


class SafetySystem(models.Model):
    """One safety responsibility system (e.g. 消防安全责任制): its leading department and
    co-departments, the enterprises in its scope (by industry code prefix, or by hand), its
    checklist and its duties. Retired systems are kept (their checks and hazards stay)."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    category = models.CharField(_("类别"), max_length=24, choices=SystemCategory.choices)
    leading_org = models.ForeignKey(
        Organisation, verbose_name=_("牵头部门"), on_delete=models.PROTECT, related_name="led_safety_systems"
    )
    co_orgs = models.ManyToManyField(Organisation, verbose_name=_("配合部门"), blank=True, related_name="+")
    industry_codes = models.JSONField(
        _("覆盖行业代码"), default=list, blank=True,
        help_text=_("国民经济行业分类（GB/T 4754）代码前缀，如 H62；留空表示人工指定覆盖企业"),
    )
    scope_note = models.TextField(_("覆盖范围说明"), blank=True)
    repeat_window_days = models.PositiveSmallIntegerField(
        _("重复隐患判定期（天）"), default=90, help_text=_("同一企业同一检查项在此期限内再次发现隐患即标记为重复隐患")
    )
    is_example = models.BooleanField(_("示例"), default=False, help_text=_("演示用的示例，不是已公开的本市责任制"))
    is_active = models.BooleanField(_("启用"), default=True)
    retired_on = models.DateField(_("停用日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = SafetySystemQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全生产责任制")
        verbose_name_plural = _("安全生产责任制")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(is_active=True) | Q(retired_on__isnull=False), name="safety_system_retired_dated"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (the English name where one is kept)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class SystemRevision(models.Model):
    """A dated version of a system: what it was after each change (全覆盖 over the years)."""

    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("版本号"))
    effective_on = models.DateField(_("生效日期"))
    summary = models.CharField(_("修订说明"), max_length=200)
    snapshot = models.JSONField(_("内容"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修订人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("修订时间"))

    class Meta:
        verbose_name = _("责任制版本")
        verbose_name_plural = _("责任制版本")
        ordering = ["system", "-number"]
        constraints = [models.UniqueConstraint(fields=["system", "number"], name="safety_revision_unique")]

    def __str__(self) -> str:
        return f"{self.system.code} v{self.number}"


class SystemChecklistItem(models.Model):
    """One item a check of an enterprise under the system walks through. ``is_major_criterion``:
    failing it is a 重大事故隐患 under the national 判定标准 the city configured for the system."""

    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("编号"), max_length=16)
    text = models.CharField(_("检查内容"), max_length=300)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    is_major_criterion = models.BooleanField(_("重大事故隐患判定项"), default=False)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["system", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="safety_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class SystemDuty(models.Model):
    """What one level must do under the system, and how often. A recurring duty that checks
    enterprises generates check tasks per responsible unit (``CheckTask``)."""

    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.CASCADE, related_name="duties")
    level = models.CharField(_("层级"), max_length=16, choices=DutyLevel.choices)
    text = models.CharField(_("职责内容"), max_length=300)
    frequency = models.CharField(_("频次"), max_length=16, choices=Frequency.choices, blank=True)
    checks_enterprises = models.BooleanField(_("须检查企业"), default=False)
    scope_industry_codes = models.JSONField(
        _("检查范围行业代码"), default=list, blank=True, help_text=_("比责任制更窄的范围，如燃气检查只查餐饮 H62；留空为责任制全部覆盖企业")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("职责清单")
        verbose_name_plural = _("职责清单")
        ordering = ["system", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class SystemUnit(models.Model):
    """The department that answers for the system in a region (属地管理): it supervises the
    region's enterprises under the system, receives their hazards and verifies them."""

    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.CASCADE, related_name="units")
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("负责部门"), on_delete=models.PROTECT, related_name="safety_units")

    class Meta:
        verbose_name = _("属地负责部门")
        verbose_name_plural = _("属地负责部门")
        ordering = ["system", "region__code"]
        constraints = [models.UniqueConstraint(fields=["system", "region"], name="safety_unit_unique")]

    def __str__(self) -> str:
        return f"{self.system.code} · {self.region} · {self.organisation}"


class ResponsiblePerson(models.Model):
    """A person who answers for the system in a region, down to the 乡镇/园区 grid (党政同责、
    一岗双责). ``user`` links the account when the person logs in (a grid person reports hazards)."""

    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.CASCADE, related_name="persons")
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+",
        help_text=_("网格员填所在乡镇（街道）或园区"),
    )
    post = models.CharField(_("岗位"), max_length=16, choices=PostKind.choices)
    name = models.CharField(_("姓名"), max_length=64)
    title = models.CharField(_("职务"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("系统账号"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("责任人")
        verbose_name_plural = _("责任人")
        ordering = ["system", "region__code", "post", "name"]
        indexes = [models.Index(fields=["system", "region", "post"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_post_display()}）"


class EnterpriseSystem(models.Model):
    """An enterprise in a system's scope (by its industry code, or by hand), and who supervises
    it under that system: ``responsible_org`` set by hand, else the system's unit in the
    enterprise's region. An enterprise with neither is a coverage gap."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="safety_systems")
    system = models.ForeignKey(SafetySystem, verbose_name=_("责任制"), on_delete=models.CASCADE, related_name="enterprises")
    source = models.CharField(_("来源"), max_length=16, choices=MappingSource.choices)
    responsible_org = models.ForeignKey(
        Organisation, verbose_name=_("指定监管部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mapped_at = models.DateTimeField(_("纳入时间"))

    class Meta:
        verbose_name = _("企业责任制覆盖")
        verbose_name_plural = _("企业责任制覆盖")
        constraints = [models.UniqueConstraint(fields=["enterprise", "system"], name="safety_enterprise_system_unique")]
        indexes = [models.Index(fields=["system", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.system.code}"


class ResponsibilityLetterQuerySet(models.QuerySet["ResponsibilityLetter"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[ResponsibilityLetter]:
        from ..permissions import letters_visible_to

        return letters_visible_to(user, self)


class ResponsibilityLetter(models.Model):
    """A year's 安全生产责任书 of one unit: issued by the 安委办, signed by the unit (the signed
    file uploaded as an attachment of this row)."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("已下达")
        SIGNED = "signed", _("已签订")

    year = models.PositiveSmallIntegerField(_("年度"))
    unit = models.ForeignKey(Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="safety_letters")
    issuer = models.ForeignKey(Organisation, verbose_name=_("下达单位"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=120)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(_("下达时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("下达人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    signatory = models.CharField(_("签订人"), max_length=64, blank=True)
    signed_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = ResponsibilityLetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全生产责任书")
        verbose_name_plural = _("安全生产责任书")
        ordering = ["-year", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="safety_letter_unique"),
            models.CheckConstraint(
                condition=Q(status="issued") | (Q(signed_on__isnull=False) & ~Q(signatory="")), name="safety_letter_signed_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit}"
