from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "yancheng.safety"
    label = "safety"
    verbose_name = _("安全生产")

    def ready(self) -> None:
        from . import (
            permissions,  # noqa: F401 - registers the rules
            tasks,
            todos_checks,
        )
        from .attachments_checks import register_attachments as register_check_attachments

        register_check_attachments()
        todos_checks.register()
        tasks.register()
