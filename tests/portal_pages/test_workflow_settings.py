"""A town's site admin edits the town's own workflows: steps, approvers, order — nothing else."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import GroupApprovalTask, ModelLogEntry, WorkflowTask

from portal_pages.models import ArticlePage, EditorialMeetingTask
from portal_pages.workflows.views import WorkflowSettingsMenuItem

pytestmark = pytest.mark.django_db

LIST_URL = reverse("portal_pages_workflows:workflows")


def workflow(town, section):
    return town.sections[section].get_workflow()


def step_names(town, section):
    links = WorkflowTask.objects.filter(workflow=workflow(town, section)).order_by("sort_order")
    return [link.task.name for link in links.select_related("task")]


def link_of(town, section, name):
    return WorkflowTask.objects.get(
        workflow=workflow(town, section), task__name=f"{town.settings.official_name} {name}"
    )


def action_url(town, section, name, action):
    link = link_of(town, section, name)
    return reverse("portal_pages_workflows:step_action", args=[link.workflow_id, link.pk, action])


def add_url(town, section):
    return reverse("portal_pages_workflows:step_add", args=[workflow(town, section).pk])


def edit_url(town, section, name):
    link = link_of(town, section, name)
    return reverse("portal_pages_workflows:step_edit", args=[link.workflow_id, link.pk])


@pytest.fixture
def admin_client(client, town_a, town_b, make_member):
    client.force_login(make_member(town_a, "site_admin"))
    return client


def waiting_article(town, make_member):
    """A reporter's article now waiting at the first step of 地域情報 (the 編集会議)."""
    reporter = make_member(town, "citizen_reporter")
    page = ArticlePage(
        title="審査待ちの記事", slug="waiting", live=False, owner=reporter, lead="審査待ちです。"
    )
    town.index("regional", "ArticleIndexPage").add_child(instance=page)
    page.save_revision(user=reporter)
    page.get_workflow().start(page, reporter)
    return page


def test_the_site_admin_sees_the_towns_workflows_and_no_other_towns(admin_client):
    response = admin_client.get(LIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    for name in (
        "三鷹市 行政情報",
        "三鷹市 地域情報",
        "三鷹市 掲示板・ブログ",
        "担当課確認",
        "子育て広報室承認",
        "NPO責任者承認",
    ):
        assert name in html
    assert "三鷹市 NPO責任者" in html  # the group that approves the lead's step
    assert "立川市" not in html
    assert "編集会議（定足数 2）" in html


@pytest.mark.parametrize(
    "role", ["npo_editor", "npo_lead", "municipal_staff", "citizen_reporter", "counsellor"]
)
def test_other_roles_may_not_open_or_change_workflows(client, town_a, make_member, role):
    client.force_login(make_member(town_a, role))
    refused = client.get(LIST_URL)
    assert refused.status_code == 403
    assert "設定できるのは、その自治体のサイト管理者だけです。" in refused.content.decode()
    assert client.post(action_url(town_a, "municipal", "担当課確認", "down")).status_code == 403
    assert client.post(add_url(town_a, "municipal"), {"kind": "approval", "label": "x"}).status_code == 403
    assert step_names(town_a, "municipal") == ["三鷹市 担当課確認", "三鷹市 子育て広報室承認"]
    assert not WorkflowSettingsMenuItem("", LIST_URL).is_shown(type("R", (), {"user": client_user(client)})())


def client_user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_the_menu_item_shows_for_the_site_admin(admin_client):
    assert WorkflowSettingsMenuItem("", LIST_URL).is_shown(
        type("R", (), {"user": client_user(admin_client)})()
    )
    assert LIST_URL in admin_client.get(reverse("wagtailadmin_home")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, town_a):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and "login" in response.url


def test_another_towns_workflow_is_not_found(admin_client, town_b):
    assert admin_client.get(add_url(town_b, "municipal")).status_code == 404
    assert admin_client.get(edit_url(town_b, "municipal", "担当課確認")).status_code == 404
    assert admin_client.post(action_url(town_b, "municipal", "担当課確認", "down")).status_code == 404
    assert step_names(town_b, "municipal") == ["立川市 担当課確認", "立川市 子育て広報室承認"]


def test_adding_an_approval_step_with_the_towns_group(admin_client, town_a):
    group = town_a.group("site_admin")
    response = admin_client.post(
        add_url(town_a, "municipal"), {"kind": "approval", "label": "課長決裁", "groups": [group.pk]}
    )
    assert response.status_code == 302
    assert step_names(town_a, "municipal") == [
        "三鷹市 担当課確認",
        "三鷹市 子育て広報室承認",
        "三鷹市 課長決裁",
    ]
    task = GroupApprovalTask.objects.get(name="三鷹市 課長決裁")
    assert list(task.groups.all()) == [group]
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(task.pk)).exists()


def test_adding_a_second_meeting_with_its_quorum(admin_client, town_a):
    admin_client.post(
        add_url(town_a, "community"),
        {
            "kind": "meeting",
            "label": "ブログ編集会議",
            "groups": [town_a.group("npo_editor").pk],
            "quorum": "3",
        },
    )
    task = EditorialMeetingTask.objects.get(name="三鷹市 ブログ編集会議")
    assert task.quorum == 3
    assert step_names(town_a, "community")[-1] == "三鷹市 ブログ編集会議"


