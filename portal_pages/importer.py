"""Moving a town's old site in: JSON Lines, one page a line, become published portal pages.

The whole file is checked before anything is written and then written in one transaction, so a
town gets every page of the file or none (DESIGN.md: imports validate before they write; a
failed step leaves the database as it was). A line is matched to an existing page by its slug
under the same index page, so running the same export again updates pages instead of
duplicating them. A line sets only the keys it has: on an update, fields the export does not
carry keep what staff wrote there since.
"""

import datetime
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug, validate_unicode_slug
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.rich_text import RichText
from wagtail.signal_handlers import disable_reference_index_auto_update

from home.fields import clean_rich_text
from home.models import LifeStage
from home.municipality import section_page
from home.roles import SECTIONS

from .choices import AMENITY_KEYS, Category, FacilityKind
from .models import (
    ArticleIndexPage,
    ArticlePage,
    EventIndexPage,
    EventPage,
    FacilityIndexPage,
    FacilityPage,
    NoticeIndexPage,
    NoticePage,
    ServiceIndexPage,
    ServicePage,
)

TOKYO = ZoneInfo("Asia/Tokyo")
PROGRESS_EVERY = 100
MAX_COUNT = 2147483647

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Invalid(Exception):
    """A value of one key cannot be used; ``message`` has a ``%(field)s`` for the key's name."""

    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params

    def render(self, name):
        return self.message % {"field": name, **self.params}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, with the line it is on (None when it is about the whole file)."""

    line: int | None
    message: str

    def __str__(self):
        if self.line is None:
            return self.message
        return _("%(line)d行目: %(message)s") % {"line": self.line, "message": self.message}


class ContentImportError(Exception):
    """The file cannot be imported as it is; nothing was written. ``problems`` says why, line by line."""

    def __init__(self, problems):
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def _missing():
    return Invalid(_('"%(field)s" がありません。'))


def _empty():
    return Invalid(_('"%(field)s" が空です。'))


class Spec(ABC):
    """How one key of a line is read: its JSON type, its limits, and the Python value it becomes.

    ``required``: the key must be there and not empty. ``present``: the key must be there but may
    be empty (the body). ``nullable``: JSON null means "empty" (``empty``) rather than an error.
    """

    empty = None

    def __init__(self, *, required=False, present=False, nullable=True):
        self.required = required
        self.present = present or required
        self.nullable = nullable and not required

    def read(self, value):
        if value is None:
            if self.required:
                raise _empty()
            if not self.nullable:
                raise self.wrong_type()
            return self.empty
        return self.parse(value)

    @abstractmethod
    def wrong_type(self):
        """The Invalid for a value of the wrong JSON type."""

    @abstractmethod
    def parse(self, value):
        """The Python value of a JSON value that is not null; raises Invalid."""


class Text(Spec):
    """A plain string; surrounding spaces are dropped."""

    empty = ""

    def __init__(self, max_length=None, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def wrong_type(self):
        return Invalid(_('"%(field)s" は文字列（"…"）で書いてください。'))

    def parse(self, value):
        if not isinstance(value, str):
            raise self.wrong_type()
        value = value.strip()
        if self.required and not value:
            raise _empty()
        if self.max_length is not None and len(value) > self.max_length:
            raise Invalid(
                _('"%(field)s" は%(limit)d文字以内にしてください（%(length)d文字あります）。'),
                limit=self.max_length,
                length=len(value),
            )
        return value


_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")


def to_rich_text(text):
    """Sanitised rich text from HTML, or paragraphs from plain text (a blank line between them)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    if not _HTML_TAG.search(text):
        paragraphs = [part.strip() for part in _BLANK_LINE.split(text) if part.strip()]
        text = "".join(
            "<p>{}</p>".format("<br>".join(escape(line.strip()) for line in part.split("\n")))
            for part in paragraphs
        )
    return clean_rich_text(text).strip()


class Rich(Text):
    """HTML or plain text that becomes sanitised rich text."""

    def parse(self, value):
        return to_rich_text(super().parse(value))


class Flag(Spec):
    def __init__(self, **kwargs):
        super().__init__(nullable=False, **kwargs)

    def wrong_type(self):
        return Invalid(_('"%(field)s" は true か false で書いてください。'))

    def parse(self, value):
        if not isinstance(value, bool):
            raise self.wrong_type()
        return value


