"""From case to FAQ: a consultation the parent agreed to share becomes an anonymised Q&A draft.

The draft is an ordinary Wagtail page that is not live: it goes through the ねっと相談 workflow
(主任相談員確認, then 子育て広報室承認) like any other page. What could tell who the family is —
phone numbers, e-mail addresses, URLs, postal codes, street addresses, and the names of people and
places SudachiPy recognises — is *replaced* by a visible 〔要確認（種類）〕 marker, so the page, its
revisions and the search index never hold what was found; the counsellor still reads the original
in the case (behind the second factor). A page with markers cannot be submitted or published
(``consult.pages``): the editor rewrites each marked sentence. The detection helps; it does not
replace the counsellors' own reading.
"""

import html
import re
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Locale

from home.municipality import section_page

from .models import AccessLog, Message
from .pages import MARKER_START, QAIndexPage, QAPage
from .services import ConsultError, _log, is_counsellor

INDEX_SLUG = "qa"

KINDS = {
    "email": gettext_lazy("メールアドレス"),
    "url": gettext_lazy("URL"),
    "phone": gettext_lazy("電話番号"),
    "postal": gettext_lazy("郵便番号"),
    "address": gettext_lazy("住所"),
    "known": gettext_lazy("相談者の情報"),
    "person": gettext_lazy("人名"),
    "place": gettext_lazy("地名"),
}
# When two findings overlap, the earlier kind here wins (an e-mail address holds a domain name
# Sudachi might call a place; a phone number looks like a street number).
PRIORITY = tuple(KINDS)

_D = "[0-9０-９]"
_DASH = "[-－‐‑–—―−ーｰ]"
_NUM = "[0-9０-９一二三四五六七八九十〇]+"
# Characters a place name before a street number may have: kanji, katakana and hiragana other
# than the particles that end the words before it (「住所は」「近くの」).
_PLACE_CHARS = (
    "[\u4e00-\u9fff々〆ヶヵ\u30a1-\u30faー"
    + "".join(chr(c) for c in range(0x3041, 0x3097) if chr(c) not in "はがをにでともへやかの")
    + "]"
)

PATTERNS = {
    "email": re.compile(
        r"[A-Za-z0-9Ａ-Ｚａ-ｚ０-９._%+\-]+[@＠][A-Za-z0-9Ａ-Ｚａ-ｚ０-９\-]+(?:[.．][A-Za-zＡ-Ｚａ-ｚ]{2,})+"
    ),
    "url": re.compile(
        r"(?:(?:https?|ｈｔｔｐｓ?)[:：][/／]{2}|www[.．])[^\s\u3000<>「」『』、。，（）()〔〕]+"
    ),
    "phone": re.compile(
        rf"(?<![0-9０-９])(?:[+＋](?:81|８１){_DASH}?|0|０)"
        rf"(?:{_D}{{1,4}}(?:{_DASH}|\s)?{_D}{{1,4}}(?:{_DASH}|\s)?{_D}{{3,4}}"
        rf"|{_D}{{1,4}}[(（]{_D}{{1,4}}[)）]{_D}{{3,4}})(?![0-9０-９])"
        rf"|[(（](?:0|０){_D}{{1,4}}[)）]\s?{_D}{{1,4}}{_DASH}?{_D}{{4}}(?![0-9０-９])"
    ),
    "postal": re.compile(
        rf"(?:〒\s*{_D}{{3}}{_DASH}?{_D}{{4}}|(?<![0-9０-９]){_D}{{3}}{_DASH}{_D}{{4}})(?![0-9０-９])"
    ),
    "address": re.compile(
        rf"{_PLACE_CHARS}{{0,10}}(?:"
        rf"{_NUM}丁目(?:{_NUM}(?:番地|番|{_DASH}))?(?:{_NUM}号?)?(?:{_DASH}{_D}+)?"
        rf"|{_NUM}番地(?:{_NUM}号?)?"
        rf"|{_NUM}番{_NUM}号"
        rf")"
        rf"|{_PLACE_CHARS}{{1,10}}{_D}{{1,4}}{_DASH}{_D}{{1,4}}{_DASH}{_D}{{1,4}}(?![0-9０-９])"
    ),
}


