"""The safety pages, under /safety/ (one "safety" namespace; each page family has its own
``urls_<family>.py``, included here)."""

from django.urls import URLPattern, URLResolver

app_name = "safety"

urlpatterns: list[URLPattern | URLResolver] = []