def test_bad_input_is_refused_in_japanese_and_what_was_typed_is_kept(admin_client, town_a, town_b):
    before = step_names(town_a, "municipal")
    foreign = admin_client.post(
        add_url(town_a, "municipal"),
        {"kind": "approval", "label": "他市の承認", "groups": [town_b.group("site_admin").pk]},
    )
    assert foreign.status_code == 200 and foreign.context["form"].errors["groups"]
    assert 'value="他市の承認"' in foreign.content.decode()

    empty = admin_client.post(add_url(town_a, "municipal"), {"kind": "approval", "label": "", "groups": []})
    errors = empty.context["form"].errors
    assert errors["label"] == ["手順の名前を入力してください。"]
    assert errors["groups"] == ["承認するグループを1つ以上選んでください。"]

    no_quorum = admin_client.post(
        add_url(town_a, "municipal"),
        {"kind": "meeting", "label": "臨時会議", "groups": [town_a.group("npo_editor").pk], "quorum": ""},
    )
    assert no_quorum.context["form"].errors["quorum"] == ["編集会議の定足数を入力してください。"]

    too_many = admin_client.post(
        add_url(town_a, "municipal"),
        {"kind": "meeting", "label": "大会議", "groups": [town_a.group("npo_editor").pk], "quorum": "21"},
    )
    assert too_many.context["form"].errors["quorum"] == ["定足数は20以下にしてください。"]
    assert 'value="大会議"' in too_many.content.decode()
    assert step_names(town_a, "municipal") == before


def test_editing_a_step_changes_its_name_and_approvers_and_keeps_an_operators_groups(
    admin_client, town_a, town_b
):
    task = link_of(town_a, "municipal", "担当課確認").task.specific
    task.groups.add(town_b.group("site_admin"))
    url = edit_url(town_a, "municipal", "担当課確認")
    form = admin_client.get(url)
    assert 'value="担当課確認"' in form.content.decode()
    assert "立川市" not in form.content.decode()

    admin_client.post(
        url,
        {
            "label": "子育て支援課確認",
            "groups": [town_a.group("municipal_staff").pk, town_a.group("site_admin").pk],
        },
    )

    task.refresh_from_db()
    assert task.name == "三鷹市 子育て支援課確認"
    assert set(task.groups.all()) == {
        town_a.group("municipal_staff"),
        town_a.group("site_admin"),
        town_b.group("site_admin"),
    }


def test_editing_the_meeting_step_sets_its_quorum(admin_client, town_a):
    admin_client.post(
        edit_url(town_a, "regional", "編集会議"),
        {"label": "編集会議", "groups": [town_a.group("npo_editor").pk], "quorum": "4"},
    )
    assert EditorialMeetingTask.objects.get(name="三鷹市 編集会議").quorum == 4


def test_moving_a_step_changes_the_order_pages_go_through(admin_client, town_a):
    admin_client.post(action_url(town_a, "municipal", "子育て広報室承認", "up"))
    assert step_names(town_a, "municipal") == ["三鷹市 子育て広報室承認", "三鷹市 担当課確認"]
    admin_client.post(action_url(town_a, "municipal", "子育て広報室承認", "down"))
    assert step_names(town_a, "municipal") == ["三鷹市 担当課確認", "三鷹市 子育て広報室承認"]
    first_task = workflow(town_a, "municipal").tasks.first()
    assert first_task.name == "三鷹市 担当課確認"


def test_removing_a_step_and_its_limits(admin_client, town_a):
    response = admin_client.post(action_url(town_a, "municipal", "担当課確認", "remove"), follow=True)
    assert "「三鷹市 担当課確認」を外しました。" in response.content.decode()
    assert step_names(town_a, "municipal") == ["三鷹市 子育て広報室承認"]
    removed = GroupApprovalTask.objects.get(name="三鷹市 担当課確認")
    assert not removed.active  # kept for the history of pages that passed it, but no longer offered

    last = admin_client.post(action_url(town_a, "municipal", "子育て広報室承認", "remove"), follow=True)
    assert "ワークフローには少なくとも1つの手順が必要です。" in last.content.decode()
    assert step_names(town_a, "municipal") == ["三鷹市 子育て広報室承認"]


def test_a_step_with_a_page_waiting_at_it_is_neither_removed_nor_moved(admin_client, town_a, make_member):
    page = waiting_article(town_a, make_member)
    response = admin_client.post(action_url(town_a, "regional", "編集会議", "remove"), follow=True)
    assert "この手順で1件のページが審査を待っています。" in response.content.decode()
    moved = admin_client.post(action_url(town_a, "regional", "編集会議", "down"), follow=True)
    assert "審査中のページがあるあいだは、手順の順番を変えられません。" in moved.content.decode()
    assert step_names(town_a, "regional") == ["三鷹市 編集会議", "三鷹市 NPO責任者承認"]
    assert page.get_workflow().tasks.first().name == "三鷹市 編集会議"


def test_steps_change_only_by_post_with_a_csrf_token(town_a, make_member):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_member(town_a, "site_admin"))
    url = action_url(town_a, "municipal", "担当課確認", "down")
    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403
    assert step_names(town_a, "municipal") == ["三鷹市 担当課確認", "三鷹市 子育て広報室承認"]


def test_an_unknown_action_is_not_found(admin_client, town_a):
    assert admin_client.post(action_url(town_a, "municipal", "担当課確認", "delete-all")).status_code == 404
