from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "yancheng.chains"
    label = "chains"
    verbose_name = _("产业链")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules

        # Each page family registers its to-dos, jobs and attachments here (one line each).
        from .todos_research import register as register_research

        register_research()  # the research family's rules and to-dos
