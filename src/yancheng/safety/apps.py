from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "yancheng.safety"
    label = "safety"
    verbose_name = _("安全生产")

    def ready(self) -> None:
        from . import (
            permissions,  # noqa: F401 - registers the rules
            todos_stats,
        )

        todos_stats.register()
