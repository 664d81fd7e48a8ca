"""Citizen blogs: each blogger writes in their own blog, and the 編集会議 publishes the posts."""

import datetime
import itertools

import pytest
from django.urls import reverse
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from community.demo_blog import load_demo_blog
from community.pages import BlogIndexPage, BlogPostPage, ensure_blog

pytestmark = pytest.mark.django_db

_slugs = itertools.count(1)


def add_url(parent, model="blogpostpage"):
    return reverse("wagtailadmin_pages:add", args=["community", model, parent.pk])


def publish_post(blog, title="双子の寝かしつけ", body="<p>毎晩の工夫です。</p>", **fields):
    post = BlogPostPage(title=title, slug=f"post-{next(_slugs)}", body=body, owner=blog.blogger, **fields)
    blog.add_child(instance=post)
    post.save_revision(user=blog.blogger).publish(skip_permission_checks=True)
    post.refresh_from_db()
    return post


def post_form(client, blog, **fields):
    """Fill in the admin's 「ブログ記事」 form under ``blog`` and send it."""
    form = client.get(add_url(blog))
    assert form.status_code == 200
    data = querydict_from_html(form.content.decode(), form_id="page-edit-form")
    data.update(
        {
            "title": "はじめての双子健診",
            "slug": f"kenshin-{next(_slugs)}",
            "lead": "4か月健診に双子で行きました。",
            "date": "2026-06-01",
            "body": rich_text("<p>待ち時間が長いので、抱っこひもを2つ持っていきました。</p>"),
            **fields,
        }
    )
    return client.post(add_url(blog), data)


@pytest.fixture
def blogger(town_a, make_member):
    return make_member(town_a, "blogger", username="futago-papa", nickname="ふたごパパ")


@pytest.fixture
def blog(blogger, town_a):
    return ensure_blog(blogger, town_a.site)


# Where blogs and posts may be made ------------------------------------------------------------


def test_a_blog_is_made_only_in_the_community_section(town_a):
    assert BlogIndexPage.can_create_at(town_a.sections["community"])
    assert not BlogIndexPage.can_create_at(town_a.sections["regional"])
    assert not BlogIndexPage.can_create_at(town_a.home)


def test_ensure_blog_makes_one_live_blog_owned_by_the_blogger(blogger, town_a):
    blog = ensure_blog(blogger, town_a.site)
    assert ensure_blog(blogger, town_a.site) == blog
    assert blog.live and blog.owner == blogger and blog.blogger == blogger
    assert blog.get_parent().pk == town_a.sections["community"].pk


def test_blogger_writes_a_draft_post_in_their_own_blog_through_the_admin(client, blog, blogger):
    client.force_login(blogger)

    response = post_form(client, blog, title="はじめての双子健診")

    assert response.status_code == 302
    post = BlogPostPage.objects.child_of(blog).get(title="はじめての双子健診")
    assert post.owner == blogger and not post.live
    assert post.date == datetime.date(2026, 6, 1)


def test_blogger_is_refused_in_another_bloggers_blog(client, town_a, make_member, blogger, blog):
    other = make_member(town_a, "blogger", nickname="みつごママ")
    others_blog = ensure_blog(other, town_a.site)
    client.force_login(blogger)

    shown = client.get(add_url(others_blog))
    sent = client.post(add_url(others_blog), {"title": "乗っ取り", "slug": "nottori"})

    assert shown.status_code == 302 and sent.status_code == 302
    assert not BlogPostPage.objects.child_of(others_blog).exists()
    followed = client.get(shown.url)
    assert "ほかの人のブログには記事を書けません" in followed.content.decode()


def test_blogger_cannot_edit_or_delete_another_bloggers_post(client, town_a, make_member, blogger):
    other = make_member(town_a, "blogger", nickname="みつごママ")
    post = publish_post(ensure_blog(other, town_a.site))
    client.force_login(blogger)

    assert client.get(reverse("wagtailadmin_pages:edit", args=[post.pk])).status_code == 302
    assert client.post(reverse("wagtailadmin_pages:delete", args=[post.pk])).status_code == 302
    assert Page.objects.filter(pk=post.pk).exists()


def test_a_blogger_gets_one_blog(client, town_a, make_member, blogger, blog):
    section = town_a.sections["community"]
    client.force_login(blogger)
    assert client.get(add_url(section, "blogindexpage")).status_code == 302

    newcomer = make_member(town_a, "blogger", nickname="はじめてブロガー")
    client.force_login(newcomer)
    assert client.get(add_url(section, "blogindexpage")).status_code == 200


