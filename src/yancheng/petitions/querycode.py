"""The 查询码 (SPEC §8; 网上办理规程: 查询码 sent by SMS): a random code that opens the
public query page for one matter.

Twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31¹² ≈ 7.9 × 10¹⁷
codes, so guessing one is hopeless behind the page's rate limit. Only the code's keyed
digest is stored (the blind-index key of ``core.crypto``), so a copy of the database or a
backup does not open the page; the code itself is shown once, at registration.
"""

from __future__ import annotations

import secrets
import unicodedata

from yancheng.core.crypto.keys import load_ring

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12
DIGEST_CONTEXT = "petitions.petition.query_code"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """``ABCD-EFGH-JKMN``: how the code is printed and sent."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(text: str) -> str:
    """What a person types back: full-width forms, spaces, dashes and case forgiven."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in folded if ch.isalnum())


def digest(code: str) -> str:
    return load_ring().digest(normalise(code), context=DIGEST_CONTEXT)
