import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yancheng.core.attachments.models import Attachment
from yancheng.core.attachments.services import attachment_add

from . import samples


def objects_url(enterprise):
    return f"/api/v1/objects/core.enterprise/{enterprise.pk}/attachments"


def pdf_file(name="报告.pdf", data=None):
    return SimpleUploadedFile(name, samples.pdf() if data is None else data)


def existing(world):
    return attachment_add(world.enterprise_a, file=pdf_file(), actor=world.users["enterprise_a"])


def test_attachment_endpoints_need_a_login(world, as_user):
    attachment = existing(world)
    client = as_user(None)
    assert client.get(objects_url(world.enterprise_a)).status_code == 401
    assert client.post_multipart(objects_url(world.enterprise_a), {"file": pdf_file()}).status_code == 401
    assert client.get(f"/api/v1/attachments/{attachment.pk}").status_code == 401
    assert client.get(f"/api/v1/attachments/{attachment.pk}/content").status_code == 401
    assert client.delete(f"/api/v1/attachments/{attachment.pk}").status_code == 401


def test_the_owner_uploads_lists_downloads_and_deletes(world, as_user):
    client = as_user("enterprise_a")
    response = client.post_multipart(objects_url(world.enterprise_a), {"file": pdf_file()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "报告.pdf" and body["mime_type"] == "application/pdf"
    assert response["Location"] == f"/api/v1/attachments/{body['id']}"
    listed = client.get(objects_url(world.enterprise_a)).json()
    assert [a["id"] for a in listed] == [body["id"]]
    content = client.get(body["download_url"])
    assert content.status_code == 200
    assert b"".join(content.streaming_content) == samples.pdf()
    assert content["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''" in content["Content-Disposition"]
    assert client.delete(f"/api/v1/attachments/{body['id']}").status_code == 204
    assert not Attachment.objects.exists()


def test_another_enterprise_gets_404_everywhere(world, as_user):
    attachment = existing(world)
    client = as_user("enterprise_b")
    assert client.get(objects_url(world.enterprise_a)).status_code == 404
    assert client.post_multipart(objects_url(world.enterprise_a), {"file": pdf_file()}).status_code == 404
    assert client.get(f"/api/v1/attachments/{attachment.pk}").status_code == 404
    assert client.get(f"/api/v1/attachments/{attachment.pk}/content").status_code == 404
    assert client.delete(f"/api/v1/attachments/{attachment.pk}").status_code == 404
    assert Attachment.objects.count() == 1


def test_a_role_that_sees_but_may_not_attach_gets_403_on_writes(world, as_user):
    attachment = existing(world)
    client = as_user("handler_power")
    assert client.get(objects_url(world.enterprise_a)).status_code == 200
    assert client.post_multipart(objects_url(world.enterprise_a), {"file": pdf_file()}).status_code == 403
    assert client.delete(f"/api/v1/attachments/{attachment.pk}").status_code == 403
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("persona", ["audit_admin", "security_admin"])
def test_administrators_without_business_access_get_404(world, as_user, persona):
    existing(world)
    assert as_user(persona).get(objects_url(world.enterprise_a)).status_code == 404


@pytest.mark.parametrize("owner", ["core.user", "auth.group", "nothing"])
def test_unregistered_owner_types_answer_404(world, as_user, owner):
    assert as_user("system_admin").get(f"/api/v1/objects/{owner}/1/attachments").status_code == 404


def test_an_unknown_attachment_answers_404(world, as_user):
    assert as_user("system_admin").get(f"/api/v1/attachments/{uuid.uuid4()}").status_code == 404


def test_a_disallowed_file_answers_422_with_its_code(world, as_user):
    response = as_user("enterprise_a").post_multipart(
        objects_url(world.enterprise_a), {"file": pdf_file("x.jpg", b"<html><script>alert(1)</script></html>")}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "file_type_not_allowed" and "file" in error["fields"]


def test_a_file_over_the_cap_answers_413(world, as_user, settings):
    settings.YANCHENG_ATTACHMENT_MAX_BYTES = 64
    response = as_user("enterprise_a").post_multipart(objects_url(world.enterprise_a), {"file": pdf_file()})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


def test_an_upload_without_a_file_answers_422(world, as_user):
    response = as_user("enterprise_a").post_multipart(objects_url(world.enterprise_a), {})
    assert response.status_code == 422


def test_a_retried_upload_with_the_same_key_is_stored_once(world, as_user):
    client = as_user("enterprise_a")
    key = str(uuid.uuid4())
    first = client.post_multipart(objects_url(world.enterprise_a), {"file": pdf_file()}, headers={"Idempotency-Key": key})
    second = client.post_multipart(objects_url(world.enterprise_a), {"file": pdf_file()}, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert Attachment.objects.count() == 1
    other = client.post_multipart(
        objects_url(world.enterprise_a), {"file": pdf_file("其他.pdf")}, headers={"Idempotency-Key": key}
    )
    assert other.status_code == 422
