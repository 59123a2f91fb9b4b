from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "yancheng.dashboard"
    label = "dashboard"
    verbose_name = _("挂图作战")

    def ready(self) -> None:
        from . import todos

        todos.register()  # the leader's workbench
        from yancheng.core.demo import register_demo_loader

        from .demo import load_ranking_demo

        # After the projects loader (INSTALLED_APPS order): it needs the twelve months of reports.
        register_demo_loader("月排名", load_ranking_demo)
