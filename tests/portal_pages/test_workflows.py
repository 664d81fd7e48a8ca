"""Editorial workflows: the sections' workflows, the 編集会議 task, its mail, agenda and schedule."""

import datetime
import io
import itertools
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Page,
    PageLogEntry,
    Task,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from home.models import StandardPage
from portal_pages import feedback
from portal_pages.models import ArticlePage, EditorialMeetingTask, Rating, Vote
from portal_pages.workflows import meeting
from portal_pages.workflows.agenda import agenda_for
from portal_pages.workflows.setup import ensure_workflows, meeting_tasks_of, tasks_of, workflows_of
from portal_pages.workflows.views import AgendaMenuItem

from . import factories

pytestmark = pytest.mark.django_db

_slugs = itertools.count(1)


def set_up_workflows(town):
    return ensure_workflows(town.settings.official_name, town.sections, town.groups)


@pytest.fixture
def mitaka(town_a):
    set_up_workflows(town_a)
    return town_a


@pytest.fixture
def tachikawa(town_b):
    set_up_workflows(town_b)
    return town_b


@pytest.fixture
def people(mitaka, make_member):
    """The people of 三鷹市's 編集会議, each with a nickname and an e-mail address."""
    return SimpleNamespace(
        reporter=make_member(mitaka, "citizen_reporter", username="reporter", nickname="みたかママ記者"),
        other_reporter=make_member(mitaka, "citizen_reporter", username="reporter2", nickname="別の記者"),
        kawa=make_member(mitaka, "npo_editor", username="kawa", nickname="かわさん"),
        yama=make_member(mitaka, "npo_editor", username="yama", nickname="やまさん"),
        lead=npo_lead(mitaka, make_member),
        counsellor=make_member(mitaka, "counsellor", username="counsellor", nickname="相談員さん"),
        admin=make_member(mitaka, "site_admin", username="siteadmin", nickname="広報室"),
    )


def npo_lead(town, make_member):
    """The NPO's lead, who also sits in the 編集会議."""
    lead = make_member(town, "npo_lead", username="lead", nickname="NPO代表")
    lead.groups.add(town.group("npo_editor"))
    return lead


def draft(town, owner, title="雨の日の児童館めぐり", **fields):
    """A citizen reporter's unpublished article, with its first revision."""
    fields.setdefault("lead", "市民記者が雨の日に児童館を訪ねました。")
    page = ArticlePage(title=title, slug=f"draft-{next(_slugs)}", live=False, owner=owner, **fields)
    town.index("regional", "ArticleIndexPage").add_child(instance=page)
    page.save_revision(user=owner)
    return page


def submit(page, user):
    return page.get_workflow().start(page, user)


def fresh(page):
    """The page as the editor would load it now."""
    return Page.objects.get(pk=page.pk).specific


def task_state_of(page):
    return fresh(page).current_workflow_task_state


def vote(client, page, user, action, comment):
    """Vote the way the page editor's 「承認」/「要修正」 modal does."""
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state_of(page).pk])
    return client.post(url, {"comment": comment})


