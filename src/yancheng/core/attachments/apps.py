from typing import Any

from django.apps import AppConfig
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from yancheng.core.typing import Actor


class AttachmentsConfig(AppConfig):
    name = "yancheng.core.attachments"
    label = "attachments"
    verbose_name = _("附件")

    def ready(self) -> None:
        from yancheng.core.models import Enterprise

        from .registry import register_attachable

        def enterprises_visible(user: Actor) -> QuerySet[Enterprise]:
            return Enterprise.objects.visible_to(user)

        def may_attach_to_enterprise(user: Actor, enterprise: Any) -> bool:
            return bool(user.has_perm("core.change_enterprise_contacts", enterprise))

        register_attachable(Enterprise, enterprises_visible, may_attach_to_enterprise)

        from . import sweep

        sweep.register()
