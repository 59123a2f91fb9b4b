import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, RequestFactory

from yancheng.core.attachments.models import Attachment
from yancheng.core.attachments.services import attachment_add, attachment_delete, attachments_for
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed

from . import samples


def upload(name="整改报告.pdf", data=None):
    return SimpleUploadedFile(name, samples.pdf() if data is None else data, content_type="application/octet-stream")


def add(world, persona="enterprise_a", **kw):
    return attachment_add(world.enterprise_a, file=upload(**kw), actor=world.users[persona])


# --- service -----------------------------------------------------------------------------------


def test_an_upload_is_stored_by_uuid_outside_the_web_root(world):
    attachment = add(world, name="../../x.pdf")
    path = attachment.storage_path
    assert path.read_bytes() == samples.pdf()
    assert path.name == attachment.pk.hex and "x.pdf" not in str(path)
    assert Path(settings.YANCHENG_ATTACHMENT_ROOT) in path.parents
    assert Path(settings.STATIC_ROOT) not in path.parents
    assert attachment.original_name == "x.pdf"
    assert attachment.sha256 == hashlib.sha256(samples.pdf()).hexdigest()
    assert attachment.mime_type == "application/pdf" and attachment.size == len(samples.pdf())
    assert AuditEvent.objects.filter(action="attachment.add", object_id=str(world.enterprise_a.pk)).exists()
    assert not list((Path(settings.YANCHENG_ATTACHMENT_ROOT) / "tmp").iterdir())


def test_a_refused_upload_leaves_no_file_behind(world):
    with pytest.raises(ValidationFailed):
        add(world, name="evil.pdf", data=b"MZ" + b"\x00" * 100)
    root = Path(settings.YANCHENG_ATTACHMENT_ROOT)
    assert [p for p in root.rglob("*") if p.is_file()] == []
    assert not Attachment.objects.exists()


def test_another_enterprise_cannot_attach_and_learns_nothing(world):
    with pytest.raises(NotFoundError):
        attachment_add(world.enterprise_a, file=upload(), actor=world.users["enterprise_b"])


def test_a_user_who_sees_but_may_not_change_the_enterprise_cannot_attach(world):
    with pytest.raises(PermissionDeniedError):
        attachment_add(world.enterprise_a, file=upload(), actor=world.users["handler_power"])
    assert AuditEvent.objects.filter(action="permission_denied", outcome="denied").exists()


def test_the_number_of_attachments_per_object_is_capped(world, settings):
    settings.YANCHENG_ATTACHMENT_MAX_PER_OBJECT = 1
    add(world)
    with pytest.raises(ValidationFailed) as info:
        add(world)
    assert info.value.code == "too_many_attachments"


def test_deleting_removes_the_file(world, django_capture_on_commit_callbacks):
    attachment = add(world)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment, actor=world.users["enterprise_a"])
    assert not attachment.storage_path.exists()
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.filter(action="attachment.delete").exists()


# --- download view -----------------------------------------------------------------------------


def url(attachment, suffix=""):
    return f"/attachments/{attachment.pk}/{suffix}"


def logged_in(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_the_owner_downloads_with_safe_headers(world):
    attachment = add(world)
    response = logged_in(world, "enterprise_a").get(url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf" in disposition
    assert AuditEvent.objects.filter(action="attachment.download").exists()


def test_a_user_who_cannot_see_the_owner_gets_404(world):
    attachment = add(world)
    assert logged_in(world, "enterprise_b").get(url(attachment)).status_code == 404


def test_a_user_who_sees_the_owner_may_download(world):
    attachment = add(world)
    assert logged_in(world, "dispatcher").get(url(attachment)).status_code == 200


def test_downloads_need_a_login(world):
    attachment = add(world)
    response = Client().get(url(attachment))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_tampered_file_is_not_served(world):
    attachment = add(world)
    attachment.storage_path.write_bytes(samples.pdf() + b"% tampered")
    response = logged_in(world, "enterprise_a").get(url(attachment))
    assert response.status_code == 500
    assert samples.pdf() not in response.content
    assert AuditEvent.objects.filter(action="attachment.integrity_failed", outcome="failure").exists()


def test_uploaded_files_have_no_public_url(world):
    attachment = add(world)
    assert Client().get(f"/media/{attachment.pk.hex}").status_code == 404
    assert Client().get(f"/static/{attachment.pk.hex}").status_code == 404


def test_the_upload_form_posts_and_returns_to_the_page(world):
    client = logged_in(world, "enterprise_a")
    response = client.post(
        f"/attachments/core.enterprise/{world.enterprise_a.pk}/upload/",
        {"file": upload("现场.jpg", samples.jpeg()), "next": "/enterprises/1/"},
    )
    assert response.status_code == 302 and response["Location"] == "/enterprises/1/"
    assert attachments_for(world.enterprise_a).get().original_name == "现场.jpg"


def test_the_upload_form_refuses_an_outside_redirect_and_bad_files(world):
    client = logged_in(world, "enterprise_a")
    response = client.post(
        f"/attachments/core.enterprise/{world.enterprise_a.pk}/upload/",
        {"file": upload("evil.jpg", b"<html><script>1</script></html>"), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("enterprise_b", 404), ("handler_power", 302)])
def test_the_upload_form_checks_the_owner(world, persona, status):
    response = logged_in(world, persona).post(
        f"/attachments/core.enterprise/{world.enterprise_a.pk}/upload/", {"file": upload()}
    )
    assert response.status_code == status
    assert not Attachment.objects.exists()


def test_the_delete_form_needs_the_right_to_attach(world):
    attachment = add(world)
    assert logged_in(world, "enterprise_b").post(url(attachment, "delete/")).status_code == 404
    logged_in(world, "handler_power").post(url(attachment, "delete/"))
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert logged_in(world, "enterprise_a").get(url(attachment, "delete/")).status_code == 405
    logged_in(world, "enterprise_a").post(url(attachment, "delete/"))
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


# --- the partial -------------------------------------------------------------------------------


def render_panel(world, persona):
    request = RequestFactory().get(f"/enterprises/{world.enterprise_a.pk}/")
    request.user = world.users[persona]
    template = Template('{% include "attachments/_attachments.html" with object=enterprise %}')
    return template.render(Context({"request": request, "enterprise": world.enterprise_a, "csrf_token": "t"}))


def test_the_partial_lists_attachments_and_offers_upload_to_those_allowed(world):
    add(world)
    html = render_panel(world, "enterprise_a")
    assert "整改报告.pdf" in html and 'enctype="multipart/form-data"' in html
    html = render_panel(world, "handler_power")
    assert "整改报告.pdf" in html and "multipart/form-data" not in html
    assert render_panel(world, "enterprise_b").strip() == ""
