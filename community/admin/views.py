"""The moderators' screens: the queue of waiting posts and comments, a post's edit screen,
the threads (pin and lock), a member's page (suspension) and the moderation log.

A screen reads input, calls ``community.services`` (which checks the role, changes the records
and writes the log with the actor and time), then shows a message and goes back.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.models import public_name_of

from .. import screening, services
from ..models import ModerationLog, Post, Report, Suspension, Thread
from .access import forbidden, moderated_towns, pick_town
from .forms import PostEditForm, QueueFilterForm, RejectForm, SuspendForm, ThreadFilterForm

try:
    from community import comment_moderation
except ImportError:  # pragma: no cover - written by another change
    comment_moderation = None

QUEUE_PER_PAGE = 50
COMMENTS_SHOWN = 50
THREADS_PER_PAGE = 50
LOG_PER_PAGE = 50
MEMBER_POSTS_SHOWN = 20
BODY_PREVIEW = 200

KIND_STATUSES = {
    "pending": Post.Status.PENDING,
    "held": Post.Status.HELD,
    "hidden": Post.Status.HIDDEN,
}


def member_label(user):
    """A member as moderators see them: the nickname and the username, never the real name."""
    if user is None:
        return str(public_name_of(None))
    return f"{public_name_of(user)}（{user.get_username()}）"


def town_post(request, pk):
    """The post ``pk`` of a town the user moderates; a 404 for every other post."""
    return get_object_or_404(
        Post.objects.select_related("thread__board__site", "author"),
        pk=pk,
        thread__board__site__in=moderated_towns(request),
    )


def town_comment(request, pk):
    """The waiting comment ``pk`` of a town the user moderates (and that town); else a 404."""
    if comment_moderation is None:
        raise Http404
    for site in moderated_towns(request):
        comment = comment_moderation.waiting_comments(site).filter(pk=pk).first()
        if comment is not None:
            return comment, site
    raise Http404


class ModerationView(WagtailAdminTemplateMixin, TemplateView):
    """A moderation screen: the Japanese 403 for non-moderators, then one town."""

    header_icon = "warning"
    parent_crumbs = ()
    http_method_names = ["get"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not moderated_towns(request):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def towns(self):
        return moderated_towns(self.request)

    @cached_property
    def site(self):
        return pick_town(self.request)

    @property
    def many_towns(self):
        return len(self.towns) > 1

    def get_page_subtitle(self):
        return self.site.site_name if self.many_towns else ""

    def town_url(self, name, *args):
        """``name``'s address, in this screen's town when the user moderates several."""
        url = reverse(name, args=args)
        return f"{url}?town={self.site.pk}" if self.many_towns else url

    def next_url(self):
        """Where to go back after an action: a safe ``next``, or the town's queue."""
        wanted = self.request.POST.get("next") or self.request.GET.get("next")
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return wanted
        return self.town_url("community_moderation:queue")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.town_url("community_moderation:queue"), "label": _("モデレーション")},
            *self.parent_crumbs,
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            site=self.site,
            towns=self.towns,
            many_towns=self.many_towns,
            town_query=f"town={self.site.pk}" if self.many_towns else "",
            has_comments=comment_moderation is not None,
        )
        return context


# The queue --------------------------------------------------------------------------------------


def _parse_items(values):
    """``["post:12", "comment:5", …]`` → ({12, …}, {5, …}); anything else is ignored."""
    posts, comments = set(), set()
    for value in values:
        kind, _sep, pk = value.partition(":")
        if not pk.isdigit():
            continue
        if kind == "post":
            posts.add(int(pk))
        elif kind == "comment":
            comments.add(int(pk))
    return posts, comments