def test_moderator_may_add_a_post_to_any_blog(client, town_a, blog, superuser):
    client.force_login(superuser)
    assert client.get(add_url(blog)).status_code == 200


# Publishing through the 編集会議 ---------------------------------------------------------------


def test_blogger_cannot_publish_directly(client, blog, blogger):
    client.force_login(blogger)

    response = post_form(client, blog, title="公開したい記事", **{"action-publish": "action-publish"})

    assert response.status_code == 302
    post = BlogPostPage.objects.child_of(blog).get(title="公開したい記事")
    assert not post.live
    assert not post.permissions_for_user(blogger).can_publish()


def test_submitting_a_post_sends_it_to_the_towns_editorial_meeting(client, town_a, blog, blogger):
    client.force_login(blogger)

    post_form(client, blog, title="会議に出す記事", **{"action-submit": "action-submit"})

    post = BlogPostPage.objects.child_of(blog).get(title="会議に出す記事")
    state = post.workflow_states.get()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "三鷹市 掲示板・ブログ"
    assert post.current_workflow_task.name == "三鷹市 編集会議"
    assert not post.live


def test_meeting_members_can_open_a_submitted_post(client, town_a, blog, blogger, make_member):
    client.force_login(blogger)
    post_form(client, blog, title="会議に出す記事", **{"action-submit": "action-submit"})
    post = BlogPostPage.objects.child_of(blog).get(title="会議に出す記事")
    editor = make_member(town_a, "npo_editor", nickname="かわさん")
    client.force_login(editor)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[post.pk]))

    assert response.status_code == 200


# What readers see -----------------------------------------------------------------------------


def test_blog_post_renders_sanitised_body_and_the_bloggers_nickname(client, town_a, blog):
    post = publish_post(
        blog,
        title="夜泣きの記録",
        body='<p>今夜も<b>2回</b>起きました。</p><script>alert("x")</script><p onclick="steal()">おわり</p>',
    )
    assert "<script" not in post.body

    response = client.get(post.url, HTTP_HOST=town_a.site.hostname)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<b>2回</b>" in html and "おわり" in html
    assert 'alert("x")' not in html and "steal()" not in html
    assert "ふたごパパ" in html and "小林" not in html


def test_blog_lists_live_posts_newest_first(client, town_a, blog, blogger):
    publish_post(blog, title="春の記事", date=datetime.date(2026, 4, 1))
    publish_post(blog, title="夏の記事", date=datetime.date(2026, 7, 1))
    draft = BlogPostPage(title="下書きの記事", slug="draft", body="<p>まだ</p>", owner=blogger, live=False)
    blog.add_child(instance=draft)

    html = client.get(blog.url, HTTP_HOST=town_a.site.hostname).content.decode()

    assert html.index("夏の記事") < html.index("春の記事")
    assert "下書きの記事" not in html
    assert "ブロガー：ふたごパパ" in html


def test_blog_list_is_paginated(client, town_a, blog):
    for n in range(BlogIndexPage.per_page + 1):
        publish_post(blog, title=f"記事{n:02d}", date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n))

    first = client.get(blog.url, HTTP_HOST=town_a.site.hostname).content.decode()
    second = client.get(blog.url + "?page=2", HTTP_HOST=town_a.site.hostname).content.decode()

    assert "記事10" in first and "記事00" not in first
    assert "記事00" in second and 'rel="prev"' in second


def test_demo_blog_is_made_once(town_a, make_member):
    make_member(town_a, "blogger", username="demo-blogger", nickname="ふたごパパ")

    blog = load_demo_blog(town_a.site)
    load_demo_blog(town_a.site)

    posts = BlogPostPage.objects.child_of(blog)
    assert posts.count() == 2 and all(post.live for post in posts)
    assert BlogIndexPage.objects.filter(blogger__username="demo-blogger").count() == 1
    assert all("双子" in post.title for post in posts)


def test_the_explorer_shows_a_blogger_only_their_own_blog_but_a_site_admin_every_blog(
    client, town_a, make_member, blogger, blog
):
    other = make_member(town_a, "blogger", username="hitori-mama", nickname="ひとりママ")
    other_blog = ensure_blog(other, town_a.site)
    section = town_a.sections["community"]
    url = reverse("wagtailadmin_explore", args=[section.pk])
    client.force_login(blogger)
    response = client.get(url)
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    html = response.content.decode()
    assert blog.title in html and other_blog.title not in html
    client.force_login(make_member(town_a, "site_admin"))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert blog.title in html and other_blog.title in html
