"""信访「五步一规范」(SPEC §8): a matter (信访事项) from registration to 终结, on the case
engine, under the 《信访工作条例》(2022).

One ``Petition`` per matter whatever the channel. Its handling by an organ is a ``Case``
(kind ``petition``) whose clocks count natural days; 复查 and 复核 are ``PetitionReview``
rows, each with its own case (kind ``petition_review``). Petitioners' names, ID numbers,
phones and addresses are encrypted at rest (``core.crypto``); the ID number's keyed digest
finds the same person again. Every notice served is a numbered ``PetitionDocument``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.cases.models import Case
from yancheng.core.crypto.fields import BlindIndexField, EncryptedTextField, SealedFieldsMixin
from yancheng.core.models import Organisation, Region

if TYPE_CHECKING:
    from yancheng.core.typing import MaybeActor


class PetitionType(models.TextChoices):
    """第二十九至三十一条: the type decides the route and the clocks."""

    SUGGESTION = "suggestion", _("建议意见类")
    ACCUSATION = "accusation", _("检举控告类")
    CLAIM = "claim", _("申诉求决类")


class Channel(models.TextChoices):
    """第十七条 and 第十八条: every channel enters one record."""

    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    PHONE = "phone", _("来电")
    ONLINE = "online", _("网上信访")
    HOTLINE = "hotline", _("12345转办")
    LEADER_DAY = "leader_day", _("领导接访")


class ClaimRoute(models.TextChoices):
    """第三十一条: where a 申诉求决 matter belongs. Only (六) runs the 60-day clock; (一)–(五)
    are answered with a 不予受理告知书 naming the channel."""

    LITIGATION = "litigation", _("（一）诉讼、行政复议、检察、公安等法定途径")
    ARBITRATION = "arbitration", _("（二）仲裁")
    PARTY = "party", _("（三）党员申诉等党内程序")
    ADMINISTRATIVE = "administrative", _("（四）行政裁决、行政确认等法定行政程序")
    STATUTORY_DUTY = "statutory_duty", _("（五）依法履行法定职责的事项")
    PETITION = "petition", _("（六）依照信访程序办理")


class Stage(models.TextChoices):
    """Where the matter stands (``workflow.py`` holds the moves)."""

    REGISTERED = "registered", _("已登记·待转送交办")
    TRANSFERRED = "transferred", _("已转送交办·待受理告知")
    ACCEPTED = "accepted", _("已受理·办理中")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ANSWERED = "answered", _("已出具处理意见")
    REVIEWING = "reviewing", _("复查中")
    REVIEWED = "reviewed", _("已复查")
    RECHECKING = "rechecking", _("复核中")
    FINAL = "final", _("终结")
    CLOSED = "closed", _("办结")


OPEN_STAGES = (Stage.REGISTERED, Stage.TRANSFERRED, Stage.ACCEPTED, Stage.REVIEWING, Stage.RECHECKING)


class TransferMode(models.TextChoices):
    """第二十二条: 转送 passes the matter on; 交办 also sets a deadline and asks for an 办结报告."""

    FORWARD = "forward", _("转送")
    ASSIGN = "assign", _("交办")


class Outcome(models.TextChoices):
    """第三十二条 and 第三十三条: the 处理意见书's outcome, or an agreement."""

    SUPPORT = "support", _("支持")
    EXPLAIN = "explain", _("解释说明")
    REJECT = "reject", _("不予支持")
    MEDIATION = "mediation", _("调解（协议书）")
    SETTLEMENT = "settlement", _("和解（协议书）")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Topic(models.Model):
    """问题类别 (the 信访 topic classification), configurable; seeded by a migration."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=64, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("信访问题类别")
        verbose_name_plural = _("信访问题类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class PetitionQuerySet(models.QuerySet["Petition"]):
    def visible_to(self, user: MaybeActor | None) -> QuerySet[Petition]:
        from .permissions import petitions_visible_to

        return petitions_visible_to(user, self)


class Petition(models.Model):
    """信访事项: one record per matter, whatever the channel."""

    number = models.CharField(_("信访件编号"), max_length=24, unique=True)
    # The 查询码 is never stored: only its keyed digest (``querycode.py``), so a copy of the
    # database does not open the public page. It is shown once at registration and sent by SMS.
    query_code_digest = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.CharField(_("信访形式"), max_length=16, choices=Channel.choices)
    petition_type = models.CharField(_("类型"), max_length=16, choices=PetitionType.choices, blank=True)
    claim_route = models.CharField(_("申诉求决途径"), max_length=16, choices=ClaimRoute.choices, blank=True)
    stage = models.CharField(_("环节"), max_length=16, choices=Stage.choices, default=Stage.REGISTERED)

    received_on = models.DateField(_("收信（来访）日期"))
    registered_at = models.DateTimeField(_("登记时间"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="registered_petitions",
    )
    registering_org = models.ForeignKey(
        Organisation, verbose_name=_("登记单位"), on_delete=models.PROTECT, related_name="registered_petitions",
        help_text=_("信访部门，或直接收到信访事项的机关"),
    )
    region = models.ForeignKey(Region, verbose_name=_("问题属地"), on_delete=models.PROTECT, related_name="petitions")
    topic = models.ForeignKey(Topic, verbose_name=_("问题类别"), on_delete=models.PROTECT, related_name="petitions")
    respondent_org = models.ForeignKey(
        Organisation, verbose_name=_("被反映单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="petitions_about",
    )
    respondent_person = models.CharField(_("被反映人"), max_length=100, blank=True)
    title = models.CharField(_("内容摘要"), max_length=200)
    request = models.TextField(_("信访诉求"))
    facts = models.TextField(_("事实和理由"), blank=True)
    is_group = models.BooleanField(_("集体访"), default=False)
    head_count = models.PositiveIntegerField(_("人数"), default=1)
    is_urgent = models.BooleanField(_("重大紧急"), default=False, help_text=_("第二十五条：立即报告"))
    reception = models.ForeignKey(
        "LeaderReception", verbose_name=_("领导接访日"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="petitions",
    )

    # 溯源: links to earlier matters.
    earlier = models.ForeignKey(
        "self", verbose_name=_("同一事项的前次信访"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="later",
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("重复信访（仍在办理期限内）"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="duplicates",
    )
    after_final = models.BooleanField(_("终结后再次反映"), default=False)

    # 明责: the organ it went to and how.
    transfer_mode = models.CharField(_("转送/交办"), max_length=8, choices=TransferMode.choices, blank=True)
    transfer_due_at = models.DateTimeField(_("转送交办期限"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("转送交办时间"), null=True, blank=True)
    handling_org = models.ForeignKey(
        Organisation, verbose_name=_("办理机关"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="handled_petitions",
    )
    report_due_at = models.DateTimeField(_("办结报告期限"), null=True, blank=True, help_text=_("交办事项"))
    report_received_at = models.DateTimeField(_("办结报告收到时间"), null=True, blank=True)
    case = models.OneToOneField(
        Case, verbose_name=_("办理事项"), null=True, blank=True, on_delete=models.PROTECT, related_name="petition"
    )

    # 化解
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices, blank=True)
    answered_at = models.DateTimeField(_("意见书送达时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("办结或终结时间"), null=True, blank=True)
    end_reason = models.CharField(_("办结或终结理由"), max_length=255, blank=True)

    # 稳控
    risk_level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("包案领导"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_petitions",
    )

    # 评价 by the 信访人 (query page)
    rating_handling = models.CharField(_("对办理过程的评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_result = models.CharField(_("对办理结果的评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("信访事项")
        verbose_name_plural = _("信访事项")
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["stage", "registered_at"], name="petition_stage_registered"),
            models.Index(fields=["handling_org", "stage"], name="petition_handling_stage"),
            models.Index(fields=["region", "registered_at"], name="petition_region_registered"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(head_count__gte=1), name="petition_head_count_positive"),
        ]

    def __str__(self) -> str:
        # The number only: str() names the matter in audit records, notifications and logs,
        # which must carry nothing of a 检举控告's content.
        return self.number

    @property
    def is_accusation(self) -> bool:
        return self.petition_type == PetitionType.ACCUSATION


class Petitioner(SealedFieldsMixin, models.Model):
    """信访人: one or several per matter; a group visit names its representatives (≤ 5,
    第二十条). Personal data encrypted; ``id_digest`` finds the same person again."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="petitioners")
    name = EncryptedTextField(_("姓名"), kind="text")
    id_number = EncryptedTextField(_("身份证号"), kind="id_number", blank=True)
    id_digest = BlindIndexField(source="id_number")
    phone = EncryptedTextField(_("联系电话"), kind="phone", blank=True)
    phone_digest = BlindIndexField(source="phone")
    address = EncryptedTextField(_("住址"), kind="text", blank=True)
    is_representative = models.BooleanField(_("代表"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")
        ordering = ["petition", "order", "pk"]

    def __str__(self) -> str:
        return str(self.name)  # the mask: a Sealed's str() never decrypts


class PetitionReview(models.Model):
    """复查 (第三十五条) or 复核 (第三十六条): requested within 30日 of the written reply,
    decided within 30日 (+30 with approval; 听证 not counted), on its own case."""

    class Level(models.TextChoices):
        REVIEW = "review", _("复查")
        RECHECK = "recheck", _("复核")

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="reviews")
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    requested_on = models.DateField(_("申请日期"))
    request = models.TextField(_("申请理由"))
    organ = models.ForeignKey(Organisation, verbose_name=_("复查（复核）机关"), on_delete=models.PROTECT,
                              related_name="petition_reviews")
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="petition_review")
    outcome = models.CharField(_("结论"), max_length=16, choices=Outcome.choices, blank=True)
    decided_at = models.DateTimeField(_("作出意见时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("复查复核")
        verbose_name_plural = _("复查复核")
        ordering = ["petition", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "level"], name="petition_one_review_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.petition.number} {self.get_level_display()}"


class DocumentKind(models.TextChoices):
    """The notices the 条例 and the 网上办理规程 require; ``public`` ones appear on the query page."""

    ACCEPTANCE = "acceptance", _("受理告知书")
    NON_ACCEPTANCE = "non_acceptance", _("不予受理告知书")
    NO_LONGER_ACCEPTED = "no_longer", _("不再受理告知书")
    EXTENSION = "extension", _("延期告知书")
    FORWARD = "forward", _("转送函")
    ASSIGNMENT = "assignment", _("交办单")
    OPINION = "opinion", _("信访处理意见书")
    REVIEW_OPINION = "review_opinion", _("复查意见书")
    RECHECK_OPINION = "recheck_opinion", _("复核意见书")
    AGREEMENT = "agreement", _("协议书")
    COMPLETION_REPORT = "completion_report", _("办结报告")


PUBLIC_DOCUMENT_KINDS = frozenset({
    DocumentKind.ACCEPTANCE, DocumentKind.NON_ACCEPTANCE, DocumentKind.NO_LONGER_ACCEPTED, DocumentKind.EXTENSION,
    DocumentKind.OPINION, DocumentKind.REVIEW_OPINION, DocumentKind.RECHECK_OPINION, DocumentKind.AGREEMENT,
})


class PetitionDocument(models.Model):
    """A numbered notice kept on the matter. Its .docx (a 公文, GB/T 9704) is rendered from
    this row and the matter whenever it is downloaded (``documents.render``): the petitioner's
    name is in it, so no second, unencrypted copy of it is stored."""

    class ServedBy(models.TextChoices):
        IN_PERSON = "in_person", _("直接送达")
        POST = "post", _("邮寄送达")
        ONLINE = "online", _("网上送达")

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="documents")
    review = models.ForeignKey(PetitionReview, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="documents")
    kind = models.CharField(_("文书"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("文号"), max_length=48, unique=True)
    issuer = models.ForeignKey(Organisation, verbose_name=_("制发机关"), on_delete=models.PROTECT,
                               related_name="petition_documents")
    body = models.TextField(_("正文"), blank=True, help_text=_("意见书的事实、理由和依据"))
    created_at = models.DateTimeField(_("制作时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    served_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    served_how = models.CharField(_("送达方式"), max_length=12, choices=ServedBy.choices, blank=True)

    class Meta:
        verbose_name = _("信访文书")
        verbose_name_plural = _("信访文书")
        ordering = ["petition", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_DOCUMENT_KINDS


class FollowUp(models.Model):
    """稳控: a follow-up visit or a care task (疏导、帮扶), before or after 终结 (第三十七条)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("回访")
        COUNSEL = "counsel", _("疏导教育")
        ASSIST = "assist", _("帮扶救助")

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    org = models.ForeignKey(Organisation, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                            related_name="petition_follow_ups")
    due_on = models.DateField(_("计划日期"))
    plan = models.CharField(_("工作内容"), max_length=500)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.TextField(_("情况记录"), blank=True)
    risk_level = models.CharField(_("评估风险等级"), max_length=8, choices=RiskLevel.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("稳控回访")
        verbose_name_plural = _("稳控回访")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class LeaderReception(models.Model):
    """领导接访日 (第十八条): a leader receives petitioners on a scheduled day."""

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接访领导"), on_delete=models.PROTECT,
                               related_name="receptions")
    org = models.ForeignKey(Organisation, verbose_name=_("组织单位"), on_delete=models.PROTECT,
                            related_name="petition_receptions")
    day = models.DateField(_("接访日期"))
    place = models.CharField(_("地点"), max_length=200)
    topics = models.CharField(_("接访主题"), max_length=200, blank=True)
    notes = models.TextField(_("接访情况"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("领导接访日")
        verbose_name_plural = _("领导接访日")
        ordering = ["-day", "pk"]

    def __str__(self) -> str:
        return f"{self.day} {self.place}"


class PetitionEvent(models.Model):
    """The matter's own timeline (the handling case keeps its own CaseEvents). ``public``
    events are the dates the query page shows (登记、转送交办、受理、送达…)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_org = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["petition", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
