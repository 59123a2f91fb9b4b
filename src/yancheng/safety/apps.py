from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "yancheng.safety"
    label = "safety"
    verbose_name = _("安全生产")

    def ready(self) -> None:
        from . import (
            attachments_registry,
            permissions,  # noqa: F401 - registers the rules
            tasks,
            tasks_registry,
            todos_checks,
            todos_registry,
        )
        from .attachments_checks import register_attachments as register_check_attachments

        register_check_attachments()  # a check's photos
        todos_checks.register()
        tasks.register()  # the daily generation of check tasks
        attachments_registry.register()  # the signed 责任书
        tasks_registry.register()  # the daily coverage refresh
        todos_registry.register()  # letters waiting for a signature

        # Hazards: their rectification case is worked on the hazard's page; photos before/after.
        from yancheng.cases.models import CaseKind
        from yancheng.cases.subjects import register_case_home

        from . import attachments_hazards, todos_hazards, todos_stats
        from .selectors_hazards import case_home_url

        register_case_home(CaseKind.HAZARD, case_home_url)
        attachments_hazards.register()
        todos_hazards.register()
        todos_stats.register()

        # The demo: after the inspections and petitions demos (INSTALLED_APPS order); its
        # department checks sit on registrations made through the inspections module.
        from yancheng.core.demo import register_demo_loader

        from .demo import load_safety_demo

        register_demo_loader("安全生产", load_safety_demo)
