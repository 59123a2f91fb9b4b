"""The product's settings with the bench URLconf on top (selected by DJANGO_SETTINGS_MODULE
in the gunicorn command of bench/run only)."""

from yancheng.settings import *  # noqa: F403 - the product's settings, unchanged

ROOT_URLCONF = "yc_bench.floor_urls"
