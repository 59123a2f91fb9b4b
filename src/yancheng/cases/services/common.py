"""What the steps share: the longest texts and days they accept, and where a unit sits."""

from __future__ import annotations

from yancheng.core.models import Organisation

from ..models import Case, ExtensionRequest

MAX_EXTENSION_DAYS = 30

# The longest free texts a step accepts (the one text rule: longer is refused, never cut).
# CharFields use their model's max_length; the TextFields the limits the API also states.
TITLE_MAX = Case._meta.get_field("title").max_length or 200
DESCRIPTION_MAX = 10_000
NOTE_MAX = 5_000
RESOLUTION_MAX = 20_000
EXTENSION_REASON_MAX = ExtensionRequest._meta.get_field("reason").max_length or 500
SUSPEND_REASON_MAX = Case._meta.get_field("suspended_reason").max_length or 255


def is_within(org: Organisation, ancestor: Organisation) -> bool:
    """`org` is `ancestor` or one of its sub-units."""
    return org.pk == ancestor.pk or org.path.startswith(ancestor.path)
