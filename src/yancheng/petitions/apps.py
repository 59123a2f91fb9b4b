from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "yancheng.petitions"
    label = "petitions"
    verbose_name = _("信访")

    def ready(self) -> None:
        from . import (
            permissions,  # noqa: F401 - registers the rules
            todos,
        )
        from .tasks import register as register_tasks

        register_tasks()  # closing matters whose 复查/复核 window has passed
        from yancheng.cases.models import CaseKind
        from yancheng.cases.subjects import register_case_home

        from .selectors import case_home_url

        # A petition's handling case is worked on the matter's page, never the generic case page.
        register_case_home(CaseKind.PETITION, case_home_url)
        register_case_home(CaseKind.PETITION_REVIEW, case_home_url)

        from yancheng.core.demo import register_demo_loader

        from .demo import load_petition_demo

        # After the cases loader (INSTALLED_APPS order): matters are handled on cases.
        register_demo_loader("信访", load_petition_demo)
        todos.register()  # the workbench's to-dos of every petitions role
