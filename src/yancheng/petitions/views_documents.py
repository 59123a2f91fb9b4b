"""A matter's notices on its page: the download of a notice's .docx (a reveal of the
信访人's name, audited) and the 送达 form. The annual report has its own page
(``views_annual.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import DOCX, download
from yancheng.core.kit.forms import SiteForm
from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest

from . import documents as docs
from .models import Petition, PetitionDocument


class ServeForm(SiteForm):
    served_on = forms.DateField(label=gettext_lazy("送达日期"),
                                widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    how = forms.ChoiceField(label=gettext_lazy("送达方式"), choices=PetitionDocument.ServedBy.choices)


@dataclass
class DocumentRow:
    document: PetitionDocument
    can_download: bool
    serve_form: ServeForm | None


def documents_context(request: AuthenticatedHttpRequest, petition: Petition) -> dict[str, Any]:
    """What ``_documents.html`` needs on a matter's page: each notice with the links and the
    送达 form the user may use."""
    rows = []
    for document in petition.documents.select_related("issuer"):
        document.petition = petition
        can_serve = document.served_at is None and rules.has_perm("petitions.serve_document", request.user, document)
        rows.append(DocumentRow(
            document=document,
            can_download=rules.has_perm("petitions.download_document", request.user, document),
            serve_form=ServeForm(initial={"served_on": timezone.localdate()},
                                 auto_id=f"id_serve{document.pk}_%s") if can_serve else None,
        ))
    return {"document_rows": rows}


def _document_for(request: AuthenticatedHttpRequest, pk: int) -> PetitionDocument:
    """The notice if the user sees its matter; 404 otherwise."""
    document = (
        PetitionDocument.objects.select_related("petition", "issuer")
        .filter(pk=pk, petition__in=Petition.objects.visible_to(request.user))
        .first()
    )
    if document is None:
        raise Http404
    return document


@login_required
@require_GET
def document_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    require_page(request, "petitions.download_document", document, audited=True)
    data = docs.render(document)
    # The file names the 信访人: each download is a reveal, kept in the audit trail.
    audit_record("petition.document_download", document, actor=request.user,
                 after={"petition": document.petition_id, "kind": document.kind})
    return download(data, docs.filename(document), DOCX)


@login_required
@require_POST
def document_serve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    require_page(request, "petitions.serve_document", document)
    form = ServeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        try:
            docs.document_serve(document, actor=request.user, served_on=form.cleaned_data["served_on"],
                                how=form.cleaned_data["how"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已登记送达：%(d)s") % {"d": document})
    return redirect("petitions:petition_detail", document.petition_id)