def refused(response):
    """Wagtail's admin answers a PermissionDenied with a redirect to the dashboard and a message."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def addresses(messages):
    return {address for message in messages for address in message.to}


# Workflows per section -----------------------------------------------------------------------


def test_each_section_gets_its_towns_workflow(town_a):
    workflows = set_up_workflows(town_a)

    def steps(key):
        return [task.specific for task in workflows[key].tasks]

    assert {key: workflow.name for key, workflow in workflows.items()} == {
        "municipal": "三鷹市 行政情報",
        "regional": "三鷹市 地域情報",
        "community": "三鷹市 掲示板・ブログ",
        "consult": "三鷹市 ねっと相談",
    }
    municipal = steps("municipal")
    assert [task.name for task in municipal] == ["三鷹市 担当課確認", "三鷹市 子育て広報室承認"]
    assert all(type(task) is GroupApprovalTask for task in municipal)
    assert list(municipal[0].groups.all()) == [town_a.group("municipal_staff")]
    assert list(municipal[1].groups.all()) == [town_a.group("site_admin")]

    meeting_task, lead_task = steps("regional")
    assert isinstance(meeting_task, EditorialMeetingTask)
    assert meeting_task.name == "三鷹市 編集会議" and meeting_task.quorum == 2
    assert list(meeting_task.groups.all()) == [town_a.group("npo_editor")]
    assert type(lead_task) is GroupApprovalTask and lead_task.name == "三鷹市 NPO責任者承認"
    assert list(lead_task.groups.all()) == [town_a.group("npo_lead")]
    assert steps("community") == [meeting_task]
    counsellor_step, office_step = steps("consult")
    assert counsellor_step.name == "三鷹市 主任相談員確認"
    assert list(counsellor_step.groups.all()) == [town_a.group("counsellor_lead")]
    assert office_step == municipal[1]

    for key in ("municipal", "regional", "community", "consult"):
        assert WorkflowPage.objects.get(page=town_a.sections[key]).workflow == workflows[key]
    for key in ("familysupport", "workshop"):
        assert not WorkflowPage.objects.filter(page=town_a.sections[key]).exists()
        assert town_a.sections[key].get_workflow() not in workflows.values()
    article = factories.article(town_a)
    assert article.get_workflow() == workflows["regional"]
    assert factories.notice(town_a).get_workflow() == workflows["municipal"]


def test_setting_up_workflows_again_creates_nothing(town_a):
    first = set_up_workflows(town_a)
    counts = [model.objects.count() for model in (Workflow, Task, WorkflowTask, WorkflowPage)]

    again = set_up_workflows(town_a)

    assert again == first
    assert [model.objects.count() for model in (Workflow, Task, WorkflowTask, WorkflowPage)] == counts


def test_a_workflow_the_towns_admin_changed_is_kept(town_a):
    workflows = set_up_workflows(town_a)
    stricter = Workflow.objects.create(name="三鷹市 地域情報（二段階の会議）")
    WorkflowPage.objects.filter(page=town_a.sections["regional"]).update(workflow=stricter)

    again = set_up_workflows(town_a)

    assert again["regional"] == stricter
    assert again["municipal"] == workflows["municipal"]


def test_each_town_has_its_own_workflows_and_reviewers(mitaka, tachikawa):
    mitaka_meeting = mitaka.sections["regional"].get_workflow().tasks.first().specific
    tachikawa_meeting = tachikawa.sections["regional"].get_workflow().tasks.first().specific

    assert mitaka_meeting != tachikawa_meeting
    assert tachikawa_meeting.name == "立川市 編集会議"
    assert list(tachikawa_meeting.groups.all()) == [tachikawa.group("npo_editor")]
    assert tachikawa.sections["municipal"].get_workflow().name == "立川市 行政情報"


def test_a_towns_workflows_and_tasks_are_found_by_its_site(mitaka, tachikawa):
    assert {w.name for w in workflows_of([mitaka.site])} == {
        "三鷹市 行政情報",
        "三鷹市 地域情報",
        "三鷹市 掲示板・ブログ",
        "三鷹市 ねっと相談",
    }
    assert {t.name for t in tasks_of([tachikawa.site])} == {
        "立川市 担当課確認",
        "立川市 子育て広報室承認",
        "立川市 編集会議",
        "立川市 NPO責任者承認",
        "立川市 主任相談員確認",
    }
    assert [t.name for t in meeting_tasks_of([mitaka.site, tachikawa.site])] == [
        "三鷹市 編集会議",
        "立川市 編集会議",
    ]
    assert not workflows_of([]).exists()


# The 編集会議, start to finish ----------------------------------------------------------------


def test_a_reporters_article_goes_through_the_meeting_to_publication(
    client, mitaka, people, django_capture_on_commit_callbacks
):
    page = draft(mitaka, people.reporter, body=[("paragraph", "<p>本文の秘密の下書き</p>")])

    # The reporter submits: the 編集会議's members are told, nobody else.
    with django_capture_on_commit_callbacks(execute=True):
        submit(page, people.reporter)
    state = task_state_of(page)
    assert state.task.specific.name == "三鷹市 編集会議"
    opened = [m for m in mail.outbox if "が提出されました" in m.subject]
    assert addresses(opened) == {people.kawa.email, people.yama.email, people.lead.email}
    message = opened[0]
    assert message.subject == "[みたか子育てねっと] 編集会議: 「雨の日の児童館めぐり」が提出されました"
    assert f"http://testserver/admin/pages/{page.pk}/edit/" in message.body
    assert "みたかママ記者" in message.body
    assert "秘密の下書き" not in message.body and "児童館を訪ねました" not in message.body
    assert fresh(page).get_lock().for_user(people.reporter)
    assert not fresh(page).get_lock().for_user(people.kawa)

    # One editor asks for changes: the page goes back to its author with the comment.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = vote(client, page, people.kawa, "request_changes", "開館時間を書き足してください。")
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.status == TaskState.STATUS_REJECTED
    assert "【要修正】かわさん: 開館時間を書き足してください。" in state.comment
    workflow_state = fresh(page).current_workflow_state
    assert workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    ours = [m for m in mail.outbox if m.subject.startswith("[みたか子育てねっと]")]
    assert [m.to for m in ours] == [[people.reporter.email]]
    assert (
        ours[0].subject == "[みたか子育てねっと] 編集会議: 「雨の日の児童館めぐり」に修正のお願いがあります"
    )
    assert "開館時間を書き足してください。" in ours[0].body
    assert "三鷹市 編集会議に再提出する" in ours[0].body
    history = PageLogEntry.objects.get(page=page, action=meeting.VOTE_LOG_ACTION)
    assert history.comment == "開館時間を書き足してください。"
    assert history.message == "「三鷹市 編集会議」で「要修正」に投票しました"
    client.force_login(people.reporter)
    history_page = client.get(reverse("wagtailadmin_pages:history", args=[page.pk])).content.decode()
    assert "開館時間を書き足してください。" in history_page

    # The reporter revises and resubmits: a new round, with no votes yet.
    page = fresh(page)
    page.title = "雨の日の児童館めぐり（開館時間つき）"
    page.save_revision(user=people.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        workflow_state.resume(user=people.reporter)
    second_round = task_state_of(page)
    assert second_round.pk != state.pk and second_round.task_id == state.task_id
    assert second_round.editorial_votes.count() == 0
    assert Vote.objects.filter(task_state=state).count() == 1
    assert meeting.may_vote_on(second_round.task.specific, fresh(page), people.kawa)

    # Two editors approve: the meeting is passed and the NPO's lead has the last step.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        vote(client, page, people.kawa, "approve", "よくなりました。")
    assert task_state_of(page).pk == second_round.pk
    assert mail.outbox[-1].subject.endswith("に票が入りました（承認）")
    assert "承認 1 / 定足数 2" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        vote(client, page, people.yama, "approve", "写真もわかりやすいです。")
    second_round.refresh_from_db()
    assert second_round.status == TaskState.STATUS_APPROVED
    now = task_state_of(page)
    assert now.task.name == "三鷹市 NPO責任者承認"
    assert now.status == TaskState.STATUS_IN_PROGRESS
    assert not fresh(page).live
    passed = [m for m in mail.outbox if "編集会議を通りました" in m.subject]
    assert [m.to for m in passed] == [[people.reporter.email]]

    # The NPO's lead approves: the article is published.
    client.force_login(people.lead)
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", now.pk]),
        {"comment": "公開します。"},
    )
    assert response.status_code == 302
    page = fresh(page)
    assert page.live and page.title == "雨の日の児童館めぐり（開館時間つき）"
    assert page.workflow_states.get().status == WorkflowState.STATUS_APPROVED
    assert people.counsellor.email not in addresses(mail.outbox)


def test_a_citizen_blog_needs_only_the_meeting(mitaka, people):
    blog = StandardPage(
        title="はじめての保育園見学", slug="hoikuen-kengaku", live=False, owner=people.reporter
    )
    mitaka.sections["community"].add_child(instance=blog)
    blog.save_revision(user=people.reporter)
    submit(blog, people.reporter)

    meeting.cast_vote(task_state_of(blog), people.kawa, "approve", "読みやすいです。")
    meeting.cast_vote(task_state_of(blog), people.yama, "approve", "公開しましょう。")

    assert fresh(blog).live


def test_meeting_members_can_open_a_blog_in_the_meeting_and_see_a_plain_vote(client, mitaka, people):
    blog = StandardPage(
        title="はじめての保育園見学", slug="hoikuen-kengaku", live=False, owner=people.reporter
    )
    mitaka.sections["community"].add_child(instance=blog)
    blog.save_revision(user=people.reporter)
    submit(blog, people.reporter)
    client.force_login(people.kawa)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[blog.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "要修正" in html and "承認" in html
    assert "承認と公開" not in html


def test_quorum_is_configurable_per_town(mitaka, people, make_member):
    meeting_task = EditorialMeetingTask.objects.get(name="三鷹市 編集会議")
    meeting_task.quorum = 3
    meeting_task.save()
    third = make_member(mitaka, "npo_editor", nickname="うみさん")
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)

    for editor in (people.kawa, people.yama):
        meeting.cast_vote(task_state_of(page), editor, "approve", "よいと思います。")
    assert task_state_of(page).task.name == "三鷹市 編集会議"
    meeting.cast_vote(task_state_of(page), third, "approve", "賛成です。")

    assert task_state_of(page).task.name == "三鷹市 NPO責任者承認"


def test_a_new_version_saved_during_the_round_restarts_the_votes(mitaka, people):
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    first_round = task_state_of(page)
    meeting.cast_vote(first_round, people.kawa, "approve", "よいと思います。")
    page = fresh(page)
    page.lead = "NPO編集者が誤字を直しました。"
    page.save_revision(user=people.lead)

    meeting.cast_vote(task_state_of(page), people.yama, "approve", "直した版でよいです。")

    first_round.refresh_from_db()
    assert first_round.status == TaskState.STATUS_CANCELLED
    second_round = task_state_of(page)
    assert second_round.task.name == "三鷹市 編集会議"
    assert second_round.revision_id == fresh(page).latest_revision_id
    assert [v.user for v in second_round.editorial_votes.all()] == [people.yama]
    assert meeting.may_vote_on(second_round.task.specific, fresh(page), people.kawa)


def test_the_leads_fix_at_the_last_step_is_published_without_a_new_meeting(mitaka, people, settings):
    """WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT stays off: only the meeting's own round restarts on edits."""
    assert not getattr(settings, "WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT", False)
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    meeting.cast_vote(task_state_of(page), people.kawa, "approve", "よいと思います。")
    meeting.cast_vote(task_state_of(page), people.yama, "approve", "賛成です。")
    page = fresh(page)
    page.lead = "誤字を直しました。"
    page.save_revision(user=people.lead)

    task_state_of(page).approve(user=people.lead)

    page = fresh(page)
    assert page.live and page.lead == "誤字を直しました。"
    assert TaskState.objects.filter(task__name="三鷹市 編集会議").count() == 1


