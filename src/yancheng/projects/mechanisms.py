"""The names of 「五制一平台」, which public reports give differently over the years
(SPEC §3; domain-rules §1 — "make the set of 五制 labels configurable data"):

* 2023 (华声在线 2023-10-30): 备案监督制、承诺兑现制、规模榜单制、清单管理制、现场观摩制,
  with the 重大项目"云调度"平台;
* 2025 (hy.voc.com.cn): 链长负责制、项目代办制、问题交办制、要素保障制、督查考核制, with
  the 智慧招商平台.

The platform does all of it either way; the setting ``YANCHENG_FIVE_MECHANISMS`` ("2025",
the default, or "2023") only chooses the words the project page puts over its sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# The sections of the project page, in order.
SECTIONS = ("basics", "leadership", "approvals", "problems", "factors", "reports", "commitments", "observation")

SECTION_NAMES: dict[str, Any] = {
    "basics": _("项目概况与阶段"),
    "leadership": _("联系领导、责任单位与专班"),
    "approvals": _("代办事项与补缺清单"),
    "problems": _("问题与交办"),
    "factors": _("要素保障"),
    "reports": _("月度投资与日反馈"),
    "commitments": _("承诺事项"),
    "observation": _("现场观摩得分"),
}


@dataclass(frozen=True)
class MechanismSet:
    key: str
    name: Any  # 「五制一平台」 as the set is called
    mechanisms: tuple[Any, ...]  # the five, in the order the reports list them
    platform: Any
    # section → the mechanism it belongs to (index into ``mechanisms``, None: none)
    section_mechanism: dict[str, int | None]

    def heading(self, section: str) -> Any:
        index = self.section_mechanism.get(section)
        return self.mechanisms[index] if index is not None else None

    def tabs(self) -> list[dict[str, Any]]:
        """The page's navigation: one tab per mechanism, leading to its first section (the
        sections that share one, such as the three of 督查考核制, share its tab), and a
        tab named after the section for a section of no mechanism."""
        tabs: list[dict[str, Any]] = []
        seen: set[int] = set()
        for key in SECTIONS:
            index = self.section_mechanism.get(key)
            if index is None:
                tabs.append({"key": key, "label": SECTION_NAMES[key]})
            elif index not in seen:
                seen.add(index)
                tabs.append({"key": key, "label": self.mechanisms[index]})
        return tabs

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"key": key, "mechanism": self.heading(key), "name": SECTION_NAMES[key]} for key in SECTIONS
        ]


MECHANISM_SETS: dict[str, MechanismSet] = {
    "2023": MechanismSet(
        key="2023",
        name=_("五制一平台"),
        mechanisms=(_("备案监督制"), _("承诺兑现制"), _("规模榜单制"), _("清单管理制"), _("现场观摩制")),
        platform=_("重大项目云调度平台"),
        # 清单管理: the three lists of problems, measures and responsibilities.
        section_mechanism={
            "basics": 0, "leadership": 3, "approvals": 3, "problems": 3, "factors": 3, "reports": 2,
            "commitments": 1, "observation": 4,
        },
    ),
    "2025": MechanismSet(
        key="2025",
        name=_("五制一平台"),
        mechanisms=(_("链长负责制"), _("项目代办制"), _("问题交办制"), _("要素保障制"), _("督查考核制")),
        platform=_("智慧招商平台"),
        section_mechanism={
            "basics": None, "leadership": 0, "approvals": 1, "problems": 2, "factors": 3, "reports": 4,
            "commitments": 4, "observation": 4,
        },
    ),
}
DEFAULT_SET = "2025"


def current() -> MechanismSet:
    """The set the city configured (an unknown value falls back to the 2025 names)."""
    key = str(getattr(settings, "YANCHENG_FIVE_MECHANISMS", DEFAULT_SET) or DEFAULT_SET)
    return MECHANISM_SETS.get(key, MECHANISM_SETS[DEFAULT_SET])
