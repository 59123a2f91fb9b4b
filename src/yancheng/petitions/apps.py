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

        todos.register()  # the workbench's to-dos of every petitions role
