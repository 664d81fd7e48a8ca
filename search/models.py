"""What editors keep for search (synonyms, promoted results) and what parents searched for."""

import re

from django.core.cache import cache
from django.db import models
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelsearch import index

from . import analysis

# A query that looks like it holds personal data is not stored: an e-mail address, or six or
# more digits in a row (a phone, member or card number), in full- or half-width, whatever a
# keyboard puts between them: hyphens, minus signs, the long-vowel mark ー, dashes, brackets.
PERSONAL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\d[\d\s()\-\u2010-\u2015\u2212\u30fc\uff70]{4,}\d")
MAX_STORED_QUERY = 50
SYNONYMS_VERSION_KEY = "search:synonyms:version"


def normalise_query(query):
    """How a query is compared and stored: folded (width, case) with single spaces."""
    return " ".join(analysis.fold(query).split())


class Synonym(models.Model):
    """A word parents type and the words the town's pages use for it.

    Rows without a municipality are the shared seed (common childcare terms) that every town
    uses; a town's editors add their own (local nicknames of facilities, new programme names).
    """

    class Kind(models.TextChoices):
        SYNONYM = "synonym", _("同義語")
        ABBREVIATION = "abbreviation", _("略語")
        COLLOQUIAL = "colloquial", _("日常語・言い換え")
        FORMER_NAME = "former_name", _("旧名称・新名称")
        ENGLISH = "english", _("英語")

    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("自治体"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("空欄は全自治体共通の語です。"),
    )
    term = models.CharField(_("検索される言葉"), max_length=100, help_text=_("例：ファミサポ"))
    expansions = models.TextField(
        _("ページで使われている言葉"),
        help_text=_("1行に1つ。例：ファミリー・サポート・センター"),
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.SYNONYM)
    two_way = models.BooleanField(
        _("双方向"),
        default=False,
        help_text=_("ページの言葉で検索したときにも、この言葉のページを探します。"),
    )

    class Meta:
        verbose_name = _("検索の同義語")
        verbose_name_plural = _("検索の同義語")
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["site", "term"], name="search_synonym_unique_term")]

    def __str__(self):
        return self.term

    def expansion_list(self):
        return [line.strip() for line in re.split(r"[\n、,]", self.expansions) if line.strip()]


def synonym_map(site):
    """{term: [expansions]} for a municipality: the shared seed plus its own, cached."""
    version = cache.get_or_set(SYNONYMS_VERSION_KEY, 1, None)
    key = f"search:synonyms:{version}:{site.pk if site else 0}"
    found = cache.get(key)
    if found is None:
        found = {}
        rows = Synonym.objects.filter(models.Q(site__isnull=True) | models.Q(site=site))
        for synonym in rows.order_by(F("site").asc(nulls_first=True)):
            expansions = synonym.expansion_list()
            for expansion in expansions:
                _add(found, synonym.term, expansion)
            if synonym.two_way:
                for expansion in expansions:
                    _add(found, expansion, synonym.term)
        cache.set(key, found, 60 * 60)
    return found


def _add(found, term, expansion):
    key = analysis.clean(analysis.fold(term))
    if key and expansion not in found.setdefault(key, []):
        found[key].append(expansion)


@receiver([post_save, post_delete], sender=Synonym)
def _synonyms_changed(**kwargs):
    try:
        cache.incr(SYNONYMS_VERSION_KEY)
    except ValueError:
        cache.set(SYNONYMS_VERSION_KEY, 2, None)


