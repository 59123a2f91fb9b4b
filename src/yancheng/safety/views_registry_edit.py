"""The registry family's edit pages: the city's 安委办 keeps the registry (systems, checklist,
duties, units, persons); an office maps enterprises by hand and issues letters; a unit records
its letter's signing. Each page posts to a service through ``kit.forms.perform_step``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.kit import imports
from yancheng.core.kit.forms import perform_step
from yancheng.core.kit.require import require_page
from yancheng.core.models import Enterprise
from yancheng.core.typing import AuthenticatedHttpRequest

from . import importers_registry
from .forms_registry import (
    DutyForm,
    ItemForm,
    LetterSignForm,
    LettersIssueForm,
    MappingForm,
    PersonForm,
    RetireForm,
    SystemForm,
    UnitForm,
)
from .models import (
    EnterpriseSystem,
    ResponsibilityLetter,
    ResponsiblePerson,
    SafetySystem,
    SystemChecklistItem,
    SystemDuty,
)
from .selectors_registry import letter_units
from .services import coverage, letters, registry

MANAGE = "safety.manage_registry"


def _form_page(request: AuthenticatedHttpRequest, form: Any, run: Callable[[], str], *, title: str, back: str,
               cancel: str | None = None, multipart: bool = False) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        done = perform_step(request, form, run, back=back)
        if done is not None:
            return done
    return render(request, "safety/registry/form.html", {"form": form, "title": title, "cancel": cancel or back,
                                                          "multipart": multipart})


def _system(code: str) -> SafetySystem:
    return get_object_or_404(SafetySystem.objects.select_related("leading_org"), code=code)


def _detail(system: SafetySystem, anchor: str = "") -> str:
    return reverse("safety:system_detail", args=[system.code]) + (f"#{anchor}" if anchor else "")


@login_required
def system_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, MANAGE)
    form = SystemForm(request.POST or None)

    def run() -> str:
        data = form.cleaned_data
        system = registry.system_create(
            actor=request.user, code=data["code"], name=data["name"], name_en=data["name_en"],
            category=data["category"], leading_org=data["leading_org"], co_orgs=list(data["co_orgs"]),
            industry_codes=data["industry_codes"], scope_note=data["scope_note"],
            repeat_window_days=data["repeat_window_days"], is_example=data["is_example"], summary=data["summary"],
        )
        form.created = system  # type: ignore[attr-defined]
        return _("已新建责任制。")

    response = _form_page(request, form, run, title=_("新建责任制"), back=reverse("safety:registry_list"))
    created = getattr(form, "created", None)
    return HttpResponseRedirect(_detail(created)) if created is not None else response


@login_required
def system_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    require_page(request, MANAGE)
    system = _system(code)
    if not system.is_active:
        raise Http404
    initial = {"name": system.name, "name_en": system.name_en, "category": system.category,
               "leading_org": system.leading_org, "co_orgs": list(system.co_orgs.all()),
               "industry_codes": ", ".join(system.industry_codes), "scope_note": system.scope_note,
               "repeat_window_days": system.repeat_window_days, "is_example": system.is_example}
    form = SystemForm(request.POST or None, initial=initial, editing=True)

    def run() -> str:
        data = form.cleaned_data
        registry.system_update(
            system, actor=request.user, expected_version=int(request.POST.get("version") or system.version),
            name=data["name"], name_en=data["name_en"], category=data["category"], leading_org=data["leading_org"],
            co_orgs=list(data["co_orgs"]), industry_codes=data["industry_codes"], scope_note=data["scope_note"],
            repeat_window_days=data["repeat_window_days"], is_example=data["is_example"], summary=data["summary"],
        )
        return _("已保存，并记录为新版本。")

    return _form_page(request, form, run, title=_("修改责任制"), back=_detail(system))


@login_required
def system_retire_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    require_page(request, MANAGE)
    system = _system(code)
    form = RetireForm(request.POST or None)

    def run() -> str:
        registry.system_retire(system, actor=request.user, retired_on=form.cleaned_data["retired_on"],
                               summary=form.cleaned_data["summary"])
        return _("责任制已停用。")

    return _form_page(request, form, run, title=_("停用责任制"), back=_detail(system))


@login_required
def item_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    require_page(request, MANAGE)
    system = _system(code)
    form = ItemForm(request.POST or None)

    def run() -> str:
        registry.item_add(system, actor=request.user, **form.cleaned_data)
        return _("已新增检查项。")

    return _form_page(request, form, run, title=_("新增检查项"), back=_detail(system, "items"))


@login_required
@require_POST
def item_deactivate_page(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    require_page(request, MANAGE)
    item = get_object_or_404(SystemChecklistItem, pk=pk, system__code=code)
    back = _detail(item.system, "items")
    return perform_step(request, ItemForm(), lambda: (registry.item_deactivate(item, actor=request.user),
                                                      _("检查项已停用。"))[1], back=back,
                        unplaced_as_message=True) or HttpResponseRedirect(back)


@login_required
def duty_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    require_page(request, MANAGE)
    system = _system(code)
    form = DutyForm(request.POST or None)

    def run() -> str:
        registry.duty_add(system, actor=request.user, **form.cleaned_data)
        return _("已新增职责。")

    return _form_page(request, form, run, title=_("新增职责"), back=_detail(system, "duties"))


@login_required
@require_POST
def duty_deactivate_page(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    require_page(request, MANAGE)
    duty = get_object_or_404(SystemDuty, pk=pk, system__code=code)
    back = _detail(duty.system, "duties")
    return perform_step(request, DutyForm(), lambda: (registry.duty_deactivate(duty, actor=request.user),
                                                      _("职责已停用。"))[1], back=back,
                        unplaced_as_message=True) or HttpResponseRedirect(back)


@login_required
def unit_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    require_page(request, MANAGE)
    system = _system(code)
    form = UnitForm(request.POST or None)

    def run() -> str:
        registry.unit_set(system, actor=request.user, **form.cleaned_data)
        return _("已设定属地负责部门。")

    return _form_page(request, form, run, title=_("设定属地负责部门"), back=_detail(system, "units"))


@login_required
def person_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    require_page(request, MANAGE)
    system = _system(code)
    form = PersonForm(request.POST or None)

    def run() -> str:
        registry.person_add(system, actor=request.user, **form.cleaned_data)
        return _("已新增责任人。")

    return _form_page(request, form, run, title=_("新增责任人"), back=_detail(system, "persons"))


@login_required
@require_POST
def person_deactivate_page(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    require_page(request, MANAGE)
    person = get_object_or_404(ResponsiblePerson, pk=pk, system__code=code)
    back = _detail(person.system, "persons")
    return perform_step(request, PersonForm(), lambda: (registry.person_deactivate(person, actor=request.user),
                                                        _("已记录离岗。"))[1], back=back,
                        unplaced_as_message=True) or HttpResponseRedirect(back)


@login_required
def mapping_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.manage_coverage")
    form = MappingForm(request.POST or None)

    def run() -> str:
        data = form.cleaned_data
        enterprise = Enterprise.objects.visible_to(request.user).filter(uscc=data["uscc"].strip().upper()).first()
        system = SafetySystem.objects.filter(code=data["system"]).first()
        if enterprise is None:
            from yancheng.core.errors import ValidationFailed

            raise ValidationFailed(_("没有该统一社会信用代码的企业。"), field="uscc")
        if system is None:
            from yancheng.core.errors import ValidationFailed

            raise ValidationFailed(_("没有该编码的责任制。"), field="system")
        coverage.mapping_add(actor=request.user, enterprise=enterprise, system=system,
                             responsible_org=data["responsible_org"])
        return _("已指定覆盖。")

    return _form_page(request, form, run, title=_("人工指定覆盖"), back=reverse("safety:coverage"))


@login_required
@require_POST
def mapping_remove_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "safety.manage_coverage")
    visible = Enterprise.objects.visible_to(request.user).values("pk")
    row = get_object_or_404(EnterpriseSystem.objects.select_related("enterprise", "system"), pk=pk,
                            enterprise_id__in=visible)
    back = reverse("safety:coverage")

    def run() -> str:
        coverage.mapping_remove(row, actor=request.user)
        return _("已取消覆盖。")

    return perform_step(request, MappingForm(), run, back=back, unplaced_as_message=True) or HttpResponseRedirect(back)


@login_required
def letters_issue_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "safety.manage_letters")
    form = LettersIssueForm(request.POST or None, units=letter_units(request.user))

    def run() -> str:
        data = form.cleaned_data
        issued = letters.letters_issue(actor=request.user, year=data["year"], units=list(data["units"]),
                                       title=data["title"])
        return _("已下达 %(n)d 份责任书。") % {"n": len(issued)}

    return _form_page(request, form, run, title=_("下达责任书"), back=reverse("safety:letter_list"))


@login_required
def letter_sign_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(ResponsibilityLetter.objects.visible_to(request.user).select_related("unit"), pk=pk)
    require_page(request, "safety.sign_letter", letter)
    form = LetterSignForm(request.POST or None, request.FILES or None, initial={"version": letter.version})

    def run() -> str:
        data = form.cleaned_data
        letters.letter_sign(letter, actor=request.user, signed_on=data["signed_on"], signatory=data["signatory"],
                            file=data["file"], expected_version=data["version"])
        return _("已登记签订。")

    return _form_page(request, form, run, title=_("登记签订：%(title)s") % {"title": letter.title},
                      back=reverse("safety:letter_list") + "?mine=1" if letter.unit_id == request.user.organisation_id
                      else reverse("safety:letter_list"), multipart=True)


# --- imports (one importer per sheet) --------------------------------------------------------------

_IMPORT_SALT = "yancheng.safety-registry-import"
IMPORTS: dict[str, tuple[Callable[..., Any], str, tuple[str, ...], tuple[str, ...]]] = {
    # kind: importer, permission, required columns, optional columns
    "systems": (importers_registry.systems_import, MANAGE, importers_registry.SYSTEM_COLUMNS,
                ("配合部门", "覆盖行业代码", "重复隐患判定期（天）", "英文名称", "示例")),
    "items": (importers_registry.items_import, MANAGE, importers_registry.ITEM_COLUMNS,
              ("依据", "重大事故隐患判定项")),
    "duties": (importers_registry.duties_import, MANAGE, importers_registry.DUTY_COLUMNS,
               ("频次", "须检查企业", "检查范围行业代码")),
    "persons": (importers_registry.persons_import, MANAGE, importers_registry.PERSON_COLUMNS,
                ("职务", "联系电话", "系统账号")),
    "mappings": (importers_registry.mappings_import, "safety.manage_coverage", importers_registry.MAPPING_COLUMNS,
                 ("监管部门",)),
}


def _import_kind(request: AuthenticatedHttpRequest, kind: str) -> tuple[Callable[..., Any], str, tuple[str, ...],
                                                                        tuple[str, ...]]:
    if kind not in IMPORTS:
        raise Http404
    entry = IMPORTS[kind]
    require_page(request, entry[1])
    return entry


@login_required
@require_GET
def registry_import_template(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    _run, _perm, required, optional = _import_kind(request, kind)
    columns = [(name, "", True) for name in required] + [(name, "", False) for name in optional]
    return imports.template_response(title=_("导入模板"), columns=columns, filename=f"safety-{kind}-template.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def registry_import(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Upload → dry run with a row-by-row report → confirm (same file, all or nothing)."""
    run, perm, _required, _optional = _import_kind(request, kind)
    return imports.upload_page(request, run=run, template="safety/registry/import.html", salt=f"{_IMPORT_SALT}.{kind}",
                               permission=perm)


@login_required
@require_POST
def registry_import_confirm(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    run, perm, _required, _optional = _import_kind(request, kind)
    url = reverse("safety:registry_import", args=[kind])
    return imports.confirm(
        request, run=run, template="safety/registry/import.html", salt=f"{_IMPORT_SALT}.{kind}",
        upload_url=url, done_url=url, permission=perm, done_message=lambda n: _("已导入 %(n)d 行。") % {"n": n},
    )
