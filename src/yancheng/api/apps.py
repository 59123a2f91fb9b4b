from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "yancheng.api"
    label = "api"
    verbose_name = _("接口")

    def ready(self) -> None:
        from yancheng.core.security.bearer import register_bearer_authenticator

        from . import permissions, tasks  # noqa: F401 - the rules register themselves
        from .auth import token_auth

        tasks.register()
        # Only a token that validates lets an API request skip the session steps.
        register_bearer_authenticator(token_auth.authenticate)