def test_the_dashboard_shows_a_member_the_pages_awaiting_their_vote(client, mitaka, people):
    page = draft(mitaka, people.reporter, title="ダッシュボードの記事")
    submit(page, people.reporter)

    client.force_login(people.kawa)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "ダッシュボードの記事" in html and "要修正" in html

    client.force_login(people.other_reporter)
    assert "ダッシュボードの記事" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_operator_edits_the_meeting_task_in_wagtails_task_admin(client, mitaka, superuser):
    task = EditorialMeetingTask.objects.get(name="三鷹市 編集会議")
    client.force_login(superuser)

    assert (
        "定足数" in client.get(reverse("wagtailadmin_workflows:edit_task", args=[task.pk])).content.decode()
    )
    add_url = reverse("wagtailadmin_workflows:add_task", args=["portal_pages", "editorialmeetingtask"])
    response = client.post(
        add_url, {"name": "三鷹市 臨時編集会議", "groups": [mitaka.group("npo_editor").pk], "quorum": "3"}
    )

    assert response.status_code == 302
    created = EditorialMeetingTask.objects.get(name="三鷹市 臨時編集会議")
    assert created.quorum == 3 and list(created.groups.all()) == [mitaka.group("npo_editor")]


def test_a_towns_site_admin_has_no_access_to_wagtails_unscoped_workflow_admin(client, mitaka, people):
    client.force_login(people.admin)

    for name in ("wagtailadmin_workflows:index", "wagtailadmin_workflows:task_index"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")


# Who may not vote --------------------------------------------------------------------------


def test_a_reviewer_cannot_vote_twice(client, mitaka, people):
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    assert vote(client, page, people.kawa, "approve", "よいと思います。").status_code == 302
    task = task_state_of(page).task.specific

    assert task.get_actions(fresh(page), people.kawa) == []
    assert refused(vote(client, page, people.kawa, "request_changes", "やはり直してください。"))
    with pytest.raises(PermissionDenied, match="投票は1人1回です"):
        task.on_action(task_state_of(page), people.kawa, "approve", comment="もう一度")
    assert Vote.objects.filter(user=people.kawa).count() == 1
    assert task_state_of(page).status == TaskState.STATUS_IN_PROGRESS


def test_an_editor_cannot_vote_on_a_page_they_created(client, mitaka, people):
    page = draft(mitaka, people.kawa, title="NPOの特集記事")
    submit(page, people.kawa)
    task = task_state_of(page).task.specific

    assert task.get_actions(fresh(page), people.kawa) == []
    assert task.get_actions(fresh(page), people.yama) != []
    assert refused(vote(client, page, people.kawa, "approve", "自分の記事です"))
    with pytest.raises(PermissionDenied, match="自分が作成したページには投票できません"):
        meeting.cast_vote(task_state_of(page), people.kawa, "approve", "自分の記事です")
    assert not Vote.objects.exists()


def test_an_editor_cannot_vote_on_their_own_page_through_another_pages_url(client, mitaka, people):
    others = draft(mitaka, people.reporter, title="記者の記事")
    own = draft(mitaka, people.kawa, title="自分の記事")
    submit(others, people.reporter)
    submit(own, people.kawa)
    client.force_login(people.kawa)

    url = reverse("wagtailadmin_pages:workflow_action", args=[others.pk, "approve", task_state_of(own).pk])
    response = client.post(url, {"comment": "すり替えた投票"})

    assert refused(response)
    assert not Vote.objects.exists()


def test_reviewers_vote_only_with_approve_or_request_changes(mitaka, people):
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    task = task_state_of(page).task.specific

    for action in ("reject", "cancel", "publish"):
        with pytest.raises(PermissionDenied):
            task.on_action(task_state_of(page), people.kawa, action, comment="近道")

    assert task_state_of(page).status == TaskState.STATUS_IN_PROGRESS
    assert not Vote.objects.exists()


def test_a_vote_needs_a_comment(client, mitaka, people):
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    client.force_login(people.kawa)
    modal_url = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, "request_changes", task_state_of(page).pk]
    )
    modal = client.get(modal_url, headers={"x-requested-with": "XMLHttpRequest"}).json()
    assert modal["step"] == "action" and "コメント（筆者に届きます）" in modal["html"]
    assert "要修正" in modal["html"]
    invalid = client.post(modal_url, {"comment": ""}, headers={"x-requested-with": "XMLHttpRequest"}).json()
    assert "コメントを書いてください" in invalid["html"]

    response = vote(client, page, people.kawa, "approve", "   ")

    assert response.status_code == 302
    assert not Vote.objects.exists()
    with pytest.raises(ValidationError, match="コメントを書いてください"):
        meeting.cast_vote(task_state_of(page), people.kawa, "approve", "  \n ")


