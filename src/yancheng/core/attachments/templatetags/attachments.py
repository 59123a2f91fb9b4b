"""``{% attachment_panel object as panel %}``: what the attachments partial shows for
an object and the current user (used inside ``attachments/_attachments.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms.utils import flatatt

from yancheng.core.kit.forms import upload_attrs

from ..registry import attachable_for_model
from ..services import attachments_for, max_per_object
from ..validation import ALLOWED_EXTENSIONS, max_bytes

register = template.Library()


@register.simple_tag(takes_context=True)
def attachment_panel(context: template.Context, obj: Any) -> dict[str, Any] | None:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if obj is None or user is None or not user.is_authenticated:
        return None
    entry = attachable_for_model(type(obj))
    if entry is None or not entry.visible(user).filter(pk=obj.pk).exists():
        return None
    items = list(attachments_for(obj))
    can_attach = bool(entry.can_attach(user, obj))
    # attachment_delete lets the uploader alone delete (one party never deletes another's
    # evidence), so the button is on one's own files only.
    deletable = {a.pk for a in items if can_attach and a.uploaded_by_id == user.pk}
    return {
        "key": entry.key,
        "object_id": str(obj.pk),
        "items": items,
        "can_attach": can_attach,
        "deletable": deletable,
        "room": max(max_per_object() - len(items), 0),
        "accept": ",".join(ALLOWED_EXTENSIONS),
        "max_mb": max_bytes() // (1024 * 1024),
        "upload_attrs": flatatt(upload_attrs(max_bytes())),  # the size checked in the browser (uploads.js)
        "next": request.get_full_path() if request is not None else "/",
    }