class Count(Spec):
    def wrong_type(self):
        return Invalid(_('"%(field)s" は0以上の整数で書いてください。'))

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise self.wrong_type()
        return value


class Coordinate(Spec):
    """A latitude or longitude in degrees, as a JSON number or a numeric string."""

    places = Decimal("0.000001")

    def __init__(self, limit, **kwargs):
        super().__init__(**kwargs)
        self.limit = limit

    def wrong_type(self):
        return Invalid(_('"%(field)s" は数値で書いてください（例：35.683）。'))

    def parse(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.wrong_type()
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.wrong_type() from None
        if not number.is_finite():
            raise self.wrong_type()
        if not -self.limit <= number <= self.limit:
            raise Invalid(
                _(
                    '"%(field)s" は -%(limit)d 〜 %(limit)d の範囲で書いてください（%(value)s になっています）。'
                ),
                limit=self.limit,
                value=value,
            )
        return number.quantize(self.places)


_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Moment(Spec):
    """An ISO 8601 date and time; without an offset it is Japan time."""

    def __init__(self, *, date_allowed=False, **kwargs):
        super().__init__(**kwargs)
        self.date_allowed = date_allowed

    def wrong_type(self):
        return Invalid(_('"%(field)s" の日時を読み取れません（例：2026-12-01T10:00）。'))

    def parse(self, value):
        if not isinstance(value, str):
            raise self.wrong_type()
        value = value.strip()
        if _DATE_ONLY.fullmatch(value) and not self.date_allowed:
            raise Invalid(_('"%(field)s" には時刻も書いてください（例：2026-12-01T10:00）。'))
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise self.wrong_type() from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=TOKYO)
        return moment


class Day(Spec):
    def wrong_type(self):
        return Invalid(_('"%(field)s" の日付を読み取れません（例：2026-04-15）。'))

    def parse(self, value):
        if not isinstance(value, str):
            raise self.wrong_type()
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise self.wrong_type() from None


class Choice(Spec):
    """One value of a fixed vocabulary (``portal_pages.choices``)."""

    def __init__(self, values, **kwargs):
        super().__init__(nullable=False, **kwargs)
        self.values = tuple(values)

    def wrong_type(self):
        return Invalid(
            _('"%(field)s" は次のどれかにしてください：%(allowed)s。'), allowed=", ".join(self.values)
        )

    def parse(self, value):
        if not isinstance(value, str):
            raise self.wrong_type()
        if value.strip() not in self.values:
            raise Invalid(
                _('"%(field)s" の「%(value)s」は使えません（使える値：%(allowed)s）。'),
                value=value,
                allowed=", ".join(self.values),
            )
        return value.strip()


class Words(Spec):
    """A list of short strings (life-stage slugs, tags), without repeats, in the file's order."""

    empty = ()

    def __init__(self, max_length, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def wrong_type(self):
        return Invalid(_('"%(field)s" は文字列のリスト（["…", "…"]）で書いてください。'))

    def parse(self, value):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.wrong_type()
        words = []
        for item in value:
            item = item.strip()
            if len(item) > self.max_length:
                raise Invalid(
                    _('"%(field)s" の「%(value)s」が長すぎます（%(limit)d文字まで）。'),
                    value=item,
                    limit=self.max_length,
                )
            if item and item not in words:
                words.append(item)
        return tuple(words)


class Slug(Text):
    def __init__(self, **kwargs):
        super().__init__(max_length=Page._meta.get_field("slug").max_length, nullable=False, **kwargs)

    def parse(self, value):
        value = super().parse(value)
        if not value:
            raise _empty()
        validate = (
            validate_unicode_slug if getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True) else validate_slug
        )
        try:
            validate(value)
        except ValidationError:
            raise Invalid(
                _(
                    '"%(field)s" の「%(value)s」は使えません（文字・数字・ハイフン・下線だけで書いてください）。'
                ),
                value=value,
            ) from None
        return value


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _common(model):
    return {
        "type": Text(required=True),
        "title": Text(_max_length(model, "title"), required=True),
        "body": Rich(present=True),
        "slug": Slug(),
        "lead": Text(_max_length(model, "lead")),
        "life_stages": Words(_max_length(LifeStage, "slug")),
        "published_at": Moment(date_allowed=True, nullable=False),
    }


