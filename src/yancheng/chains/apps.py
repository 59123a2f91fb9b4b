from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "yancheng.chains"
    label = "chains"
    verbose_name = _("产业链")

    def ready(self) -> None:
        # Each page family registers its to-dos, jobs and attachments here (one line each).
        from . import (
            permissions,  # noqa: F401 - registers the rules
            todos_problems,
        )

        todos_problems.register()
