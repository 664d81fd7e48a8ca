"""相談Q&A pages: where they may live, why a page with markers never goes public, how a clean one
goes through the ねっと相談 workflow, and what the public sees."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Page, TaskState, WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from consult.faq import qa_index
from consult.pages import QA_FEATURES, QAIndexPage, QAPage
from home.municipality import create_municipality
from search import service

from ..factories import member_of

pytestmark = pytest.mark.django_db

MARKED = "<p>〔要確認（人名）：田中〕です。夜泣きがひどくて眠れません。</p>"
CLEAN_QUESTION = "<p>生後8か月の子の夜泣きがひどくて、毎晩眠れません。</p>"
CLEAN_ANSWER = "<p>寝る前の流れを毎日同じにしてみましょう。</p>"
MARKER_ERROR = "〔要確認〕の印が残っています"
_slugs = itertools.count(1)


def qa_draft(town, owner, question=MARKED, answer=CLEAN_ANSWER, **fields):
    """A Q&A draft as ``consult.faq`` leaves it: not live, with one revision by ``owner``."""
    fields = {"title": "夜泣きについての相談", "category": "parenting", "child_age": "0", **fields}
    page = QAPage(
        slug=f"qa-test-{next(_slugs)}", question=question, answer=answer, live=False, owner=owner, **fields
    )
    qa_index(town.site).add_child(instance=page)
    page.save_revision(user=owner)
    return page


def published(town, owner, **fields):
    page = qa_draft(town, owner, question=CLEAN_QUESTION, **fields)
    page.get_latest_revision().publish(user=owner, skip_permission_checks=True)
    page.refresh_from_db()
    return page


def fresh(page):
    return QAPage.objects.get(pk=page.pk)


def edit_form(client, page):
    """What the page editor would post back unchanged, for ``page``."""
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    return querydict_from_html(response.content.decode(), form_id="page-edit-form")


def post_edit(client, page, data):
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def approve(client, page, user, comment="確認しました。"):
    client.force_login(user)
    state = fresh(page).current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    return client.post(url, {"comment": comment})


# Where the pages live ---------------------------------------------------------------------


def test_the_qa_index_belongs_under_the_consult_section_only(town_a):
    consult = town_a.sections["consult"]
    assert QAIndexPage.can_create_at(consult)
    for key in ("municipal", "regional", "community", "familysupport"):
        assert not QAIndexPage.can_create_at(town_a.sections[key])
    assert not QAIndexPage.can_create_at(town_a.home)

    index = qa_index(town_a.site)
    assert not QAIndexPage.can_create_at(Page.objects.get(pk=consult.pk)), "one list per town"
    assert QAPage.can_create_at(index)
    assert not QAPage.can_create_at(consult)
    assert QAPage.allowed_subpage_models() == []


def test_counsellors_draft_qa_pages_and_the_site_admin_publishes_them(town_a, counsellor, lead):
    page = qa_draft(town_a, counsellor)
    admin = member_of(town_a, "site_admin")
    assert qa_index(town_a.site).permissions_for_user(counsellor).can_add_subpage()
    for user in (counsellor, lead):
        perms = page.permissions_for_user(user)
        assert perms.can_edit() and not perms.can_publish()
    assert page.permissions_for_user(admin).can_publish()


# Markers keep a page from the public ----------------------------------------------------------


def test_publishing_a_page_that_still_has_markers_is_refused(town_a, counsellor):
    page = qa_draft(town_a, counsellor)

    with pytest.raises(ValidationError, match=MARKER_ERROR):
        page.get_latest_revision().publish(user=member_of(town_a, "site_admin"))

    assert not fresh(page).live


def test_a_page_without_markers_publishes(town_a, counsellor):
    page = qa_draft(town_a, counsellor, question=CLEAN_QUESTION)

    page.get_latest_revision().publish(user=member_of(town_a, "site_admin"))

    assert fresh(page).live


def test_the_editor_saves_a_draft_with_markers_but_will_not_publish_it(client, town_a, counsellor):
    page = qa_draft(town_a, counsellor)
    admin = member_of(town_a, "site_admin")
    client.force_login(admin)
    data = edit_form(client, page)
    data["lead"] = "下書きの要約を直しました。"

    saved = post_edit(client, page, data)
    assert saved.status_code == 302
    assert fresh(page).get_latest_revision().as_object().lead == "下書きの要約を直しました。"
    assert not fresh(page).live

    data["action-publish"] = "action-publish"
    refused = post_edit(client, page, data)
    assert refused.status_code == 200
    assert MARKER_ERROR in refused.content.decode()
    assert "下書きの要約を直しました。" in refused.content.decode(), "what was typed is kept"
    assert not fresh(page).live

    data["question"] = rich_text(CLEAN_QUESTION, features=QA_FEATURES)
    assert post_edit(client, page, data).status_code == 302
    page = fresh(page)
    assert page.live and "生後8か月" in page.question


def test_a_clean_qa_page_goes_through_the_lead_counsellor_and_the_pr_office(client, town_a, counsellor, lead):
    page = qa_draft(town_a, counsellor)
    admin = member_of(town_a, "site_admin")

    # The counsellor cannot send it for review while a marker remains; removing it, they can.
    client.force_login(counsellor)
    data = edit_form(client, page)
    data["action-submit"] = "action-submit"
    refused = post_edit(client, page, data)
    assert refused.status_code == 200 and MARKER_ERROR in refused.content.decode()
    assert fresh(page).current_workflow_state is None

    data["question"] = rich_text(CLEAN_QUESTION, features=QA_FEATURES)
    assert post_edit(client, page, data).status_code == 302
    state = fresh(page).current_workflow_task_state
    assert state.task.name == "三鷹市 主任相談員確認"
    assert not fresh(page).live

    # The lead counsellor checks it, then the PR office approves and so publishes it.
    assert approve(client, page, lead).status_code == 302
    assert fresh(page).current_workflow_task_state.task.name == "三鷹市 子育て広報室承認"
    assert not fresh(page).live
    assert approve(client, page, admin, "公開します。").status_code == 302

    page = fresh(page)
    assert page.live and "生後8か月" in page.question
    assert page.workflow_states.get().status == WorkflowState.STATUS_APPROVED


def test_the_last_approval_is_refused_if_a_marker_came_back_during_review(town_a, counsellor, lead):
    page = qa_draft(town_a, counsellor, question=CLEAN_QUESTION)
    page.get_workflow().start(page, counsellor)
    fresh(page).current_workflow_task_state.approve(user=lead)
    page = fresh(page)
    page.question = MARKED
    page.save_revision(user=lead)
    last_step = fresh(page).current_workflow_task_state

    with pytest.raises(ValidationError, match=MARKER_ERROR):
        last_step.approve(user=member_of(town_a, "site_admin"))

    last_step.refresh_from_db()
    assert last_step.status == TaskState.STATUS_IN_PROGRESS
    assert not fresh(page).live


# The public side ----------------------------------------------------------------------------


def get(client, town, page, **params):
    return client.get(page.relative_url(town.site), params, HTTP_HOST=town.site.hostname)


def test_a_live_qa_page_is_shown_to_the_public_in_japanese_and_escaped(client, town_a, counsellor):
    page = published(
        town_a,
        counsellor,
        title="夜泣き<b>について</b>の相談",
        lead="0歳の子の夜泣き & 寝不足",
        answer="<p>寝る前の流れを同じにしましょう。</p><script>alert(1)</script>",
    )

    response = get(client, town_a, page)

    html = response.content.decode()
    assert response.status_code == 200
    assert "夜泣き&lt;b&gt;について&lt;/b&gt;の相談" in html
    assert "0歳の子の夜泣き &amp; 寝不足" in html
    assert "生後8か月の子の夜泣きがひどくて" in html
    assert "寝る前の流れを同じにしましょう。" in html
    assert "<script>alert(1)" not in html
    assert "育児の不安・しつけ" in html and "お子さんの年齢" in html
    assert "相談員の回答" in html


def test_a_draft_qa_page_is_not_public(client, town_a, counsellor):
    page = qa_draft(town_a, counsellor, question=CLEAN_QUESTION)
    assert get(client, town_a, page).status_code == 404


def test_the_qa_list_shows_live_pages_and_filters_them(client, town_a, counsellor):
    published(town_a, counsellor, title="離乳食が進まないという相談", category="food")
    published(town_a, counsellor, title="慣らし保育についての相談", category="nursery", child_age="1")
    qa_draft(town_a, counsellor, title="まだ下書きの相談")
    index = qa_index(town_a.site)

    everything = get(client, town_a, index).content.decode()
    food = get(client, town_a, index, category="food").content.decode()
    one_year = get(client, town_a, index, child_age="1").content.decode()

    assert "離乳食が進まないという相談" in everything and "慣らし保育についての相談" in everything
    assert "まだ下書きの相談" not in everything
    assert "離乳食が進まない" in food and "慣らし保育" not in food
    assert "慣らし保育" in one_year and "離乳食が進まない" not in one_year


def test_site_search_finds_a_live_qa_page_but_never_a_draft(town_a, counsellor):
    live = published(town_a, counsellor, title="夜泣きについての相談")
    qa_draft(town_a, counsellor, question="<p>夜泣きの下書きです。</p>", title="夜泣きの下書き")

    found = [hit.page.pk for hit in service.search(town_a.site, "夜泣き").hits]

    assert found == [live.pk]


# The workflow -------------------------------------------------------------------------------


def test_a_new_town_has_the_consult_workflow(town_a):
    workflow = town_a.sections["consult"].get_workflow()

    assert workflow.name == "三鷹市 ねっと相談"
    steps = [task.specific for task in workflow.tasks]
    assert [task.name for task in steps] == ["三鷹市 主任相談員確認", "三鷹市 子育て広報室承認"]
    assert all(type(task) is GroupApprovalTask for task in steps)
    assert list(steps[0].groups.all()) == [town_a.group("counsellor_lead")]
    assert list(steps[1].groups.all()) == [town_a.group("site_admin")]
    assert qa_index(town_a.site).get_workflow() == workflow


def test_an_existing_town_gets_the_consult_workflow_when_it_is_completed(town_a):
    WorkflowPage.objects.filter(page=town_a.sections["consult"]).delete()
    assert Page.objects.get(pk=town_a.sections["consult"].pk).get_workflow() is None

    again = create_municipality("三鷹市", "mitaka.example.jp", short_name="みたか")

    assert again.sections["consult"].get_workflow().name == "三鷹市 ねっと相談"


# The demo -----------------------------------------------------------------------------------


def test_the_consult_demo_has_published_qa_canned_replies_and_cases_in_every_state(client, town_a):
    from consult.demo import load_consult_demo
    from consult.models import CannedReply, Consultation, ConsultSettings, Status

    member_of(town_a, "counsellor", username="demo-counsellor")
    member_of(town_a, "site_admin", username="demo-admin")

    created = load_consult_demo(town_a)

    assert {page.title for page in created} == {
        "夜泣きについての相談",
        "離乳食が進まないという相談",
        "保育園の慣らし保育についての相談",
    }
    assert all(fresh(page).live for page in created)
    assert get(client, town_a, qa_index(town_a.site)).status_code == 200
    assert list(CannedReply.objects.filter(site=town_a.site).values_list("title", flat=True)) == [
        "受付のご挨拶",
        "回答のしめくくり",
        "緊急時の連絡先",
    ]
    assert ConsultSettings.for_site(town_a.site).first_reply_business_days == 3
    cases = {case.number: case for case in Consultation.objects.filter(site=town_a.site)}
    assert len(cases) == 4
    assert cases["0000-0001"].urgent
    assert cases["0000-0002"].status == Status.ANSWERED
    assert cases["0000-0002"].assignee.username == "demo-counsellor"
    overdue = cases["0000-0003"]
    assert overdue.status == Status.NEW and overdue.due_at < timezone.now()
    assert all("デモ用の架空の相談" in case.messages.first().body for case in cases.values())

    counts = (QAPage.objects.count(), CannedReply.objects.count(), Consultation.objects.count())
    assert load_consult_demo(town_a) == []
    assert (QAPage.objects.count(), CannedReply.objects.count(), Consultation.objects.count()) == counts