def _texts(model, *names, **kwargs):
    return {name: Text(_max_length(model, name), **kwargs) for name in names}


@dataclass(frozen=True)
class PageType:
    """One ``"type"`` of the file: the page model, where it goes and the keys it accepts."""

    key: str
    model: type
    index_model: type
    sections: tuple
    fields: dict

    def cross_check(self, values):
        """Problems between keys of one line, as (key, Invalid) pairs."""
        if self.model is not EventPage:
            return []
        problems = []
        start, end, deadline = values.get("start"), values.get("end"), values.get("application_deadline")
        if start and end and end < start:
            problems.append(("end", Invalid(_('"%(field)s" は "start" より後の日時にしてください。'))))
        if deadline and end and deadline > end:
            problems.append(
                ("application_deadline", Invalid(_('"%(field)s" は "end" より前の日時にしてください。')))
            )
        return problems


def _page_types():
    rich_sections = {name: Rich() for name, _label in ServicePage.SECTIONS}
    return {
        "notice": PageType(
            "notice",
            NoticePage,
            NoticeIndexPage,
            ("municipal",),
            {
                **_common(NoticePage),
                **_texts(NoticePage, "department"),
                "category": Choice(Category.values),
            },
        ),
        "service": PageType(
            "service",
            ServicePage,
            ServiceIndexPage,
            ("municipal",),
            {**_common(ServicePage), "category": Choice(Category.values), **rich_sections},
        ),
        "event": PageType(
            "event",
            EventPage,
            EventIndexPage,
            ("municipal", "regional"),
            {
                **_common(EventPage),
                "section": Choice(("municipal", "regional")),
                "start": Moment(required=True),
                "end": Moment(required=True),
                **_texts(EventPage, "venue_text", "fee"),
                "capacity": Count(),
                "how_to_apply": Text(),
                "application_deadline": Moment(),
            },
        ),
        "facility": PageType(
            "facility",
            FacilityPage,
            FacilityIndexPage,
            ("regional",),
            {
                **_common(FacilityPage),
                "kind": Choice(FacilityKind.values, required=True),
                "address": Text(_max_length(FacilityPage, "address"), required=True),
                **_texts(FacilityPage, "postal_code", "phone", "opening_hours", "closed_days"),
                "latitude": Coordinate(90),
                "longitude": Coordinate(180),
                **{key: Flag() for key in AMENITY_KEYS},
            },
        ),
        "article": PageType(
            "article",
            ArticlePage,
            ArticleIndexPage,
            ("regional",),
            {
                **_common(ArticlePage),
                "interview_date": Day(),
                **_texts(ArticlePage, "workshop"),
                "tags": Words(100),
            },
        ),
    }


PAGE_TYPES = _page_types()


@dataclass
class Entry:
    """One valid line: the page it describes, then (once planned) where it goes and what changes."""

    line: int
    page_type: PageType
    section: str
    title: str
    slug: str
    slug_from_title: bool
    values: dict
    published_at: datetime.datetime | None = None
    parent: Page | None = None
    page: Page | None = None
    action: str = ""


@dataclass(frozen=True)
class Outcome:
    line: int
    action: str
    type: str
    title: str
    slug: str


@dataclass
class ImportResult:
    dry_run: bool
    outcomes: list = field(default_factory=list)

    def count(self, action):
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def created(self):
        return self.count(CREATED)

    @property
    def updated(self):
        return self.count(UPDATED)

    @property
    def unchanged(self):
        return self.count(UNCHANGED)

    def summary(self):
        return _("作成 %(created)d件 / 更新 %(updated)d件 / 変更なし %(unchanged)d件") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


ACTION_LABELS = {
    CREATED: gettext_lazy("作成"),
    UPDATED: gettext_lazy("更新"),
    UNCHANGED: gettext_lazy("変更なし"),
}


def find_site(hostname=None):
    """The municipality's Site by hostname, or the default site; a Japanese error when there is none."""
    if hostname:
        site = Site.objects.filter(hostname=hostname.strip().lower()).order_by("port").first()
        if site is None:
            known = ", ".join(Site.objects.order_by("hostname").values_list("hostname", flat=True))
            raise ContentImportError(
                [
                    Problem(
                        None,
                        _("ホスト名「%(hostname)s」の自治体が見つかりません（登録済み：%(known)s）。")
                        % {"hostname": hostname, "known": known or _("なし")},
                    )
                ]
            )
        return site
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise ContentImportError(
            [Problem(None, _("既定のサイトがありません。--municipality でホスト名を指定してください。"))]
        )
    return site