class Promotion(models.Model):
    """A page shown first for a query, chosen by the town's editors (e.g. 給付金 → the new page)."""

    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("自治体"), on_delete=models.CASCADE, related_name="+"
    )
    query = models.CharField(_("検索語"), max_length=100)
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("ページ"), on_delete=models.CASCADE, related_name="+"
    )
    description = models.CharField(_("説明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("おすすめの検索結果")
        verbose_name_plural = _("おすすめの検索結果")
        ordering = ["query", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["site", "query", "page"], name="search_promotion_unique_page")
        ]

    def __str__(self):
        return f"{self.query} → {self.page}"

    def save(self, *args, **kwargs):
        self.query = normalise_query(self.query)
        super().save(*args, **kwargs)


@receiver([post_save, post_delete], sender=Promotion)
def _promotions_changed(instance, **kwargs):
    """The search keeps the town's promoted queries per generation (search.service)."""
    from home.page_cache import invalidate_site

    invalidate_site(instance.site_id)


class QueryStat(models.Model):
    """How often a query was searched in a municipality on a day, and how often it found nothing.

    Only the query text, the day and two counters: no user, session, address or time of day.
    """

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=MAX_STORED_QUERY)
    date = models.DateField()
    searches = models.PositiveIntegerField(default=0)
    no_results = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("検索語の集計")
        verbose_name_plural = _("検索語の集計")
        constraints = [
            models.UniqueConstraint(fields=["site", "query", "date"], name="search_querystat_unique_day")
        ]
        indexes = [models.Index(fields=["site", "date"])]

    def __str__(self):
        return self.query

    @classmethod
    def record(cls, site, query, found):
        """Count one search; a query that may hold personal data is not stored at all."""
        query = normalise_query(query)
        if site is None or not query or PERSONAL.search(query):
            return
        query = query[:MAX_STORED_QUERY]
        today = timezone.localdate()
        updated = cls.objects.filter(site=site, query=query, date=today).update(
            searches=F("searches") + 1, no_results=F("no_results") + (0 if found else 1)
        )
        if not updated:
            cls.objects.get_or_create(
                site=site, query=query, date=today, defaults={"searches": 1, "no_results": 0 if found else 1}
            )


class BoardThread(index.Indexed, models.Model):
    """The searchable text of one public board thread, kept by :mod:`search.community_index`.

    A row exists only while the thread is public (its board is not private and its opening post
    is published); its ``body`` holds the bodies of the thread's published posts only, and
    ``posts`` which posts those are, so that a post no longer published keeps the thread out of
    the results even before the row is refreshed. Indexed in modelsearch's database index with
    the same Japanese analysis as pages (:mod:`search.backends`); the site search merges it into
    the ranked results by score.
    """

    thread = models.OneToOneField(
        "community.Thread", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey("community.Board", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=80)
    body = models.TextField(blank=True)
    posts = models.ManyToManyField("community.Post", related_name="+", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Written by search.community_index (after commit), not by modelsearch's save signals.
    search_auto_update = False
    search_fields = [
        index.SearchField("title"),
        index.SearchField("body"),
        index.AutocompleteField("title"),
    ]

    class Meta:
        verbose_name = _("掲示板")
        verbose_name_plural = _("掲示板")

    def __str__(self):
        return self.title


class IndexTerm(models.Model):
    """A term of the search index: how many entries hold it, and its champion list if it is common.

    Kept by :mod:`search.champions` as the index is written; ``floor`` is ``None`` for a term
    without a list (on few entries), else the least impact an entry needs to be on it.
    """

    term = models.CharField(max_length=100, unique=True)
    documents = models.IntegerField(default=0)
    floor = models.FloatField(null=True)
    listed = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("検索索引の語")
        verbose_name_plural = _("検索索引の語")

    def __str__(self):
        return self.term


class Champion(models.Model):
    """An index entry on a common term's champion list, with the term's weight in it."""

    term = models.ForeignKey(IndexTerm, on_delete=models.CASCADE, related_name="+", db_index=False)
    entry_id = models.BigIntegerField()
    impact = models.FloatField()

    class Meta:
        verbose_name = _("検索索引の上位ページ")
        verbose_name_plural = _("検索索引の上位ページ")
        indexes = [
            models.Index(fields=["term", "-impact"], name="search_champion_term_impact"),
            models.Index(fields=["entry_id"], name="search_champion_entry"),
        ]

    def __str__(self):
        return f"{self.term_id}: {self.entry_id}"
