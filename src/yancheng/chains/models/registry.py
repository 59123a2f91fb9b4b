"""A chain as the 链长负责制 runs it, its development path in versions, and its map (一图谱).

The chain itself is core's ``IndustryChain`` (reference data every module tags with);
``ChainProfile`` adds who runs it. The map is one set of nodes per chain, each node on the
current map (现状图), the target map (目标图) or both; links are supply relations between
nodes. Enterprises are placed on nodes; a node's strength (强/弱/缺) follows from its
placements by the chain's rule unless the office overrides it with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import Enterprise, IndustryChain, Organisation


class ChainProfile(models.Model):
    """Who runs a chain: the 链长 (a city leader) and deputies, the chain office (链办) and its
    staff, the backing departments (后盾单位) and the 链主 enterprises. Member enterprises are
    those tagged with the chain (``Enterprise.chains``) or placed on its map."""

    chain = models.OneToOneField(IndustryChain, verbose_name=_("产业链"), on_delete=models.PROTECT,
                                 related_name="profile")
    industry_group = models.CharField(_("所属产业板块"), max_length=32, blank=True,
                                      help_text=_("如“一核两电三色四新”中的板块"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("链长"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="chains_led")
    deputy_leaders = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("副链长"), blank=True,
                                            related_name="chains_deputised")
    office = models.ForeignKey(Organisation, verbose_name=_("链办"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="chains_run")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("链办工作人员"), blank=True,
                                   related_name="chains_staffed")
    backing_orgs = models.ManyToManyField(Organisation, verbose_name=_("后盾单位"), blank=True,
                                          related_name="chains_backed")
    masters = models.ManyToManyField(Enterprise, verbose_name=_("链主企业"), blank=True, related_name="chains_mastered")
    # The node strength rule (强/弱/缺): no enterprise is 缺; 强 needs all three minimums; else 弱.
    strong_min_enterprises = models.PositiveSmallIntegerField(_("强环节最少企业数"), default=3)
    strong_min_above_scale = models.PositiveSmallIntegerField(_("强环节最少规上企业数"), default=1)
    strong_min_output = models.DecimalField(_("强环节最低年产值（万元）"), max_digits=14, decimal_places=2,
                                            default=50000)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("产业链工作机制")
        verbose_name_plural = _("产业链工作机制")
        ordering = ["chain__sort_order", "chain__code"]

    def __str__(self) -> str:
        return str(self.chain)


class ChainPath(models.Model):
    """逐链研究完善产业链发展路径: the chain's development path, kept as numbered versions with
    their date and author. The newest is the current one; older ones are never changed."""

    chain = models.ForeignKey(IndustryChain, verbose_name=_("产业链"), on_delete=models.PROTECT, related_name="paths")
    number = models.PositiveSmallIntegerField(_("版本号"))
    text = models.TextField(_("发展路径"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撰写人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发展路径版本")
        verbose_name_plural = _("发展路径版本")
        ordering = ["chain", "-number"]
        constraints = [models.UniqueConstraint(fields=["chain", "number"], name="chain_path_number_unique")]

    def __str__(self) -> str:
        return f"{self.chain} v{self.number}"


class Segment(models.TextChoices):
    UPSTREAM = "up", _("上游")
    MIDSTREAM = "mid", _("中游")
    DOWNSTREAM = "down", _("下游")


class Strength(models.TextChoices):
    STRONG = "strong", _("强")
    WEAK = "weak", _("弱")
    MISSING = "missing", _("缺")


class MapNode(models.Model):
    """A link of the chain (产业环节: a product or segment), on the current map, the target map
    or both. ``strength_override`` (with its reason) replaces the rule's answer."""

    chain = models.ForeignKey(IndustryChain, verbose_name=_("产业链"), on_delete=models.PROTECT, related_name="nodes")
    code = models.SlugField(_("编码"), max_length=32)
    name = models.CharField(_("环节名称"), max_length=64)
    segment = models.CharField(_("链位"), max_length=8, choices=Segment.choices)
    description = models.CharField(_("说明"), max_length=255, blank=True)
    keywords = models.CharField(_("关键词"), max_length=255, blank=True, help_text=_("用于匹配科研成果，以顿号或逗号分隔"))
    in_current = models.BooleanField(_("在现状图"), default=True)
    in_target = models.BooleanField(_("在目标图"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    strength_override = models.CharField(_("人工认定强弱"), max_length=8, choices=Strength.choices, blank=True)
    override_reason = models.CharField(_("认定理由"), max_length=255, blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    override_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        ordering = ["chain", "segment", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "code"], name="chain_node_code_unique"),
            models.CheckConstraint(condition=Q(in_current=True) | Q(in_target=True), name="chain_node_on_a_map"),
            models.CheckConstraint(condition=Q(strength_override="") | ~Q(override_reason=""),
                                   name="chain_node_override_has_reason"),
        ]

    def __str__(self) -> str:
        return self.name


class MapLink(models.Model):
    """A supply relation between two nodes of the same chain (from supplier to user)."""

    chain = models.ForeignKey(IndustryChain, on_delete=models.PROTECT, related_name="links")
    source = models.ForeignKey(MapNode, verbose_name=_("上游环节"), on_delete=models.CASCADE, related_name="out_links")
    target = models.ForeignKey(MapNode, verbose_name=_("下游环节"), on_delete=models.CASCADE, related_name="in_links")
    in_current = models.BooleanField(_("在现状图"), default=True)
    in_target = models.BooleanField(_("在目标图"), default=True)

    class Meta:
        verbose_name = _("环节关系")
        verbose_name_plural = _("环节关系")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="chain_link_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="chain_link_not_a_loop"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}->{self.target_id}"


class PlacementRole(models.TextChoices):
    MASTER = "master", _("链主")
    KEY = "key", _("骨干")
    MEMBER = "member", _("配套")


class Placement(models.Model):
    """A local enterprise on a node of the map, with what it makes there and its output."""

    node = models.ForeignKey(MapNode, verbose_name=_("环节"), on_delete=models.CASCADE, related_name="placements")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="chain_placements")
    role = models.CharField(_("角色"), max_length=8, choices=PlacementRole.choices, default=PlacementRole.MEMBER)
    products = models.CharField(_("主要产品"), max_length=128, blank=True)
    annual_output = models.DecimalField(_("年产值（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("企业落位")
        verbose_name_plural = _("企业落位")
        ordering = ["node", "-annual_output", "pk"]
        constraints = [models.UniqueConstraint(fields=["node", "enterprise"], name="chain_placement_unique")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}@{self.node_id}"