def _numbered(lines):
    """(line number, text) of each line; text is None when the bytes are not UTF-8."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
        if number == 1:
            raw = raw.removeprefix("\ufeff")
        yield number, raw


def _read_line(number, text, known_stages):
    """An Entry for one line, or the problems that keep it out."""
    if text is None:
        return None, [Problem(number, _("UTF-8 の文字として読み取れません。"))]
    try:
        data = json.loads(text.strip())
    except json.JSONDecodeError as error:
        return None, [
            Problem(number, _("JSONとして読み取れません（%(column)d文字目付近）。") % {"column": error.colno})
        ]
    if not isinstance(data, dict):
        return None, [
            Problem(number, _('1行に1つのオブジェクト（{"type": …, "title": …}）を書いてください。'))
        ]
    choice = Choice(PAGE_TYPES)
    if "type" not in data:
        return None, [Problem(number, choice.wrong_type().render("type"))]
    try:
        page_type = PAGE_TYPES[choice.read(data["type"])]
    except Invalid as invalid:
        return None, [Problem(number, invalid.render("type"))]

    problems = []
    for key in data:
        if key not in page_type.fields:
            problems.append(
                Problem(
                    number,
                    _('"%(field)s" は %(type)s では使えない項目です。')
                    % {"field": key, "type": page_type.key},
                )
            )
    values = {}
    for name, spec in page_type.fields.items():
        if name not in data:
            if spec.present:
                problems.append(Problem(number, _missing().render(name)))
            continue
        try:
            values[name] = spec.read(data[name])
        except Invalid as invalid:
            problems.append(Problem(number, invalid.render(name)))
    for stage in values.get("life_stages", ()):
        if stage not in known_stages:
            problems.append(
                Problem(
                    number,
                    _('"life_stages" の「%(value)s」は知らないライフステージです（使える値：%(allowed)s）。')
                    % {"value": stage, "allowed": ", ".join(known_stages)},
                )
            )
    for name, invalid in page_type.cross_check(values):
        problems.append(Problem(number, invalid.render(name)))
    if problems:
        return None, problems

    values.pop("type")
    section = values.pop("section", None) or page_type.sections[0]
    slug = values.pop("slug", None)
    slug_from_title = slug is None
    if slug_from_title:
        allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
        slug = slugify(values["title"], allow_unicode=allow_unicode)[: _max_length(Page, "slug")].strip("-")
        if not slug:
            return None, [Problem(number, _('タイトルからスラッグを作れません。"slug" を書いてください。'))]
    entry = Entry(
        number, page_type, section, values["title"], slug, slug_from_title, values, values.get("published_at")
    )
    return entry, []


def _current(page, name):
    if name == "body":
        return [(block["type"], block["value"]) for block in page.body.raw_data]
    if name == "life_stages":
        return sorted(stage.slug for stage in page.life_stages.all())
    if name == "tags":
        return sorted(tag.name for tag in page.tags.all())
    if name == "published_at":
        return page.first_published_at
    return getattr(page, name)


def _wanted(name, value):
    if name == "body":
        return [("paragraph", value)] if value else []
    if name in ("life_stages", "tags"):
        return sorted(value)
    return value


def _changes(page, values):
    return {name: value for name, value in values.items() if _current(page, name) != _wanted(name, value)}


class _Planner:
    """Finds each entry's index page and existing page, and whether it is new, changed or the same."""

    def __init__(self, site):
        self.site = site
        self.indexes = {}
        self.slugs = {}

    def index(self, section_key, model):
        key = (section_key, model)
        if key not in self.indexes:
            section = section_page(self.site, section_key)
            self.indexes[key] = model.objects.child_of(section).first() if section is not None else None
        return self.indexes[key]

    def plan(self, entry):
        page_type = entry.page_type
        problems = []
        seen = self.slugs.setdefault((entry.section, page_type.index_model, entry.slug), entry.line)
        if seen != entry.line:
            if entry.slug_from_title:
                message = _(
                    'タイトルから作ったスラッグ「%(slug)s」が%(first)d行目と重なります。"slug" で別の値を書いてください。'
                )
            else:
                message = _('"slug" の「%(slug)s」が%(first)d行目と重なります。')
            problems.append(Problem(entry.line, message % {"slug": entry.slug, "first": seen}))
        entry.parent = self.index(entry.section, page_type.index_model)
        if entry.parent is None:
            section_title = next(section.title for section in SECTIONS if section.key == entry.section)
            problems.append(
                Problem(
                    entry.line,
                    _("%(section)s に「%(index)s」のページがないため取り込めません。")
                    % {"section": section_title, "index": page_type.index_model._meta.verbose_name},
                )
            )
        if problems:
            return problems
        existing = Page.objects.child_of(entry.parent).filter(slug=entry.slug).first()
        if existing is None:
            entry.action = CREATED
            return []
        if existing.specific_class is not page_type.model:
            return [
                Problem(
                    entry.line,
                    _("スラッグ「%(slug)s」は既に別の種類のページ「%(title)s」が使っています。")
                    % {"slug": entry.slug, "title": existing.title},
                )
            ]
        entry.page = existing.specific
        entry.values = _changes(entry.page, entry.values)
        entry.action = UPDATED if entry.values else UNCHANGED
        return []


