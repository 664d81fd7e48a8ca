"""Make portal pages in tests: each helper creates, publishes and returns a page.

``town`` is a ``home.municipality.Municipality`` (the ``town_a`` / ``town_b`` fixtures).
"""

import datetime
import itertools

from django.utils import timezone

from home.models import LifeStage
from portal_pages.models import ArticlePage, EventPage, FacilityPage, NoticePage, ServicePage

_counter = itertools.count(1)


def _publish(parent, page, stages=(), tags=()):
    if not page.slug:
        page.slug = f"p{next(_counter)}"
    parent.add_child(instance=page)
    if stages:
        page.life_stages.set(LifeStage.objects.filter(slug__in=stages))
    if tags:
        page.tags.add(*tags)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def notice(town, title="保育園入園申し込みのお知らせ", stages=(), **fields):
    fields.setdefault("lead", "令和9年度の入園申し込みを受け付けます。")
    fields.setdefault("department", "子育て支援課")
    return _publish(town.index("municipal", "NoticeIndexPage"), NoticePage(title=title, **fields), stages)


def service(town, title="児童手当", stages=(), **fields):
    fields.setdefault("lead", "中学生までの子どもを育てている方に支給します。")
    fields.setdefault("eligibility", "<p>市内に住み、高校生年代までの子を養育している方</p>")
    fields.setdefault("amount", "<p>月額1万円〜1万5千円</p>")
    return _publish(town.index("municipal", "ServiceIndexPage"), ServicePage(title=title, **fields), stages)


def event(town, title="親子リトミック", stages=(), days_ahead=7, section="regional", **fields):
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=days_ahead)
    fields.setdefault("start", start)
    fields.setdefault("end", fields["start"] + datetime.timedelta(hours=1, minutes=30))
    fields.setdefault("venue_text", "ひなた市民センター 2階 和室")
    return _publish(town.index(section, "EventIndexPage"), EventPage(title=title, **fields), stages)


def facility(town, title="中央子育てひろば", stages=(), **fields):
    fields.setdefault("kind", "hiroba")
    fields.setdefault("address", "東京都ひなた市中央二丁目3番4号")
    return _publish(town.index("regional", "FacilityIndexPage"), FacilityPage(title=title, **fields), stages)


def article(town, title="雨の日の児童館めぐり", stages=(), tags=(), **fields):
    fields.setdefault("lead", "雨の日でも親子で過ごせる児童館を、市民記者が訪ねました。")
    return _publish(
        town.index("regional", "ArticleIndexPage"), ArticlePage(title=title, **fields), stages, tags
    )
