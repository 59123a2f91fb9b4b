from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yancheng.core"
    label = "core"
    verbose_name = _("基础数据")

    def ready(self) -> None:
        from . import calendar, checks, tasks  # noqa: F401 - checks registers itself
        from .crypto import checks as crypto_checks  # noqa: F401 - registers itself

        calendar.install()
        tasks.register()
