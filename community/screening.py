"""Personal information and NG words in what members write: found before anything is public.

A post or comment that carries a phone number, an e-mail address, a street address or a web
address is held for a moderator, and its author is told why in plain Japanese: on a town's
board, a family's number or address is an invitation to harm. The text is read after NFKC
folding, so full-width digits (０９０‐１２３４‐５６７８), the full-width at sign and the many
dashes Japanese keyboards produce match as their ASCII forms do.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

#: Why a text is held: code → the explanation its author reads.
REASONS = {
    "phone": _("電話番号のような数字が含まれています。"),
    "email": _("メールアドレスが含まれています。"),
    "address": _("住所（番地）が含まれています。"),
    "url": _("ウェブサイトのアドレス（URL）が含まれています。"),
    "ng": _("掲示板で使えない言葉が含まれています。"),
}

# Every dash, hyphen and long-vowel mark people type between digit groups.
_DASHES = "‐‑‒–—―−ー－ｰ─━-"
_SEP = rf"[\s{re.escape(_DASHES)}.()（）]*"

_PHONE = re.compile(
    # 0X-XXXX-XXXX, 0XX(XXX)XXXX, 090 1234 5678, 0120-123-456, +81 90-1234-5678, 0312345678
    rf"(?<!\d)(?:\+?81{_SEP}\d|0\d)(?:{_SEP}\d){{7,10}}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+-]+\s*@\s*[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_URL = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|jp|info|biz|io|me|ly|co|link|site|xyz)\b(?:/\S*)?",
    re.IGNORECASE,
)
_KANJI_NUMBER = "〇一二三四五六七八九十百"
_ADDRESS = re.compile(
    rf"[0-9{_KANJI_NUMBER}]+\s*丁目"  # 三丁目, 3丁目
    r"|\d+\s*番地"  # 12番地
    r"|\d+\s*番\s*\d+\s*号"  # 4番5号
    # 3-12-5 (丁目-番-号); not a phone number (which starts with 0) nor a date (2024-5-1)
    rf"|(?<![\d{re.escape(_DASHES)}])[1-9]\d{{0,2}}[{re.escape(_DASHES)}]\d{{1,4}}[{re.escape(_DASHES)}]\d{{1,4}}"
    rf"(?![\d{re.escape(_DASHES)}])"
)


def normalise(text):
    """The text as the patterns read it: NFKC (width folding) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _has_phone(text):
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if digits.startswith("81"):
            digits = "0" + digits[2:]
        if 10 <= len(digits) <= 11:
            return True
    return False


def personal_data(text):
    """The codes of the kinds of personal information in ``text`` (``phone``, ``email``, …)."""
    folded = normalise(text)
    found = []
    if _has_phone(folded):
        found.append("phone")
    if _EMAIL.search(folded):
        found.append("email")
    if _ADDRESS.search(folded):
        found.append("address")
    # An e-mail address's domain is not also reported as a URL.
    if _URL.search(_EMAIL.sub(" ", folded)):
        found.append("url")
    return found


def ng_words_in(text, words):
    """The NG words of ``words`` that ``text`` contains, compared after NFKC and lower case."""
    folded = normalise(text)
    return [word for word in words if normalise(word) and normalise(word) in folded]


def screen(text, site):
    """Why ``text`` must wait for a moderator in ``site``'s town: a list of ``REASONS`` codes."""
    from .models import CommunitySettings

    reasons = personal_data(text)
    if ng_words_in(text, CommunitySettings.for_site(site).ng_word_list()):
        reasons.append("ng")
    return reasons


def explain(codes):
    """The explanations, in Japanese, for the codes of a held post."""
    return [REASONS[code] for code in codes if code in REASONS]
