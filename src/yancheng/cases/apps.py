from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yancheng.cases"
    label = "cases"
    verbose_name = _("事项办理")

    def ready(self) -> None:
        from . import permissions, tasks  # noqa: F401 - rules and periodic jobs register themselves

        tasks.register()
