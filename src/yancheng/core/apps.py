from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yancheng.core"
    label = "core"
    verbose_name = _("基础数据")

    def ready(self) -> None:
        from . import checks, tasks  # noqa: F401 - checks registers itself
        from .calendar.source import install as install_calendar
        from .crypto import checks as crypto_checks  # noqa: F401 - registers itself

        install_calendar()
        tasks.register()

        from .kit import import_jobs

        import_jobs.register()  # old import jobs and their files pruned daily

        from . import todos

        todos.register()  # the administrators' workbench