def test_a_citizen_reporter_has_no_vote(client, mitaka, people):
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    task = task_state_of(page).task.specific

    for reporter in (people.reporter, people.other_reporter):
        assert task.get_actions(fresh(page), reporter) == []
        assert refused(vote(client, page, reporter, "approve", "いいね"))
    with pytest.raises(PermissionDenied, match="この編集会議のメンバーだけ"):
        meeting.cast_vote(task_state_of(page), people.other_reporter, "approve", "いいね")
    assert not Vote.objects.exists()


def test_another_towns_editor_cannot_act_on_the_page(client, mitaka, tachikawa, people, make_member):
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    tachikawa_editor = make_member(tachikawa, "npo_editor", nickname="立川の編集者")
    task = task_state_of(page).task.specific

    assert task.get_actions(fresh(page), tachikawa_editor) == []
    assert not task.user_can_access_editor(fresh(page), tachikawa_editor)
    assert task.locked_for_user(fresh(page), tachikawa_editor)
    assert refused(vote(client, page, tachikawa_editor, "approve", "よいと思います"))
    assert not TaskState.objects.reviewable_by(tachikawa_editor).exists()
    assert not Vote.objects.exists()


def test_the_dashboard_lists_only_rounds_awaiting_the_reviewers_vote(mitaka, people):
    others = draft(mitaka, people.reporter, title="記者の記事")
    own = draft(mitaka, people.kawa, title="かわさんの記事")
    submit(others, people.reporter)
    submit(own, people.kawa)

    assert set(TaskState.objects.reviewable_by(people.kawa)) == {task_state_of(others)}
    assert set(TaskState.objects.reviewable_by(people.yama)) == {task_state_of(others), task_state_of(own)}
    meeting.cast_vote(task_state_of(others), people.yama, "approve", "よいと思います。")
    assert set(TaskState.objects.reviewable_by(people.yama)) == {task_state_of(own)}
    assert not TaskState.objects.reviewable_by(people.reporter).exists()


