import pytest
from django.core.management import CommandError, call_command

from yancheng.core.models import Region, User


@pytest.mark.django_db
def test_a_fresh_installation_gets_its_administrators_without_a_superuser():
    call_command("createadmin", role="security_admin", username="sec1", password="Kp9#vWz2Lm4q")
    call_command("createadmin", role="audit_admin", username="aud1", password="Kp9#vWz2Lm4r")
    assert Region.objects.filter(code="430400").exists()
    sec, aud = User.objects.get(username="sec1"), User.objects.get(username="aud1")
    assert (sec.role, aud.role) == ("security_admin", "audit_admin")
    assert sec.organisation == aud.organisation
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.mark.django_db
def test_a_weak_password_is_refused_with_the_policys_message():
    with pytest.raises(CommandError):
        call_command("createadmin", role="system_admin", username="sys1", password="12345678")
    assert not User.objects.filter(username="sys1").exists()
