from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor


class Region(models.Model):
    """An administrative division by its GB/T 2260 code (city, district, county, county-level city).

    Codes are data with validity dates: codes have been reused over the years, so a
    city's list is configuration, not code.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("地级市")
        DISTRICT = "district", _("市辖区")
        COUNTY = "county", _("县")
        COUNTY_CITY = "county_city", _("县级市")
        STATISTICAL_ZONE = "stat_zone", _("统计用功能区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}([0-9]{3,6})?$"), name="region_code_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def subtree_of(self, org: Organisation) -> QuerySet[Organisation]:
        return self.filter(path__startswith=org.path)

    def visible_to(self, user: MaybeActor | None) -> QuerySet[Organisation]:
        from .visibility import organisations_visible_to

        return organisations_visible_to(user, self)


class Organisation(models.Model):
    """A unit that people belong to: a department, a park, a county government, a city
    office, a utility, or an enterprise (enterprise users belong to their enterprise's
    organisation). Organisations form a tree (a county's 发改局 under the county)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("人民政府")
        OFFICE = "office", _("议事协调机构/办公室")
        DEPARTMENT = "department", _("职能部门")
        PARK = "park", _("园区")
        UTILITY = "utility", _("公用事业单位")
        ENTERPRISE = "enterprise", _("企业")

    code = models.SlugField(_("机构编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="organisations")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path "/<id>/<id>/" so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["path"]
        # Units (every kind but enterprise) are a few hundred rows among a province's
        # hundreds of thousands of enterprise organisations; the unit pickers and the
        # inbox's unit filter read them through this partial index.
        indexes = [
            models.Index(fields=["region", "name"], name="org_unit_region_name",
                         condition=~models.Q(kind="enterprise")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)

    def ancestors_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def to_audit(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "region": self.region.code if self.region_id else None,
            "parent": self.parent_id,
            "is_active": self.is_active,
        }
