"""The editors' side of the search: synonyms, promoted results and the 「検索キーワード」 report."""

import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission

from home.models import StandardPage
from home.municipality import create_municipality
from search.models import Promotion, QueryStat, Synonym

pytestmark = pytest.mark.django_db

EDITOR_ROLES = ["site_admin", "municipal_staff", "npo_editor"]
SYNONYMS = "search_synonyms"
PROMOTIONS = "search_promotions"


def url(name, *args):
    return reverse(name, args=args)


def publish(parent, title):
    page = StandardPage(title=title)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def synonym_data(**fields):
    return {"term": "ほいくママ", "expansions": "家庭的保育", "kind": "colloquial", **fields}


def html(response):
    return response.content.decode()


@pytest.fixture
def seed():
    """A row of the shared seed (site empty), as the data migration loads them."""
    return Synonym.objects.get(site__isnull=True, term="ファミサポ")


@pytest.fixture
def editor_a(town_a, make_member):
    return make_member(town_a, "municipal_staff")


# Synonyms: who sees and edits what ----------------------------------------------------------


@pytest.mark.parametrize("role", EDITOR_ROLES)
def test_editor_lists_own_towns_synonyms_and_the_shared_seed_but_not_another_towns(
    client, town_a, town_b, make_member, seed, role
):
    Synonym.objects.create(site=town_a.site, term="みたかの森", expansions="三鷹の森ひろば")
    Synonym.objects.create(site=town_b.site, term="たちかわ広場", expansions="立川子育てひろば")
    client.force_login(make_member(town_a, role))

    response = client.get(url(f"{SYNONYMS}:index"), {"q": "み"})
    assert response.status_code == 200
    assert "みたかの森" in html(response)

    def listed(query):
        response = client.get(url(f"{SYNONYMS}:index"), {"q": query})
        return {row.term for row in response.context["object_list"]}

    # The shared seed has hundreds of rows: each is looked for by the list's own search.
    assert "みたかの森" in listed("みたかの森")
    assert "ファミサポ" in listed("ファミサポ")
    assert "たちかわ広場" not in listed("たちかわ広場")


def test_shared_seed_rows_link_to_a_read_only_view_for_editors(client, editor_a, seed):
    client.force_login(editor_a)
    page = html(client.get(url(f"{SYNONYMS}:index"), {"town": "shared", "q": "ファミサポ"}))
    assert url(f"{SYNONYMS}:inspect", seed.pk) in page
    assert url(f"{SYNONYMS}:edit", seed.pk) not in page
    assert url(f"{SYNONYMS}:delete", seed.pk) not in page

    inspect = client.get(url(f"{SYNONYMS}:inspect", seed.pk))
    assert inspect.status_code == 200
    assert "ファミリー・サポート・センター" in html(inspect)


@pytest.mark.parametrize("role", EDITOR_ROLES)
def test_editor_cannot_edit_or_delete_a_shared_seed_row(client, town_a, make_member, seed, role):
    client.force_login(make_member(town_a, role))

    edit = client.get(url(f"{SYNONYMS}:edit", seed.pk))
    assert edit.status_code == 403
    assert "全自治体共通の同義語を変更できるのは、運営者だけです" in html(edit)

    post = client.post(
        url(f"{SYNONYMS}:edit", seed.pk), synonym_data(term="ファミサポ", expansions="書き換え")
    )
    assert post.status_code == 403
    assert client.post(url(f"{SYNONYMS}:delete", seed.pk)).status_code == 403
    seed.refresh_from_db()
    assert "ファミリー・サポート・センター" in seed.expansions


def test_superuser_edits_and_deletes_shared_seed_rows(client, town_a, superuser, seed):
    client.force_login(superuser)
    response = client.post(
        url(f"{SYNONYMS}:edit", seed.pk),
        {
            "site": "",
            "term": "ファミサポ",
            "expansions": "ファミリー・サポート・センター\n子育て援助活動支援事業",
            "kind": "abbreviation",
        },
    )
    assert response.status_code == 302
    seed.refresh_from_db()
    assert seed.site is None
    assert seed.expansion_list() == ["ファミリー・サポート・センター", "子育て援助活動支援事業"]

    assert client.post(url(f"{SYNONYMS}:delete", seed.pk)).status_code == 302
    assert not Synonym.objects.filter(pk=seed.pk).exists()