_RELATIONS = ("body", "life_stages", "tags", "published_at")


def _write(entry):
    """Create or update the entry's page as a new published revision."""
    values = entry.values
    fields = {name: value for name, value in values.items() if name not in _RELATIONS}
    body = [(kind, RichText(html)) for kind, html in _wanted("body", values.get("body"))]
    if entry.action == CREATED:
        page = entry.page_type.model(slug=entry.slug, live=False, body=body, **fields)
        entry.parent.add_child(instance=page)
    else:
        page = entry.page
        for name, value in fields.items():
            setattr(page, name, value)
        if "body" in values:
            page.body = body
    if "life_stages" in values:
        page.life_stages.set(LifeStage.objects.filter(slug__in=values["life_stages"]))
    if "tags" in values:
        page.tags.set(list(values["tags"]))
    page.save_revision().publish()
    if entry.published_at is not None:
        # Publishing stamps "now"; the old site's date is the one readers should see.
        moment = entry.published_at
        Page.objects.filter(pk=page.pk).update(first_published_at=moment, last_published_at=moment)
    return page


def _validation_problems(line, error):
    if hasattr(error, "error_dict"):
        return [
            Problem(line, f'"{name}" {message}')
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [Problem(line, message) for message in error.messages]


def import_content(lines, site=None, *, dry_run=False, progress=None):
    """Import JSON Lines (str or bytes lines) into ``site`` (default: the default site).

    Raises ``ContentImportError`` listing every problem of the file when any line is invalid;
    nothing is written then, nor ever in a ``dry_run``. ``progress(done, total)`` is called
    once the file is valid (``done`` = 0) and every ``PROGRESS_EVERY`` pages written.
    """
    site = site or find_site()
    known_stages = list(LifeStage.objects.order_by("sort_order").values_list("slug", flat=True))
    entries, problems, seen_any = [], [], False
    for number, text in _numbered(lines):
        if text is not None and not text.strip():
            continue
        seen_any = True
        entry, line_problems = _read_line(number, text, known_stages)
        problems.extend(line_problems)
        if entry is not None:
            entries.append(entry)
    if not seen_any:
        raise ContentImportError(
            [Problem(None, _("ファイルにページがありません（1行に1ページ分のJSONを書いてください）。"))]
        )
    planner = _Planner(site)
    for entry in entries:
        problems.extend(planner.plan(entry))
    if problems:
        raise ContentImportError(problems)

    total = len(entries)
    if progress:
        progress(0, total)
    result = ImportResult(
        dry_run=dry_run,
        outcomes=[
            Outcome(entry.line, entry.action, entry.page_type.key, entry.title, entry.slug)
            for entry in entries
        ],
    )
    if dry_run:
        return result
    # Each page is saved three times on its way to being published; its references are indexed
    # once, after the last save, which keeps large files quick.
    with transaction.atomic(), disable_reference_index_auto_update():
        for done, entry in enumerate(entries, start=1):
            if entry.action != UNCHANGED:
                try:
                    ReferenceIndex.create_or_update_for_object(_write(entry))
                except ValidationError as error:
                    raise ContentImportError(_validation_problems(entry.line, error)) from error
            if progress and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)
    return result
