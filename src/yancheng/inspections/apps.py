from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "yancheng.inspections"
    label = "inspections"
    verbose_name = _("企业赋码保护")

    def ready(self) -> None:
        from . import (
            permissions,  # noqa: F401 - registers the rules
            ratings,
            todos,
        )
        from .planning import joint
        from .registration import attachments
        from .supervision import monthly_report

        joint.register_jobs()  # daily joint-inspection matching
        monthly_report.register_jobs()  # the monthly 通报 notice
        ratings.register_jobs()  # the daily batch of ratings (hourly check)
        attachments.register_attachments()  # evidence on a registration (exemptions)
        todos.register()  # the workbench's to-dos

        from yancheng.core.demo import register_demo_loader

        from .demo import load_inspection_demo

        # After the cases loader (INSTALLED_APPS order): complaints are cases.
        register_demo_loader("企业赋码保护", load_inspection_demo)