def test_editor_cannot_open_edit_or_delete_another_towns_synonym(client, town_a, town_b, editor_a):
    other = Synonym.objects.create(site=town_b.site, term="たちかわ広場", expansions="立川子育てひろば")
    client.force_login(editor_a)

    assert client.get(url(f"{SYNONYMS}:edit", other.pk)).status_code == 404
    assert client.get(url(f"{SYNONYMS}:inspect", other.pk)).status_code == 404
    assert client.get(url(f"{SYNONYMS}:history", other.pk)).status_code == 404
    assert client.post(url(f"{SYNONYMS}:edit", other.pk), synonym_data(term="乗っ取り")).status_code == 404
    assert client.post(url(f"{SYNONYMS}:delete", other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.term == "たちかわ広場"


def test_editor_adds_a_synonym_to_own_town_without_choosing_it(client, town_a, town_b, editor_a):
    client.force_login(editor_a)
    form = client.get(url(f"{SYNONYMS}:add")).context["form"]
    assert "site" not in form.fields

    # A municipality sent anyway (a tampered form) is ignored: the row is the editor's town's.
    response = client.post(url(f"{SYNONYMS}:add"), synonym_data(site=town_b.site.pk))
    assert response.status_code == 302
    synonym = Synonym.objects.get(term="ほいくママ")
    assert synonym.site == town_a.site
    assert synonym.expansion_list() == ["家庭的保育"]


def test_editor_edits_and_deletes_own_towns_synonym(client, town_a, editor_a):
    own = Synonym.objects.create(site=town_a.site, term="みたかの森", expansions="三鷹の森ひろば")
    client.force_login(editor_a)

    response = client.post(
        url(f"{SYNONYMS}:edit", own.pk), synonym_data(term="みたかの森", expansions="森のひろば")
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.expansions == "森のひろば"

    assert client.post(url(f"{SYNONYMS}:delete", own.pk)).status_code == 302
    assert not Synonym.objects.filter(pk=own.pk).exists()


def test_editor_of_two_towns_chooses_among_those_towns_only(client, town_a, town_b, make_member):
    town_c = create_municipality("武蔵野市", "musashino.example.jp")
    editor = make_member(town_a, "npo_editor")
    editor.groups.add(town_b.group("site_admin"))
    client.force_login(editor)

    field = client.get(url(f"{SYNONYMS}:add")).context["form"].fields["site"]
    assert {site.pk for site in field.queryset} == {town_a.site.pk, town_b.site.pk}
    assert [label for _value, label in field.choices] == ["三鷹市", "立川市"]

    refused = client.post(url(f"{SYNONYMS}:add"), synonym_data(site=town_c.site.pk))
    assert refused.status_code == 200
    assert refused.context["form"].errors["site"]
    missing = client.post(url(f"{SYNONYMS}:add"), synonym_data())
    assert missing.context["form"].errors["site"] == ["自治体を選んでください。"]

    assert client.post(url(f"{SYNONYMS}:add"), synonym_data(site=town_b.site.pk)).status_code == 302
    assert Synonym.objects.get(term="ほいくママ").site == town_b.site


def test_superuser_may_add_a_shared_synonym(client, town_a, superuser):
    client.force_login(superuser)
    response = client.post(url(f"{SYNONYMS}:add"), synonym_data(site=""))
    assert response.status_code == 302
    assert Synonym.objects.get(term="ほいくママ").site is None


# Synonyms: validation ------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["", "   ", "\u3000\u3000"])
def test_term_of_only_spaces_is_refused_in_japanese(client, editor_a, term):
    client.force_login(editor_a)
    response = client.post(url(f"{SYNONYMS}:add"), synonym_data(term=term))
    assert response.status_code == 200
    assert response.context["form"].errors["term"] == ["検索される言葉を入力してください。"]
    assert "検索される言葉を入力してください。" in html(response)
    assert not Synonym.objects.filter(site__isnull=False).exists()


@pytest.mark.parametrize("expansions", ["", "\n \n\u3000", "、,"])
def test_synonym_needs_at_least_one_expansion(client, editor_a, expansions):
    client.force_login(editor_a)
    response = client.post(url(f"{SYNONYMS}:add"), synonym_data(expansions=expansions))
    assert response.context["form"].errors["expansions"] == [
        "ページで使われている言葉を、1行に1つ入力してください。"
    ]
    assert not Synonym.objects.filter(term="ほいくママ").exists()


def test_expansions_are_kept_one_per_line_without_blanks_or_repeats(client, town_a, editor_a):
    client.force_login(editor_a)
    client.post(
        url(f"{SYNONYMS}:add"), synonym_data(expansions=" 家庭的保育 \r\n\r\n家庭的保育、保育ママ制度")
    )
    assert Synonym.objects.get(site=town_a.site).expansions == "家庭的保育\n保育ママ制度"


@pytest.mark.parametrize(
    ("existing", "duplicate"),
    [
        ("ほいくママ", "ほいくママ"),
        ("ほいくママ", " ほいくママ\u3000"),
        ("ホイクママ", "ﾎｲｸﾏﾏ"),
        ("DV相談", "ＤＶ相談"),
    ],
)
def test_duplicate_term_within_the_town_is_refused_in_japanese(client, town_a, editor_a, existing, duplicate):
    Synonym.objects.create(site=town_a.site, term=existing, expansions="x")
    client.force_login(editor_a)
    response = client.post(url(f"{SYNONYMS}:add"), synonym_data(term=duplicate))
    assert response.status_code == 200
    [message] = response.context["form"].errors["term"]
    assert message.endswith("は既に登録されています。登録済みの行を開いて、言葉を書き足してください。")
    assert message in html(response)
    assert Synonym.objects.filter(site=town_a.site).count() == 1


def test_same_term_may_exist_in_another_town_and_in_the_seed(client, town_a, town_b, editor_a, seed):
    Synonym.objects.create(site=town_b.site, term="ほいくママ", expansions="x")
    client.force_login(editor_a)
    assert client.post(url(f"{SYNONYMS}:add"), synonym_data()).status_code == 302
    assert (
        client.post(
            url(f"{SYNONYMS}:add"), synonym_data(term="ファミサポ", expansions="みたかファミサポ")
        ).status_code
        == 302
    )
    assert Synonym.objects.filter(site=town_a.site).count() == 2


def test_saving_a_row_again_is_not_a_duplicate_of_itself(client, town_a, editor_a):
    own = Synonym.objects.create(site=town_a.site, term="ほいくママ", expansions="x")
    client.force_login(editor_a)
    assert client.post(url(f"{SYNONYMS}:edit", own.pk), synonym_data()).status_code == 302


# Who reaches the search admin at all ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        f"{SYNONYMS}:index",
        f"{SYNONYMS}:add",
        f"{PROMOTIONS}:index",
        "search_report:index",
        "search_report:csv",
    ],
)
def test_anonymous_is_sent_to_sign_in(client, town_a, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_parent_member_without_admin_access_is_sent_to_sign_in(client, town_a, make_member):
    client.force_login(make_member(town_a, "member"))
    for name in (f"{SYNONYMS}:index", f"{PROMOTIONS}:add", "search_report:index"):
        response = client.get(url(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.parametrize("role", ["child_network", "moderator", "citizen_reporter", "fs_advisor"])
def test_admin_users_who_are_not_editors_are_refused_and_see_no_menu(client, town_a, make_member, role):
    Synonym.objects.create(site=town_a.site, term="みたかの森", expansions="x")
    client.force_login(make_member(town_a, role))

    for name in (f"{SYNONYMS}:index", f"{SYNONYMS}:add", f"{PROMOTIONS}:index", f"{PROMOTIONS}:add"):
        response = client.get(url(name))
        assert response.status_code == 403
        assert "同義語とおすすめの検索結果を編集できるのは" in html(response)
    report = client.get(url("search_report:index"))
    assert report.status_code == 403
    assert "その自治体のページを編集できる人だけです" in html(report)

    dashboard = html(client.get(reverse("wagtailadmin_home")))
    assert url(f"{SYNONYMS}:index") not in dashboard
    assert url("search_report:index") not in dashboard


def test_editor_sees_the_search_menu_and_the_report(client, editor_a):
    client.force_login(editor_a)
    dashboard = html(client.get(reverse("wagtailadmin_home")))
    assert url(f"{SYNONYMS}:index") in dashboard
    assert url(f"{PROMOTIONS}:index") in dashboard
    assert url("search_report:index") in dashboard
    assert '"search-terms"' in dashboard


# Promoted results ----------------------------------------------------------------------------


def test_editor_promotes_a_page_of_own_town(client, town_a, editor_a):
    page = publish(town_a.sections["municipal"], "出産・子育て応援給付金")
    client.force_login(editor_a)
    response = client.post(
        url(f"{PROMOTIONS}:add"),
        {"query": "  給付金　 申請 ", "page": page.pk, "description": "", "sort_order": 0},
    )
    assert response.status_code == 302
    promotion = Promotion.objects.get()
    assert (promotion.site, promotion.page_id, promotion.query) == (town_a.site, page.pk, "給付金 申請")


def test_promotion_of_another_towns_page_is_refused_in_japanese(client, town_a, town_b, editor_a):
    foreign = publish(town_b.sections["municipal"], "立川市の給付金")
    client.force_login(editor_a)
    response = client.post(url(f"{PROMOTIONS}:add"), {"query": "給付金", "page": foreign.pk, "sort_order": 0})
    assert response.status_code == 200
    [message] = response.context["form"].errors["page"]
    assert (
        message
        == "「立川市の給付金」は三鷹市のページではありません。三鷹市のサイトのページを選んでください。"
    )
    assert message in html(response)
    assert not Promotion.objects.exists()


def test_promotion_moved_to_another_towns_page_on_edit_is_refused(client, town_a, town_b, editor_a):
    own = publish(town_a.sections["municipal"], "給付金")
    promotion = Promotion.objects.create(site=town_a.site, query="給付金", page=own)
    foreign = publish(town_b.sections["regional"], "立川の広場")
    client.force_login(editor_a)
    response = client.post(
        url(f"{PROMOTIONS}:edit", promotion.pk), {"query": "給付金", "page": foreign.pk, "sort_order": 0}
    )
    assert "三鷹市のページではありません" in response.context["form"].errors["page"][0]
    promotion.refresh_from_db()
    assert promotion.page_id == own.pk


def test_same_page_twice_for_one_query_is_refused(client, town_a, editor_a):
    page = publish(town_a.sections["municipal"], "給付金")
    Promotion.objects.create(site=town_a.site, query="給付金", page=page)
    client.force_login(editor_a)
    response = client.post(url(f"{PROMOTIONS}:add"), {"query": "給付金", "page": page.pk, "sort_order": 1})
    assert response.context["form"].errors["page"] == [
        "検索語「給付金」には、このページが既に登録されています。"
    ]
    assert response.context["form"].errors.get("query") is None
    assert Promotion.objects.count() == 1


def test_promotion_needs_a_query_and_a_page(client, editor_a):
    client.force_login(editor_a)
    errors = (
        client.post(url(f"{PROMOTIONS}:add"), {"query": "　", "page": "", "sort_order": 0})
        .context["form"]
        .errors
    )
    assert errors["query"] == ["検索語を入力してください。"]
    assert errors["page"] == ["検索結果の最初に出すページを選んでください。"]


def test_editor_never_sees_or_edits_another_towns_promotions(client, town_a, town_b, editor_a):
    own = Promotion.objects.create(
        site=town_a.site, query="給付金", page=publish(town_a.sections["municipal"], "三鷹の給付金")
    )
    other = Promotion.objects.create(
        site=town_b.site, query="給付金", page=publish(town_b.sections["municipal"], "立川の給付金")
    )
    client.force_login(editor_a)

    listed = list(client.get(url(f"{PROMOTIONS}:index")).context["object_list"])
    assert listed == [own]
    assert client.get(url(f"{PROMOTIONS}:edit", other.pk)).status_code == 404
    assert client.post(url(f"{PROMOTIONS}:delete", other.pk)).status_code == 404
    assert Promotion.objects.filter(pk=other.pk).exists()


def _chooser_html(response):
    """The chooser answers with a modal (JSON) or, for a search, with the results alone."""
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)["html"]
    return response.content.decode()


def test_page_chooser_of_a_promotion_lists_only_the_editors_town(client, town_a, town_b, editor_a):
    publish(town_b.sections["municipal"], "立川の給付金")
    publish(town_a.sections["municipal"], "三鷹の給付金")
    client.force_login(editor_a)

    scoped = {"user_perms": "search_promotion"}
    root = _chooser_html(client.get(reverse("wagtailadmin_choose_page"), scoped))
    assert "三鷹市子育てねっと" in root
    assert "立川市子育てねっと" not in root
    found = _chooser_html(client.get(reverse("wagtailadmin_choose_page_search"), {**scoped, "q": "給付金"}))
    assert "三鷹の給付金" in found
    assert "立川の給付金" not in found

    # Other page choosers of the admin are left as Wagtail makes them.
    unscoped = _chooser_html(client.get(reverse("wagtailadmin_choose_page")))
    assert "立川市子育てねっと" in unscoped


def test_promotion_form_uses_the_scoped_page_chooser(client, editor_a):
    client.force_login(editor_a)
    assert '"userPerms": "search_promotion"' in html(client.get(url(f"{PROMOTIONS}:add")))


# The 「検索キーワード」 report ------------------------------------------------------------------


def stat(town, query, days_ago, searches, no_results=0):
    date = timezone.localdate() - datetime.timedelta(days=days_ago)
    return QueryStat.objects.create(
        site=town.site, query=query, date=date, searches=searches, no_results=no_results
    )


@pytest.fixture
def searches(town_a, town_b):
    stat(town_a, "保育園", 1, 10)
    stat(town_a, "保育園", 5, 8, 1)
    stat(town_a, "児童手当", 2, 12)
    stat(town_a, "病児保育", 3, 4, 4)
    stat(town_a, "病児保育", 29, 1, 1)
    stat(town_a, "おむつ替え", 10, 6, 6)
    stat(town_a, "古い言葉", 30, 99, 99)  # one day before the default 30 days
    stat(town_b, "立川だけの言葉", 1, 50, 50)


def _rows(rows):
    return [(row.query, row.searches, row.no_results) for row in rows]


def test_report_counts_most_searched_and_not_found_queries_of_the_last_30_days(
    client, town_a, editor_a, searches
):
    client.force_login(editor_a)
    response = client.get(url("search_report:index"))
    assert response.status_code == 200
    context = response.context
    assert _rows(context["frequent"]) == [
        ("保育園", 18, 1),
        ("児童手当", 12, 0),
        ("おむつ替え", 6, 6),
        ("病児保育", 5, 5),
    ]
    assert _rows(context["missing"]) == [("おむつ替え", 6, 6), ("病児保育", 5, 5), ("保育園", 18, 1)]
    assert context["totals"] == {"searches": 41, "no_results": 12}
    page = html(response)
    assert "立川だけの言葉" not in page
    assert "古い言葉" not in page
    assert "検索 41回、そのうち何も見つからなかった検索 12回" in page


def test_report_over_a_chosen_date_range(client, town_a, editor_a, searches):
    client.force_login(editor_a)
    today = timezone.localdate()
    response = client.get(
        url("search_report:index"),
        {
            "start": (today - datetime.timedelta(days=30)).isoformat(),
            "end": (today - datetime.timedelta(days=4)).isoformat(),
        },
    )
    assert _rows(response.context["frequent"]) == [
        ("古い言葉", 99, 99),
        ("保育園", 8, 1),
        ("おむつ替え", 6, 6),
        ("病児保育", 1, 1),
    ]


def test_report_refuses_an_end_before_the_start_in_japanese(client, editor_a):
    client.force_login(editor_a)
    response = client.get(url("search_report:index"), {"start": "2025-05-01", "end": "2025-04-01"})
    assert response.status_code == 400
    assert "終了日は、開始日と同じか後の日付にしてください。" in html(response)
    assert "frequent" not in response.context


def test_report_links_to_the_public_search_and_to_adding_a_promotion_or_synonym(
    client, town_a, editor_a, searches
):
    client.force_login(editor_a)
    row = client.get(url("search_report:index")).context["missing"][0]
    assert (
        row.public_url == "http://mitaka.example.jp/search/?q=%E3%81%8A%E3%82%80%E3%81%A4%E6%9B%BF%E3%81%88"
    )

    promotion_form = client.get(row.promotion_url).context["form"]
    assert promotion_form["query"].value() == "おむつ替え"
    synonym_form = client.get(row.synonym_url).context["form"]
    assert synonym_form["term"].value() == "おむつ替え"


def test_editor_cannot_read_another_towns_report_rows(client, town_a, town_b, editor_a, searches):
    client.force_login(editor_a)
    response = client.get(url("search_report:index"), {"site": town_b.site.pk})
    assert response.status_code == 400
    assert "この自治体の検索キーワードは見られません。" in html(response)
    assert "立川だけの言葉" not in html(response)

    download = client.get(url("search_report:csv"), {"site": town_b.site.pk})
    assert download.status_code == 302
    assert "立川だけの言葉" not in html(download)


def test_user_of_two_towns_chooses_the_town_and_superuser_sees_every_town(
    client, town_a, town_b, make_member, superuser, searches
):
    editor = make_member(town_a, "npo_editor")
    editor.groups.add(town_b.group("municipal_staff"))
    client.force_login(editor)
    form = client.get(url("search_report:index")).context["form"]
    assert [label for _value, label in form.fields["site"].choices] == ["三鷹市", "立川市"]
    response = client.get(url("search_report:index"), {"site": town_b.site.pk})
    assert _rows(response.context["frequent"]) == [("立川だけの言葉", 50, 50)]

    client.force_login(superuser)
    response = client.get(url("search_report:index"), {"site": town_b.site.pk})
    assert _rows(response.context["missing"]) == [("立川だけの言葉", 50, 50)]


def test_page_editor_without_a_search_role_reads_the_report_without_edit_links(
    client, town_a, make_member, searches
):
    group = Group.objects.create(name="三鷹市 保健センター")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=town_a.sections["municipal"],
        permission=Permission.objects.get(codename="change_page"),
    )
    user = make_member(town_a, "member")
    user.groups.add(group)
    client.force_login(user)

    response = client.get(url("search_report:index"))
    assert response.status_code == 200
    assert response.context["missing"][0].promotion_url is None
    assert url(f"{PROMOTIONS}:add") not in html(response)
    assert client.get(url(f"{SYNONYMS}:index")).status_code == 403


def test_csv_holds_both_lists_with_counts(client, town_a, editor_a, searches):
    client.force_login(editor_a)
    response = client.get(url("search_report:csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert "search-terms_mitaka.example.jp_" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["一覧", "順位", "検索語", "検索回数", "見つからなかった回数"],
        ["よく検索された言葉", "1", "保育園", "18", "1"],
        ["よく検索された言葉", "2", "児童手当", "12", "0"],
        ["よく検索された言葉", "3", "おむつ替え", "6", "6"],
        ["よく検索された言葉", "4", "病児保育", "5", "5"],
        ["見つからなかった言葉", "1", "おむつ替え", "6", "6"],
        ["見つからなかった言葉", "2", "病児保育", "5", "5"],
        ["見つからなかった言葉", "3", "保育園", "18", "1"],
    ]


def test_csv_never_carries_a_query_as_a_spreadsheet_formula(client, town_a, editor_a):
    stat(town_a, '=HYPERLINK("http://example.com")', 1, 3, 3)
    client.force_login(editor_a)
    rows = list(csv.reader(io.StringIO(client.get(url("search_report:csv")).content.decode("utf-8-sig"))))
    assert rows[1][2] == '\'=HYPERLINK("http://example.com")'


def test_report_is_refused_to_users_who_cannot_edit_pages_in_any_town(client, town_a, make_member):
    client.force_login(make_member(town_a, "child_network"))
    assert client.get(url("search_report:csv")).status_code == 403