# Notifications -----------------------------------------------------------------------------


def test_only_that_towns_reviewers_with_an_address_are_told_of_a_submission(
    mitaka, tachikawa, people, make_member, superuser, django_capture_on_commit_callbacks
):
    make_member(mitaka, "npo_editor", username="noaddress", email="")
    make_member(mitaka, "npo_editor", username="gone", is_active=False)
    tachikawa_editor = make_member(tachikawa, "npo_editor", username="tachikawa")
    page = draft(mitaka, people.reporter)

    with django_capture_on_commit_callbacks(execute=True):
        submit(page, people.reporter)

    opened = [m for m in mail.outbox if "編集会議:" in m.subject]
    assert addresses(opened) == {people.kawa.email, people.yama.email, people.lead.email}
    assert all(len(m.to) == 1 for m in opened)
    everyone = addresses(mail.outbox)
    for outsider in (tachikawa_editor, people.counsellor, people.other_reporter, people.admin):
        assert outsider.email not in everyone


def test_nothing_is_mailed_when_the_vote_is_rolled_back(mitaka, people, django_capture_on_commit_callbacks):
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(PermissionDenied):
            meeting.cast_vote(task_state_of(page), people.reporter, "approve", "自分で承認")

    assert callbacks == [] and mail.outbox == []


