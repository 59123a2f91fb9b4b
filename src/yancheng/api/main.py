"""The one NinjaAPI instance. Each app contributes its router (app/api.py)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Yancheng API", version="1", urls_namespace="api")
