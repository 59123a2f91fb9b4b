"""The field cipher on its own (yancheng.lib.fieldcrypt, SPEC §12): no database."""

from __future__ import annotations

import stat

import pytest

from yancheng.lib import fieldcrypt as fc


@pytest.mark.parametrize("alg", ["aes-256-gcm", "sm4-gcm"])
def test_a_token_names_its_cipher_and_key_and_gives_the_value_back(alg):
    ring = fc.new_ring(alg)
    token = ring.encrypt("13800138000", context="core.user.phone")
    prefix, code, kid, _payload = token.split(":")
    assert (prefix, code, kid) == ("yc1", fc.ALGORITHMS[alg].code, ring.primary)
    assert "13800138000" not in token
    assert ring.decrypt(token, context="core.user.phone") == "13800138000"


def test_the_same_number_twice_gives_two_different_tokens():
    ring = fc.new_ring("aes-256-gcm")
    assert ring.encrypt("13800138000", context="c") != ring.encrypt("13800138000", context="c")


@pytest.mark.parametrize("alg", ["aes-256-gcm", "sm4-gcm"])
def test_an_altered_token_is_refused_not_turned_into_another_value(alg):
    ring = fc.new_ring(alg)
    token = ring.encrypt("13800138000", context="c")
    payload = token.rsplit(":", 1)[1]
    flipped = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    with pytest.raises(fc.FieldCryptoError, match="does not authenticate"):
        ring.decrypt(token.rsplit(":", 1)[0] + ":" + flipped, context="c")


def test_a_token_copied_into_another_column_does_not_decrypt_there():
    ring = fc.new_ring("aes-256-gcm")
    token = ring.encrypt("13800138000", context="core.user.phone")
    with pytest.raises(fc.FieldCryptoError):
        ring.decrypt(token, context="petitions.petitioner.phone")


def test_a_wrong_key_gives_a_clear_error():
    token = fc.new_ring("aes-256-gcm").encrypt("13800138000", context="c")
    with pytest.raises(fc.FieldCryptoError, match="is not in the key file"):
        fc.new_ring("aes-256-gcm").decrypt(token, context="c")


def test_a_token_that_claims_another_cipher_for_its_key_is_refused():
    ring = fc.new_ring("aes-256-gcm")
    token = ring.encrypt("13800138000", context="c").replace(":a256gcm:", ":sm4gcm:")
    with pytest.raises(fc.FieldCryptoError, match="names cipher"):
        ring.decrypt(token, context="c")


def test_a_plain_value_where_a_token_belongs_is_an_error_not_a_value():
    with pytest.raises(fc.FieldCryptoError, match="not an encrypted token"):
        fc.new_ring("aes-256-gcm").decrypt("13800138000", context="c")


def test_after_rotation_old_tokens_still_decrypt_and_new_ones_use_the_new_key():
    ring = fc.new_ring("aes-256-gcm")
    old = ring.encrypt("13800138000", context="c")
    rotated = fc.ring_rotated(ring, "sm4-gcm")
    assert rotated.primary != ring.primary and rotated.primary_key.alg == "sm4-gcm"
    assert rotated.decrypt(old, context="c") == "13800138000"
    new = rotated.encrypt("13900139000", context="c")
    assert fc.token_key_id(new) == rotated.primary and ":sm4gcm:" in new
    assert rotated.digest("13800138000", context="c") == ring.digest("13800138000", context="c")


def test_the_primary_key_cannot_be_retired():
    ring = fc.new_ring("aes-256-gcm")
    with pytest.raises(fc.FieldCryptoError, match="primary"):
        fc.ring_without(ring, ring.primary)


def test_the_key_file_is_written_owner_only_and_read_back(tmp_path):
    path = tmp_path / "keys" / "field-keys.json"
    ring = fc.new_ring("aes-256-gcm")
    fc.write_ring(path, ring, create_only=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert fc.read_ring(path) == ring
    with pytest.raises(FileExistsError):
        fc.write_ring(path, ring, create_only=True)
    rotated = fc.ring_rotated(ring, "aes-256-gcm")
    fc.write_ring(path, rotated)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert fc.read_ring(path).primary == rotated.primary


@pytest.mark.parametrize(
    "text",
    ['{"primary": "x", "keys": [], "index_key": ""}', "not json", '{"keys": [{"id": "k", "alg": "des", "key": ""}]}'],
)
def test_a_damaged_key_file_is_named_in_the_error(tmp_path, text):
    path = tmp_path / "field-keys.json"
    path.write_text(text)
    with pytest.raises(fc.FieldCryptoError, match=r"field-keys\.json"):
        fc.read_ring(path)


@pytest.mark.parametrize(
    "written",
    ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000", "0086 13800138000",
     "(+86) 138-0013-8000", " 13800138000 "],
)
def test_every_way_of_writing_a_mobile_number_gives_one_digest(written):
    ring = fc.new_ring("aes-256-gcm")
    normalise = fc.KINDS["phone"].normalise
    assert normalise(written) == "13800138000"
    assert ring.digest(normalise(written), context="c") == ring.digest("13800138000", context="c")


def test_the_digest_depends_on_the_index_key_and_the_column():
    a, b = fc.new_ring("aes-256-gcm"), fc.new_ring("aes-256-gcm")
    assert a.digest("13800138000", context="c") != b.digest("13800138000", context="c")
    assert a.digest("13800138000", context="c") != a.digest("13800138000", context="d")
    assert a.digest("", context="c") == ""


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), ("+86 138 1234 5678", "138****5678"), ("0734-8123456", "*******3456"),
     ("123", "***"), ("", "")],
)
def test_phones_are_masked_to_the_first_three_and_last_four(value, masked):
    assert fc.mask_phone(value) == masked


def test_an_id_number_keeps_only_its_ends():
    assert fc.mask_id_number("43040219900101123x") == "430***********123X"


@pytest.mark.parametrize(("text", "is_phone"), [("+86 138 0013 8000", True), ("0734-8123456", True),
                                                ("138", False), ("张三", False), ("zhang138", False)])
def test_a_search_box_recognises_a_phone_number(text, is_phone):
    assert fc.looks_like_phone(text) is is_phone