class QueueView(ModerationView):
    """The town's waiting posts (and comments), oldest first; POST is a bulk action."""

    template_name = "community/admin/queue.html"
    page_title = _("確認待ちの投稿")
    http_method_names = ["get", "post"]

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("モデレーション")}]

    def waiting_posts(self, form):
        posts = services.waiting_posts(self.site)
        if form.is_valid():
            if form.cleaned_data["kind"]:
                posts = posts.filter(status=KIND_STATUSES[form.cleaned_data["kind"]])
            if form.cleaned_data["board"]:
                posts = posts.filter(thread__board=form.cleaned_data["board"])
        return posts

    def waiting_comments(self):
        if comment_moderation is None:
            return []
        comments = comment_moderation.waiting_comments(self.site).select_related("user")
        comments = list(comments.prefetch_related("content_object")[:COMMENTS_SHOWN])
        for comment in comments:
            comment.author_label = member_label(comment.user) if comment.user_id else comment.user_name
        return comments

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = QueueFilterForm(self.request.GET or None, site=self.site)
        page = Paginator(self.waiting_posts(form), QUEUE_PER_PAGE).get_page(self.request.GET.get("p"))
        posts = list(page.object_list)
        report_reasons = defaultdict(lambda: defaultdict(int))
        labels = dict(Report.Reason.choices)
        for post_id, reason in Report.objects.filter(
            post__in=[post.pk for post in posts if post.open_reports], outcome=Report.Outcome.OPEN
        ).values_list("post_id", "reason"):
            report_reasons[post_id][labels.get(reason, reason)] += 1
        for post in posts:
            post.hold_explanations = screening.explain(post.hold_reason_codes())
            post.report_reasons = sorted(report_reasons[post.pk].items())
            post.author_label = member_label(post.author)
        context.update(
            form=form,
            page_obj=page,
            posts=posts,
            comments=self.waiting_comments(),
            body_preview=BODY_PREVIEW,
            here=self.request.get_full_path(),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        post_ids, comment_ids = _parse_items(request.POST.getlist("items"))
        reason = request.POST.get("reason", "").strip()
        if action not in ("approve", "reject"):
            messages.error(request, _("操作を選んでください。"))
            return redirect(self.next_url())
        if not post_ids and not comment_ids:
            messages.error(request, _("対象の投稿・コメントを選んでください。"))
            return redirect(self.next_url())
        if action == "reject" and not reason:
            messages.error(request, _("却下の理由を入力してください。投稿者に伝えられます。"))
            return redirect(self.next_url())
        try:
            with transaction.atomic():
                posts = list(services.waiting_posts(self.site).filter(pk__in=post_ids))
                comments = (
                    list(comment_moderation.waiting_comments(self.site).filter(pk__in=comment_ids))
                    if comment_moderation is not None and comment_ids
                    else []
                )
                for post in posts:
                    if action == "approve":
                        services.approve(post, request.user)
                    else:
                        services.reject(post, request.user, reason)
                for comment in comments:
                    if action == "approve":
                        comment_moderation.approve_comment(comment, request.user)
                    else:
                        comment_moderation.reject_comment(comment, request.user, reason)
        except services.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect(self.next_url())
        counts = {"posts": len(posts), "comments": len(comments)}
        if action == "approve":
            message = _("投稿%(posts)d件とコメント%(comments)d件を承認しました。") % counts
        else:
            message = _("投稿%(posts)d件とコメント%(comments)d件を却下しました。") % counts
        messages.success(request, message)
        return redirect(self.next_url())


class ObjectActionView(ModerationView):
    """An action on one post or comment (``kind`` in the address); its town is the object's."""

    @cached_property
    def target(self):
        kind, pk = self.kwargs["kind"], self.kwargs["pk"]
        if kind == "post":
            post = town_post(self.request, pk)
            return post, post.thread.board.site
        if kind == "comment":
            return town_comment(self.request, pk)
        raise Http404

    @cached_property
    def site(self):
        return self.target[1]

    @property
    def is_post(self):
        return self.kwargs["kind"] == "post"


class ApproveView(ObjectActionView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        target, _site = self.target
        try:
            if self.is_post:
                services.approve(target, request.user)
                messages.success(request, _("投稿を承認しました。公開されています。"))
            else:
                comment_moderation.approve_comment(target, request.user)
                messages.success(request, _("コメントを承認しました。公開されています。"))
        except services.Refused as refusal:
            messages.error(request, str(refusal))
        return redirect(self.next_url())


class RejectView(ObjectActionView):
    """GET asks for the reason (which the author is e-mailed); POST rejects."""

    template_name = "community/admin/reject.html"
    page_title = _("却下する")
    http_method_names = ["get", "post"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target, _site = self.target
        context.update(
            target=target,
            is_post=self.is_post,
            author_label=member_label(target.author if self.is_post else target.user),
            form=kwargs.get("form") or RejectForm(),
            next=self.next_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = RejectForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        target, _site = self.target
        try:
            if self.is_post:
                services.reject(target, request.user, form.cleaned_data["reason"])
                messages.success(request, _("投稿を却下しました。投稿者に理由をメールで伝えます。"))
            else:
                comment_moderation.reject_comment(target, request.user, form.cleaned_data["reason"])
                messages.success(request, _("コメントを却下しました。"))
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return redirect(self.next_url())


class PostEditView(ModerationView):
    """A moderator corrects a post (removes a phone number, …); the status stays as it was."""

    template_name = "community/admin/post_edit.html"
    page_title = _("投稿を編集")
    http_method_names = ["get", "post"]

    @cached_property
    def post_record(self):
        return town_post(self.request, self.kwargs["pk"])

    @cached_property
    def site(self):
        return self.post_record.thread.board.site

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.post_record
        context.update(
            post=post,
            author_label=member_label(post.author),
            reasons=screening.explain(screening.screen(post.body, self.site)),
            form=kwargs.get("form") or PostEditForm(initial={"body": post.body}),
            next=self.next_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = PostEditForm(request.POST)
        if form.is_valid():
            try:
                services.moderator_edit(
                    self.post_record, request.user, form.cleaned_data["body"], form.cleaned_data["reason"]
                )
            except services.Refused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("投稿を編集しました。"))
                return redirect(self.next_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


# Threads ----------------------------------------------------------------------------------------


class ThreadListView(ModerationView):
    template_name = "community/admin/threads.html"
    page_title = _("スレッド")
    header_icon = "list-ul"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ThreadFilterForm(self.request.GET or None, site=self.site)
        threads = (
            Thread.objects.filter(board__site=self.site)
            .select_related("board", "author")
            .annotate(waiting=Count("posts", filter=Q(posts__status__in=Post.WAITING)))
            .order_by("-pinned", "-last_posted_at", "-pk")
        )
        if form.is_valid() and form.cleaned_data["board"]:
            threads = threads.filter(board=form.cleaned_data["board"])
        page = Paginator(threads, THREADS_PER_PAGE).get_page(self.request.GET.get("p"))
        for thread in page.object_list:
            thread.author_label = member_label(thread.author)
        context.update(form=form, page_obj=page, threads=page.object_list, here=self.request.get_full_path())
        return context


class ThreadFlagsView(ModerationView):
    """POST ``pinned`` and/or ``locked`` ("1" or "0") for one thread of a town the user moderates."""

    http_method_names = ["post"]

    @cached_property
    def thread(self):
        return get_object_or_404(
            Thread.objects.select_related("board__site"), pk=self.kwargs["pk"], board__site__in=self.towns
        )

    @cached_property
    def site(self):
        return self.thread.board.site

    def post(self, request, *args, **kwargs):
        def flag(name):
            value = request.POST.get(name)
            return None if value not in ("0", "1") else value == "1"

        pinned, locked = flag("pinned"), flag("locked")
        try:
            services.set_thread_flags(self.thread, request.user, pinned=pinned, locked=locked)
        except services.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect(self.next_url())
        done = {
            (True, None): _("「%(title)s」を上に固定しました。"),
            (False, None): _("「%(title)s」の固定を解除しました。"),
            (None, True): _("「%(title)s」の返信を締め切りました。"),
            (None, False): _("「%(title)s」の締め切りを解除しました。"),
        }.get((pinned, locked), _("「%(title)s」を更新しました。"))
        messages.success(request, done % {"title": self.thread.title})
        return redirect(self.next_url())


# Members ----------------------------------------------------------------------------------------


class MemberView(ModerationView):
    """A member of the town as moderators see them: nickname, counts, suspension."""

    template_name = "community/admin/member.html"
    header_icon = "user"
    http_method_names = ["get", "post"]

    @cached_property
    def member(self):
        in_town = Q(municipality=self.site) | Q(board_posts__thread__board__site=self.site)
        ids = get_user_model().objects.filter(in_town, pk=self.kwargs["pk"]).values("pk")
        return get_object_or_404(get_user_model(), pk__in=ids)

    def get_page_title(self):
        return _("メンバー：%(name)s") % {"name": public_name_of(self.member)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member, site = self.member, self.site
        posts = Post.objects.filter(author=member, thread__board__site=site)
        counts = posts.aggregate(
            approved=Count("pk", filter=Q(status=Post.Status.PUBLISHED)),
            waiting=Count("pk", filter=Q(status__in=Post.WAITING)),
            rejected=Count("pk", filter=Q(status=Post.Status.REJECTED)),
        )
        counts["upheld"] = Report.objects.filter(
            post__author=member, post__thread__board__site=site, outcome=Report.Outcome.UPHELD
        ).count()
        context.update(
            member=member,
            nickname=public_name_of(member),
            username=member.get_username(),
            counts=counts,
            suspension=Suspension.objects.filter(user=member, site=site)
            .select_related("suspended_by")
            .first(),
            is_moderator=services.is_moderator(member, site),
            recent_posts=posts.select_related("thread__board").order_by("-created_at", "-pk")[
                :MEMBER_POSTS_SHOWN
            ],
            form=kwargs.get("form") or SuspendForm(),
            body_preview=BODY_PREVIEW,
        )
        if context["suspension"] is not None:
            context["suspended_by_label"] = member_label(context["suspension"].suspended_by)
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        form = SuspendForm(request.POST)
        try:
            if action == "suspend":
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                services.suspend(self.member, self.site, request.user, form.cleaned_data["reason"])
                messages.success(request, _("このメンバーの投稿を停止しました。"))
            elif action == "unsuspend":
                services.unsuspend(self.member, self.site, request.user)
                messages.success(request, _("投稿停止を解除しました。"))
            else:
                messages.error(request, _("操作を選んでください。"))
        except services.Refused as refusal:
            messages.error(request, str(refusal))
        return redirect(self.town_url("community_moderation:member", self.member.pk))


# The log ----------------------------------------------------------------------------------------


class LogView(ModerationView):
    template_name = "community/admin/log.html"
    page_title = _("モデレーション記録")
    header_icon = "history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = (
            ModerationLog.objects.filter(site=self.site)
            .select_related("actor")
            .order_by("-created_at", "-pk")
        )
        page = Paginator(rows, LOG_PER_PAGE).get_page(self.request.GET.get("p"))
        for row in page.object_list:
            row.actor_label = member_label(row.actor) if row.actor_id else _("自動（通報の件数による）")
        context.update(page_obj=page, rows=page.object_list)
        return context