def test_the_author_is_told_each_decision_and_comment(mitaka, people, django_capture_on_commit_callbacks):
    page = draft(mitaka, people.reporter)
    submit(page, people.reporter)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting.cast_vote(task_state_of(page), people.kawa, "approve", "写真が\nよかったです。")

    (message,) = mail.outbox
    assert message.to == [people.reporter.email]
    assert (
        message.subject == "[みたか子育てねっと] 編集会議: 「雨の日の児童館めぐり」に票が入りました（承認）"
    )
    assert "かわさん さんが「承認」と投票しました" in message.body
    assert "写真が\nよかったです。" in message.body
    assert "kawa@example.jp" not in message.body


# Scheduled publishing ----------------------------------------------------------------------


def test_an_approved_page_with_a_future_go_live_waits_for_publish_scheduled(mitaka, people):
    go_live = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    expire = go_live + datetime.timedelta(days=7)
    page = draft(mitaka, people.reporter, go_live_at=go_live, expire_at=expire)
    submit(page, people.reporter)
    meeting.cast_vote(task_state_of(page), people.kawa, "approve", "よいと思います。")
    meeting.cast_vote(task_state_of(page), people.yama, "approve", "賛成です。")
    task_state_of(page).approve(user=people.lead)

    page = fresh(page)
    assert not page.live
    assert page.workflow_states.get().status == WorkflowState.STATUS_APPROVED
    assert page.revisions.filter(approved_go_live_at=go_live).exists()
    call_command("publish_scheduled", stdout=io.StringIO())
    assert not fresh(page).live

    with mock.patch("django.utils.timezone.now", return_value=go_live + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled", stdout=io.StringIO())
    assert fresh(page).live

    with mock.patch("django.utils.timezone.now", return_value=expire + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled", stdout=io.StringIO())
    assert not fresh(page).live and fresh(page).expired


# The agenda --------------------------------------------------------------------------------


def agenda_pages(town, people, count):
    """``count`` pages in the 編集会議, every other one a published page being revised, each with a vote."""
    pages = []
    for number in range(count):
        if number % 2:
            page = factories.article(town, title=f"公開中の記事{number}", owner=people.reporter)
            feedback.save_feedback(page, Rating.UNCLEAR, "")
            feedback.save_feedback(page, Rating.USEFUL, "")
            page.title = f"公開中の記事{number}（改訂）"
            page.save_revision(user=people.reporter)
        else:
            page = draft(town, people.reporter, title=f"新しい記事{number}")
        submit(page, people.reporter)
        meeting.cast_vote(task_state_of(page), people.kawa, "approve", f"記事{number}はよいです。")
        pages.append(page)
    return pages


def test_the_agenda_lists_pages_awaiting_the_meeting(client, mitaka, people):
    new = draft(mitaka, people.reporter, title="新しい記事")
    submit(new, people.reporter)
    live = factories.article(mitaka, title="公開中の記事", owner=people.other_reporter)
    for rating in (Rating.UNCLEAR, Rating.UNCLEAR, Rating.INSUFFICIENT, Rating.USEFUL):
        feedback.save_feedback(live, rating, "")
    live.title = "公開中の記事（改訂版）"
    live.save_revision(user=people.other_reporter)
    submit(live, people.other_reporter)
    meeting.cast_vote(task_state_of(live), people.kawa, "approve", "改訂でわかりやすくなりました。")
    passed = draft(mitaka, people.reporter, title="もう通った記事")
    submit(passed, people.reporter)
    for editor in (people.kawa, people.yama):
        meeting.cast_vote(task_state_of(passed), editor, "approve", "よいです。")

    later = timezone.now() + datetime.timedelta(days=3, hours=1)
    agenda = agenda_for(people.yama, now=later)

    assert agenda.towns == ["三鷹市"]
    assert [item.title for item in agenda.items] == ["新しい記事", "公開中の記事（改訂版）"]
    first, second = agenda.items
    assert (first.author, first.waited_days, first.feedback) == ("みたかママ記者", 3, None)
    assert (second.tally.approvals, second.tally.changes, second.quorum) == (1, 0, 2)
    assert [(v.user.public_name, v.comment) for v in second.votes] == [
        ("かわさん", "改訂でわかりやすくなりました。")
    ]
    assert second.feedback == [("役に立った", 1), ("わかりにくい", 2), ("情報が足りない", 1)]

    client.force_login(people.yama)
    response = client.get(reverse("portal_pages_workflows:agenda"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[new.pk])}"' in html
    assert "みたかママ記者" in html and "別の記者" in html
    assert "承認 1 / 要修正 0（定足数 2）" in html
    assert "改訂でわかりやすくなりました。" in html and "かわさん" in html
    assert "読者の声（公開中の版）" in html
    assert "もう通った記事" not in html
    assert "css/agenda.css" in html
    assert f'href="{reverse("portal_pages_workflows:agenda_print")}" data-agenda-print>印刷する</a>' in html


def test_the_printable_agenda_is_a_plain_document(client, mitaka, people):
    page = draft(mitaka, people.reporter, title="印刷される記事")
    submit(page, people.reporter)
    client.force_login(people.kawa)

    response = client.get(reverse("portal_pages_workflows:agenda_print"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="agenda__title">三鷹市 編集会議の議題</h1>' in html
    assert "印刷される記事" in html and "会議メモ" in html
    assert "wagtail-sidebar" not in html
    assert '<button type="button" data-agenda-print hidden>印刷する</button>' in html


def test_the_agenda_shows_nothing_of_another_town(client, mitaka, tachikawa, people, make_member):
    page = draft(mitaka, people.reporter, title="三鷹の記事")
    submit(page, people.reporter)
    tachikawa_editor = make_member(tachikawa, "npo_editor")

    assert agenda_for(tachikawa_editor).items == []
    client.force_login(tachikawa_editor)
    for name in ("portal_pages_workflows:agenda", "portal_pages_workflows:agenda_print"):
        response = client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200
        assert "三鷹の記事" not in html and "いま編集会議を待っているページはありません。" in html


def test_the_towns_site_admin_and_the_operator_see_the_agenda(client, mitaka, tachikawa, people, superuser):
    page = draft(mitaka, people.reporter, title="三鷹の記事")
    submit(page, people.reporter)

    assert [item.title for item in agenda_for(people.admin).items] == ["三鷹の記事"]
    operators = agenda_for(superuser)
    assert operators.show_town and operators.towns == ["三鷹市", "立川市"]
    assert [item.town for item in operators.items] == ["三鷹市"]


@pytest.mark.parametrize("role", ["citizen_reporter", "counsellor", "municipal_staff", "moderator"])
def test_the_agenda_is_refused_to_roles_outside_the_meeting(client, mitaka, people, make_member, role):
    page = draft(mitaka, people.reporter, title="三鷹の記事")
    submit(page, people.reporter)
    user = make_member(mitaka, role)
    client.force_login(user)

    for name in ("portal_pages_workflows:agenda", "portal_pages_workflows:agenda_print"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "三鷹の記事" not in response.content.decode()
        assert "議題を見る権限がありません" in response.content.decode()
    request = RequestFactory().get("/admin/")
    request.user = user
    assert not AgendaMenuItem("編集会議の議題", "/admin/editorial-meeting/").is_shown(request)
    request.user = people.kawa
    assert AgendaMenuItem("編集会議の議題", "/admin/editorial-meeting/").is_shown(request)


def test_the_agenda_costs_the_same_queries_for_2_or_8_pages(client, mitaka, people):
    url = reverse("portal_pages_workflows:agenda")
    client.force_login(people.yama)

    def queries_with(count):
        pages = agenda_pages(mitaka, people, count)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context["items"]) == count
        for page in pages:
            fresh(page).current_workflow_state.cancel(user=people.lead)
        return len(queries)

    assert queries_with(2) == queries_with(8)


# The meeting's settings, per town ----------------------------------------------------------


def settings_url(town):
    task = EditorialMeetingTask.objects.get(name=f"{town.settings.official_name} 編集会議")
    return task, reverse("portal_pages_workflows:settings", args=[task.pk])


def test_the_towns_site_admin_sets_the_quorum_and_members(client, mitaka, tachikawa, people):
    task, url = settings_url(mitaka)
    client.force_login(people.admin)

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "三鷹市 NPO編集者" in html and "立川市" not in html
    assert url in client.get(reverse("portal_pages_workflows:agenda")).content.decode()

    workshop = mitaka.group("workshop")
    response = client.post(url, {"quorum": "3", "groups": [mitaka.group("npo_editor").pk, workshop.pk]})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.quorum == 3
    assert set(task.groups.all()) == {mitaka.group("npo_editor"), workshop}


def test_meeting_settings_refuse_a_zero_quorum_and_other_towns_groups(client, mitaka, tachikawa, people):
    task, url = settings_url(mitaka)
    client.force_login(people.admin)

    zero = client.post(url, {"quorum": "0", "groups": [mitaka.group("npo_editor").pk]})
    foreign = client.post(url, {"quorum": "2", "groups": [tachikawa.group("npo_editor").pk]})

    assert zero.status_code == 200 and zero.context["form"].errors["quorum"]
    assert foreign.status_code == 200 and foreign.context["form"].errors["groups"]
    task.refresh_from_db()
    assert task.quorum == 2 and list(task.groups.all()) == [mitaka.group("npo_editor")]


def test_meeting_settings_keep_groups_an_operator_added(client, mitaka, tachikawa, people):
    task, url = settings_url(mitaka)
    task.groups.add(tachikawa.group("npo_editor"))
    client.force_login(people.admin)

    client.post(url, {"quorum": "2", "groups": [mitaka.group("site_admin").pk]})

    assert set(task.groups.all()) == {mitaka.group("site_admin"), tachikawa.group("npo_editor")}


def test_meeting_settings_are_only_for_that_towns_site_admin(client, mitaka, tachikawa, people, make_member):
    task, url = settings_url(mitaka)

    client.force_login(make_member(tachikawa, "site_admin"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"quorum": "1", "groups": [mitaka.group("npo_editor").pk]}).status_code == 404
    client.force_login(people.kawa)
    assert client.get(url).status_code == 403
    assert url not in client.get(reverse("portal_pages_workflows:agenda")).content.decode()
    task.refresh_from_db()
    assert task.quorum == 2
