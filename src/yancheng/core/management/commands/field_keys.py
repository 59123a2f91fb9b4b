"""``manage.py field_keys init|status|rotate|reencrypt|retire KEY`` (``yancheng field_keys …``):
the keys of the encrypted personal data (docs/operations.md, "Field encryption keys").

    init        create the key file (production: once, before the first start)
    status      the keys, which is primary, and how many values each one encrypts
    rotate      a new primary key (--cipher sm4-gcm to change cipher); old keys still decrypt
    reencrypt   move every value to the primary key, in audited batches (re-runnable)
    retire KEY  drop an old key from the file, refused while a value still uses it

Every change is recorded in the audit trail, by the system (actor None)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yancheng.core.crypto import rekey
from yancheng.core.crypto.keys import configured_cipher, keys_path, load_ring
from yancheng.lib.fieldcrypt import ALGORITHMS, FieldCryptoError, cipher_available, new_ring, write_ring


class Command(BaseCommand):
    help = "管理个人信息字段加密的密钥：init、status、rotate、reencrypt、retire（见 docs/operations.md）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init", help="创建密钥文件")
        sub.add_parser("status", help="显示密钥及各密钥加密的记录数")
        rotate = sub.add_parser("rotate", help="生成新的主密钥")
        rotate.add_argument("--cipher", choices=sorted(ALGORITHMS), default=None)
        reencrypt = sub.add_parser("reencrypt", help="用主密钥重新加密全部记录")
        reencrypt.add_argument("--batch-size", type=int, default=500)
        retire = sub.add_parser("retire", help="删除不再使用的旧密钥")
        retire.add_argument("key_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except FieldCryptoError as exc:
            raise CommandError(_("字段加密密钥操作失败：%(reason)s") % {"reason": exc}) from exc

    def _init(self, options: dict[str, Any]) -> None:
        path = keys_path()
        if path.exists():
            raise CommandError(_("密钥文件 %(path)s 已存在，未作修改。") % {"path": path})
        cipher = configured_cipher()
        if not cipher_available(cipher):
            raise CommandError(_("当前 OpenSSL 不支持 %(cipher)s。") % {"cipher": cipher})
        ring = new_ring(cipher)
        write_ring(path, ring, create_only=True)
        self.stdout.write(_("已创建密钥文件 %(path)s（主密钥 %(key)s，%(cipher)s）。请与数据库分开备份。")
                          % {"path": path, "key": ring.primary, "cipher": cipher})

    def _status(self, options: dict[str, Any]) -> None:
        ring = load_ring()
        self.stdout.write(f"{keys_path()}")
        for key in ring.keys.values():
            mark = "*" if key.id == ring.primary else " "
            self.stdout.write(f" {mark} {key.id}  {key.alg}  {key.created}")
        for column, counts in rekey.key_usage().items():
            parts = ", ".join(f"{kid}: {n}" for kid, n in sorted(counts.items())) or "—"
            self.stdout.write(f"   {column}: {parts}")

    def _rotate(self, options: dict[str, Any]) -> None:
        cipher = options["cipher"] or configured_cipher()
        if not cipher_available(cipher):
            raise CommandError(_("当前 OpenSSL 不支持 %(cipher)s。") % {"cipher": cipher})
        ring = rekey.rotate(cipher=cipher)
        self.stdout.write(_("新的主密钥：%(key)s（%(cipher)s）。旧密钥仍可解密；请运行 field_keys reencrypt。")
                          % {"key": ring.primary, "cipher": cipher})

    def _reencrypt(self, options: dict[str, Any]) -> None:
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size 必须为正整数。"))
        result = rekey.reencrypt_all(batch_size=options["batch_size"])
        for label, n in result.rows.items():
            self.stdout.write(f"  {label}: {n}")
        self.stdout.write(_("已用主密钥 %(key)s 重新加密 %(n)d 条记录。") % {"key": result.primary, "n": result.total})

    def _retire(self, options: dict[str, Any]) -> None:
        rekey.retire(options["key_id"])
        self.stdout.write(_("密钥 %(key)s 已从密钥文件中删除。") % {"key": options["key_id"]})
