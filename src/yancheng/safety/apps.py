from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "yancheng.safety"
    label = "safety"
    verbose_name = _("安全生产")

    def ready(self) -> None:
        # Hazards: their rectification case is worked on the hazard's page; photos before/after.
        from yancheng.cases.models import CaseKind
        from yancheng.cases.subjects import register_case_home

        from . import (
            attachments_hazards,
            permissions,  # noqa: F401 - registers the rules
            todos_hazards,
            todos_stats,
        )
        from .selectors_hazards import case_home_url

        register_case_home(CaseKind.HAZARD, case_home_url)
        attachments_hazards.register()
        todos_hazards.register()
        todos_stats.register()
