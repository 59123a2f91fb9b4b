"""The product's URLs plus one bare JSON view: the floor of the stack (gunicorn, Django and
every middleware, but no query and no template), against which case creation is compared.
Only bench/run serves this; the product's URLconf does not know it."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from yancheng.urls import urlpatterns as product_urlpatterns


def floor(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *product_urlpatterns]
