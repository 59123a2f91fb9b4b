"""What waits in the 招商引资重点项目清单, for the workbench: "招商线索待跟进", the open leads lit
red or yellow (``selectors_leads``). The chain's office gets a line per chain it runs, linking
to the chain's list under ``light=stale``; the owner unit's staff get one line for the leads
their unit owns, linking to "my unit's leads" under the same filter. Each count is the number
of rows the link shows."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from yancheng.core.models import IndustryChain, Role
from yancheng.core.typing import Actor, organisation_of
from yancheng.core.workbench import Todo, light_when, register_todos

from .permissions import STAFF_ROLES, runs_chain
from .selectors_leads import lead_filters, lead_list

ORDER = 60
STALE = {"light": "stale"}


def office_todos(user: Actor) -> Iterator[Todo]:
    for chain in IndustryChain.objects.filter(profile__isnull=False).order_by("sort_order", "code"):
        if not runs_chain(user, chain):
            continue
        count = lead_filters(lead_list(user, chain), STALE).count()
        yield Todo(key=f"chains.leads.stale.{chain.code}", label=_("招商线索待跟进") + f" · {chain.name}",
                   url=reverse("chains:leads", args=[chain.code]) + "?" + urlencode(STALE), count=count,
                   light=light_when(count, "red"), order=ORDER)


def owner_todos(user: Actor) -> Iterator[Todo]:
    base = lead_list(user).filter(owner_org_id=organisation_of(user).pk)
    if not base.exists():
        return
    count = lead_filters(base, STALE).count()
    yield Todo(key="chains.leads.stale.mine", label=_("招商线索待跟进"),
               url=reverse("chains:my_leads") + "?" + urlencode(STALE), count=count,
               light=light_when(count, "red"), order=ORDER)


def register() -> None:
    register_todos(office_todos, roles=[Role.CHAIN_OFFICE])
    register_todos(owner_todos, roles=list(STAFF_ROLES))
