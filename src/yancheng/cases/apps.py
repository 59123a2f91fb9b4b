from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yancheng.cases"
    label = "cases"
    verbose_name = _("事项办理")

    def ready(self) -> None:
        from . import attachments, permissions, tasks, todos  # noqa: F401 - rules register themselves

        tasks.register()
        attachments.register()

        from yancheng.core.audit.labels import register_verbs

        from .models import EVENT_LABELS

        register_verbs(EVENT_LABELS)  # the trail reads a case's steps in the case page's words
        todos.register()

        from yancheng.core.demo import register_demo_loader

        from .demo import load_case_demo

        register_demo_loader("事项", load_case_demo)
