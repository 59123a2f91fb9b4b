"""重大事故隐患挂牌督办通知书 (安监总局令第16号 第二十一条; GB/T 9704 layout through
``core.kit.documents``): rendered on demand from the hazard and its rectification case, never
stored; the download is audited by the view."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.kit.documents import OfficialDocument, cell_text
from yancheng.lib.deadlines import due_day

from .models import Hazard


def notice_addressee(hazard: Hazard) -> str:
    """The enterprise, or (a place without one) the department responsible for putting it right."""
    return hazard.enterprise.name if hazard.enterprise is not None else hazard.supervising_org.name


def rectify_by_label(hazard: Hazard) -> str:
    """The deadline as a day, from the case (never ``.date()`` of the instant)."""
    day = due_day(hazard.case.solve_due_at) if hazard.case is not None else None
    return day.isoformat() if day is not None else ""


def supervision_notice(hazard: Hazard) -> bytes:
    """The notice's .docx. Only for a hazard under 挂牌督办 (the caller checks)."""
    assert hazard.supervised_at is not None
    level = hazard.supervising_level or hazard.supervising_org
    doc = OfficialDocument(_("重大事故隐患挂牌督办通知书"), issuer=level.name,
                           date=timezone.localdate(hazard.supervised_at))
    doc.reference_number(hazard.notice_number)
    doc.blank()
    doc.addressee(notice_addressee(hazard) + "：")
    place = hazard.enterprise.name if hazard.enterprise is not None else hazard.region.name
    doc.paragraph(
        _("经核查，你单位存在重大事故隐患（编号 %(n)s）：%(t)s。根据《中华人民共和国安全生产法》和《安全生产事故隐患"
          "排查治理暂行规定》，现对该隐患实行挂牌督办，由%(o)s负责监督整改。")
        % {"n": hazard.number, "t": hazard.title, "o": hazard.supervising_org.name}
    )
    doc.heading(_("隐患情况"))
    doc.paragraph(_("所在单位或地点：%(p)s %(l)s") % {"p": place, "l": hazard.location})
    doc.paragraph(hazard.description)
    if hazard.situation_cause:
        doc.paragraph(_("现状及产生原因：%(v)s") % {"v": hazard.situation_cause})
    if hazard.harm_difficulty:
        doc.paragraph(_("危害程度和整改难易程度：%(v)s") % {"v": hazard.harm_difficulty})
    doc.heading(_("治理方案"))
    doc.table(
        [_("项目"), _("内容")],
        [
            [_("治理措施"), hazard.plan_measures],
            [_("治理责任人"), hazard.plan_owner],
            [_("治理资金（万元）"), cell_text(hazard.plan_funds) if hazard.plan_funds is not None else ""],
            [_("治理时限"), hazard.plan_deadline.isoformat() if hazard.plan_deadline else ""],
            [_("应急预案"), hazard.plan_contingency],
        ],
        widths=[0.3, 0.7],
    )
    doc.heading(_("督办要求"))
    doc.point(_("请于 %(d)s 前完成整改，整改期间落实安全防范措施和应急预案，必要时停产停业或停止使用。")
              % {"d": rectify_by_label(hazard)})
    doc.point(_("整改完成后，及时提交整改情况和整改后照片，由%(o)s组织现场核查验收；验收合格后予以销号，解除挂牌督办。")
              % {"o": hazard.supervising_org.name})
    doc.point(_("督办单位：%(l)s。") % {"l": level.name})
    return doc.to_bytes()


def notice_filename(hazard: Hazard) -> str:
    return f"{_('重大事故隐患挂牌督办通知书')}-{hazard.number}.docx"
