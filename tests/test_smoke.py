from django.conf import settings


def test_it_runs_with_test_settings():
    assert settings.YANCHENG_ENV == "test"
    assert settings.LANGUAGE_CODE == "zh-hans"