@dataclass(frozen=True)
class Flag:
    """One piece of text that may identify the family, as found in the case."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def label(self):
        return str(KINDS[self.kind])


class Draft(NamedTuple):
    page: QAPage
    flagged: list


def _phone_digits_ok(text):
    digits = "".join(ch for ch in text if ch.isdigit())
    digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.lstrip("(（").startswith(("+", "＋")):
        return 11 <= len(digits) <= 12
    return 10 <= len(digits) <= 11


def _pattern_flags(text):
    for kind, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if kind == "phone" and not _phone_digits_ok(match.group()):
                continue
            yield Flag(kind, match.group(), match.start(), match.end())


def _name_flags(text):
    """People's and places' names (固有名詞 人名・地名), next words of one kind run together."""
    from search.analysis import _tokenizer  # the one loaded Sudachi dictionary of the process

    current = None
    for morpheme in _tokenizer().tokenize(text):
        pos = morpheme.part_of_speech()
        kind = {"人名": "person", "地名": "place"}.get(pos[2]) if pos[1] == "固有名詞" else None
        if kind and current and current[0] == kind and current[2] == morpheme.begin():
            current[2] = morpheme.end()
            continue
        if current:
            yield Flag(current[0], text[current[1] : current[2]], current[1], current[2])
            current = None
        if kind:
            current = [kind, morpheme.begin(), morpheme.end()]
    if current:
        yield Flag(current[0], text[current[1] : current[2]], current[1], current[2])


def _known_flags(text, known):
    for value in known:
        value = (value or "").strip()
        if len(value) < 2:
            continue
        for match in re.finditer(re.escape(value), text):
            yield Flag("known", value, match.start(), match.end())


def find_personal_data(text, known=()):
    """The likely personal data in ``text``, in order, without overlaps.

    ``known`` are strings that belong to this family (the nickname and address it gave).
    """
    if not text:
        return []
    found = [*_pattern_flags(text), *_known_flags(text, known), *_name_flags(text)]
    found.sort(key=lambda flag: (PRIORITY.index(flag.kind), flag.start, -(flag.end - flag.start)))
    kept = []
    for flag in found:
        if flag.text.strip() and all(flag.end <= other.start or flag.start >= other.end for other in kept):
            kept.append(flag)
    kept.sort(key=lambda flag: flag.start)
    return _join_places(text, kept)


def _join_places(text, flags):
    """A place name right before a street address is part of the address (東京都 + 三鷹市…)."""
    joined = []
    for flag in flags:
        previous = joined[-1] if joined else None
        if previous and previous.end == flag.start and {previous.kind, flag.kind} <= {"place", "address"}:
            joined[-1] = Flag("address", text[previous.start : flag.end], previous.start, flag.end)
        else:
            joined.append(flag)
    return joined


def mark(text, flags):
    """``text`` with each flag replaced by a 〔要確認（種類）〕 marker (the value itself is dropped)."""
    parts, position = [], 0
    for flag in flags:
        parts.append(text[position : flag.start])
        parts.append(f"{MARKER_START}（{flag.label}）〕")
        position = flag.end
    parts.append(text[position:])
    return "".join(parts)


def to_rich_text(text):
    """Plain text as Wagtail rich text: a paragraph per blank-line block, line breaks kept."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if block.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>" for block in blocks
    )


def anonymised(text, known=()):
    """(rich text with markers, flags) of one plain text."""
    flags = find_personal_data(text, known)
    return to_rich_text(mark(text, flags)), flags


def qa_index(site):
    """The town's 相談Q&A一覧 under its ねっと相談 section, made (and published) if missing."""
    section = section_page(site, "consult")
    if section is None:
        raise ConsultError(_("この自治体には「ねっと相談」のセクションがありません。"))
    index = QAIndexPage.objects.child_of(section).first()
    if index is None:
        index = QAIndexPage(
            title=_("相談Q&A"),
            slug=INDEX_SLUG,
            lead=_(
                "ねっと相談に寄せられた相談と相談員の回答を、相談者の同意を得て、"
                "個人が特定されない形に直して紹介しています。"
            ),
            show_in_menus=True,
            locale=section.locale or Locale.get_default(),
        )
        section.add_child(instance=index)
        index.save_revision().publish()
    return index


def _free_slug(index):
    taken = set(index.get_children().values_list("slug", flat=True))
    while True:
        slug = f"qa-{secrets.token_hex(4)}"
        if slug not in taken:
            return slug


def neutral_title(case):
    return _("%(category)sについての相談") % {"category": case.get_category_display()}


def _lead(case):
    if case.child_age in ("unsaid", "pregnancy"):
        return _("%(category)sについての相談と、相談員の回答です。") % {
            "category": case.get_category_display()
        }
    return _("%(age)sのお子さんの%(category)sについての相談と、相談員の回答です。") % {
        "age": case.get_child_age_display(),
        "category": case.get_category_display(),
    }


@transaction.atomic
def create_draft(case, user):
    """Turn ``case`` into a Q&A draft page; return ``Draft(page, flagged)``.

    Only a counsellor of the case's town may, and only if the parent agreed on the form. The page
    is not live: it has one revision, owned by ``user``, and goes through the workflow.
    """
    if not is_counsellor(user, case.site):
        raise ConsultError(_("Q&Aの下書きは、この自治体の相談員だけが作れます。"))
    if not case.faq_consent:
        raise ConsultError(
            _("相談者がQ&Aへの掲載に同意していないため、この相談からQ&Aの下書きは作れません。")
        )
    messages = list(case.messages.all())
    question = next((m.body for m in messages if m.author_kind == Message.Author.PARENT), "")
    replies = [m.body for m in messages if m.author_kind == Message.Author.COUNSELLOR]
    if not question.strip() or not replies:
        raise ConsultError(
            _("まだ回答していない相談からはQ&Aの下書きを作れません。先に回答を送ってください。")
        )

    known = (case.nickname, case.email)
    question_html, question_flags = anonymised(question, known)
    answer_html, answer_flags = anonymised("\n\n".join(replies), known)

    index = qa_index(case.site)
    page = QAPage(
        title=neutral_title(case),
        slug=_free_slug(index),
        lead=_lead(case),
        category=case.category,
        child_age=case.child_age,
        question=question_html,
        answer=answer_html,
        live=False,
        owner=user,
        locale=index.locale,
    )
    index.add_child(instance=page)
    page.save_revision(user=user, log_action=True)

    flagged = [*question_flags, *answer_flags]
    _log(
        case,
        user,
        AccessLog.Action.FAQ,
        _("ページID %(page)s（要確認 %(count)d件）") % {"page": page.pk, "count": len(flagged)},
    )
    return Draft(page, flagged)
