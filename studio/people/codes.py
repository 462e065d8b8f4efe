"""A scanned code's text as a person: a contact card's name, an id or email; never a Wi-Fi code.

Pure text (no OpenCV): the desk cleans codes typed in or read elsewhere with it too.
"""

from __future__ import annotations

import unicodedata

MAX_CODE_CHARS = 200


# QR payloads that are not a person (a Wi-Fi code on the studio wall, a phone number, a link):
# their "NAME:" prefix, lower case. ``mailto:`` is an email; vCard and MECARD give their name.
NOT_A_PERSON = frozenset({"wifi", "tel", "sms", "smsto", "mms", "mmsto", "geo", "matmsg", "market",
                          "otpauth", "bitcoin", "upi", "http", "https", "url", "ftp", "begin"})


def contact_name(text: str) -> str | None:
    """The name on a vCard (``FN``, else ``N``, else ``EMAIL``) or a MECARD (``N:Last,First``)."""
    head = text.lstrip()[:12].upper()
    if head.startswith("BEGIN:VCARD"):
        fields: dict[str, str] = {}
        for line in text.splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.split(";")[0].strip().upper(), value.strip())
        family, _, rest = fields.get("N", "").partition(";")
        given = rest.split(";")[0]
        return fields.get("FN") or " ".join(p for p in (given, family) if p) or fields.get("EMAIL") or None
    if head.startswith("MECARD:"):
        parts = dict(f.partition(":")[::2] for f in text.strip()[7:].split(";") if ":" in f)
        family, _, given = parts.get("N", "").partition(",")
        return " ".join(p.strip() for p in (given, family) if p.strip()) or parts.get("EMAIL") or None
    return None


def clean_code(text: str) -> str | None:
    """A code's text as a person's id, email or name: trimmed, no control characters, bounded.
    A contact card gives its name; a Wi-Fi code, a phone number or a link gives None."""
    text = text.strip()
    if text.upper().startswith(("BEGIN:VCARD", "MECARD:")):
        text = contact_name(text) or ""
    elif text.partition(":")[0].lower() in NOT_A_PERSON and ":" in text:
        return None
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = "".join(c for c in text if not unicodedata.category(c).startswith("C")).strip()
    if not text or len(text) > MAX_CODE_CHARS:
        return None
    return text
