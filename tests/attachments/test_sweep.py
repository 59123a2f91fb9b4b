"""Files left behind by a rolled-back upload are removed once they are old enough."""

import os
import time
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from yancheng.core.attachments.services import attachment_add
from yancheng.core.attachments.sweep import sweep_orphan_files


def test_only_old_files_without_a_row_are_removed(world, settings):
    kept = attachment_add(world.enterprise_a, file=SimpleUploadedFile("a.txt", b"hello"), actor=world.system_admin)
    root = settings.YANCHENG_ATTACHMENT_ROOT
    orphan_id = uuid.uuid4().hex
    orphan = root / orphan_id[:2] / orphan_id
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left behind")
    fresh_id = uuid.uuid4().hex
    fresh = root / fresh_id[:2] / fresh_id
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"still uploading")
    foreign = root / "ab" / "README"
    foreign.parent.mkdir(parents=True, exist_ok=True)
    foreign.write_bytes(b"not ours")
    two_hours_ago = time.time() - 7200
    for path in (orphan, kept.storage_path, foreign):
        os.utime(path, (two_hours_ago, two_hours_ago))

    removed = sweep_orphan_files()

    assert removed == [orphan]
    assert not orphan.exists()
    assert kept.storage_path.exists() and fresh.exists() and foreign.exists()
