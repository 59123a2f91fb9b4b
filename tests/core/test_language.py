"""Chinese by default, English on request."""

from django.urls import reverse


def test_pages_are_chinese_even_for_an_english_browser(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_switch_turns_the_pages_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("accounts:login")})
    assert '<html lang="zh-hans">' in client.get(reverse("accounts:login")).content.decode()


def test_api_clients_may_ask_for_english_messages(client):
    import re

    english = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/me")
    assert english.status_code == chinese.status_code == 401
    assert not re.search(r"[\u4e00-\u9fff]", english.json()["error"]["message"])
    assert re.search(r"[\u4e00-\u9fff]", chinese.json()["error"]["message"])
