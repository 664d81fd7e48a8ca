"""The members' side of the boards (掲示板), under the section's own address (/keijiban/…).

A view reads the request, calls ``community.services`` and renders; who may read, post, react
or report is decided there. Every board is looked up in the town the request is for; a board
or thread the visitor may not read is a 404, the same as one that does not exist. Pages are
personal (the viewer's own waiting posts, their reactions, CSRF tokens), so none is cached.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Site

from accounts.models import public_name_of

from . import limits, screening, services
from .forms import EditForm, ReplyForm, ReportForm, ThreadForm
from .models import Board, Post, Subscription, Thread

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 20
NOTICE_KEY = "community:notice"
POSTED_KEY = "community:posted"

NOTICES = {
    "deleted": gettext_lazy("投稿を削除しました。"),
    "edited": gettext_lazy("投稿を直しました。"),
    "reported": gettext_lazy("通報を受け付けました。モデレーターが確認します。ご協力ありがとうございます。"),
    "subscribed": gettext_lazy("このスレッドに返信があったら、メールでお知らせします。"),
    "unsubscribed": gettext_lazy("このスレッドの返信のお知らせを止めました。"),
}


class SeeOther(HttpResponseRedirect):
    """After a POST, the browser fetches the next page with GET (and Back does not resend)."""

    status_code = 303


def _site(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site


def _login(request, next_url=None):
    return redirect_to_login(next_url or request.get_full_path(), settings.LOGIN_URL)


def _notice(request, key):
    request.session[NOTICE_KEY] = key


def _pop_notice(request):
    return NOTICES.get(request.session.pop(NOTICE_KEY, None))


def _board(request, slug):
    """The board ``slug`` of the request's town, if the visitor may read it; otherwise 404."""
    board = get_object_or_404(Board.objects.select_related("site"), site=_site(request), slug=slug)
    if not services.can_read_board(request.user, board):
        raise Http404
    return board


def _is_author(user, post):
    return user.is_authenticated and post is not None and post.author_id == user.pk


def _thread(request, board, pk):
    """A thread of ``board`` whose opening post is public, or the viewer's own waiting one."""
    thread = get_object_or_404(Thread, board=board, pk=pk)
    thread.board = board
    opening = thread.posts.filter(is_opening=True).select_related("author").first()
    if opening is None or not (opening.is_public or _is_author(request.user, opening)):
        raise Http404
    return thread, opening


def _post(request, pk):
    """A post of the request's town that the visitor may see (public, or their own)."""
    post = get_object_or_404(
        Post.objects.select_related("thread__board__site", "author"),
        pk=pk,
        thread__board__site=_site(request),
    )
    if not services.can_read_board(request.user, post.thread.board):
        raise Http404
    if not (post.is_public or _is_author(request.user, post)):
        raise Http404
    return post


def _thread_url(thread, post=None):
    url = reverse("community:thread", args=[thread.board.slug, thread.pk])
    return f"{url}#post-{post.pk}" if post is not None else url


def _thread_still_open_to(user, thread):
    opening = thread.posts.filter(is_opening=True).first()
    return opening is not None and (opening.is_public or _is_author(user, opening))


def _refused(request, error, status=403):
    return render(request, "community/refused.html", {"message": str(error)}, status=status)


# Reading --------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def index(request):
    """The boards this visitor may read (the workshop's only for its members)."""
    boards = services.boards_for(request.user, _site(request))
    return render(request, "community/index.html", {"boards": boards})


@never_cache
@require_http_methods(["GET", "HEAD"])
def board(request, board_slug):
    board = _board(request, board_slug)
    threads = services.public_threads(board)
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    for thread in page:
        thread.author_name = public_name_of(thread.author)
    context = {"board": board, "page_obj": page, "notice": _pop_notice(request)}
    return render(request, "community/board.html", context)


def _quoted(posts, raw_pk):
    """The public post of ``posts`` whose pk is ``raw_pk``, if there is one."""
    try:
        pk = int(raw_pk)
    except (TypeError, ValueError):
        return None
    return next((post for post in posts if post.pk == pk and post.is_public), None)


def _thread_page(request, board, thread, opening, *, form=None, limited=False, status=200):
    user = request.user
    posts = list(services.visible_posts(thread, user))
    helpful = services.mark_helpful_for(user, posts)
    posted_pk = request.session.pop(POSTED_KEY, None)
    posted = None
    for post in posts:
        post.author_name = public_name_of(post.author)
        post.mine = _is_author(user, post)
        post.marked_helpful = post.pk in helpful
        post.reasons = screening.explain(post.hold_reason_codes()) if post.mine else []
        if post.quote is not None:
            post.quote_visible = post.quote.is_public
            post.quote_name = public_name_of(post.quote.author)
        if post.pk == posted_pk:
            posted = post
    if form is None:
        quote = _quoted(posts, request.GET.get("quote"))
        form = ReplyForm(initial={"quote": quote.pk if quote else None})
    quoting = _quoted(posts, form["quote"].value())
    context = {
        "board": board,
        "thread": thread,
        "opening": opening,
        "posts": posts,
        "posted": posted,
        "form": form,
        "quoting": quoting,
        "subscribed": user.is_authenticated
        and Subscription.objects.filter(thread=thread, user=user).exists(),
        "can_reply": opening.is_public and not thread.locked,
        "limited": limited,
        "notice": _pop_notice(request),
    }
    return render(request, "community/thread.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def thread(request, board_slug, thread_pk):
    board = _board(request, board_slug)
    thread, opening = _thread(request, board, thread_pk)
    return _thread_page(request, board, thread, opening)


@never_cache
@require_http_methods(["GET", "HEAD"])
def mine(request):
    """The member's own posts in this town, newest first, with where each one stands."""
    if not request.user.is_authenticated:
        return _login(request)
    posts = (
        Post.objects.filter(author=request.user, thread__board__site=_site(request))
        .select_related("thread__board")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    for post in page:
        post.reasons = screening.explain(post.hold_reason_codes())
    return render(request, "community/mine.html", {"page_obj": page, "notice": _pop_notice(request)})


# Writing --------------------------------------------------------------------------------------


def _published_or_waiting(request, post):
    """Where to go after posting: the post, with a notice of whether it is public yet."""
    request.session[POSTED_KEY] = post.pk
    return SeeOther(_thread_url(post.thread, post))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def new_thread(request, board_slug):
    board = _board(request, board_slug)
    if not request.user.is_authenticated:
        return _login(request)

    def page(form, *, limited=False, status=200):
        context = {"board": board, "form": form, "limited": limited}
        return render(request, "community/new_thread.html", context, status=status)

    if request.method != "POST":
        return page(ThreadForm())
    form = ThreadForm(request.POST)
    if form.honeypot_filled:
        # Looks accepted to whoever filled the hidden field; nothing is saved.
        return SeeOther(reverse("community:board", args=[board.slug]))
    if not form.is_valid():
        return page(form)
    if limits.post_limited(request):
        return page(form, limited=True, status=429)
    data = form.cleaned_data
    try:
        post = services.start_thread(
            board, request.user, data["title"], data["body"], subscribe=data["subscribe"]
        )
    except services.Refused as error:
        form.add_error(None, str(error))
        return page(form)
    return _published_or_waiting(request, post)


@never_cache
@require_POST
def reply(request, board_slug, thread_pk):
    board = _board(request, board_slug)
    if not request.user.is_authenticated:
        return _login(request, reverse("community:thread", args=[board.slug, thread_pk]))
    thread, opening = _thread(request, board, thread_pk)
    form = ReplyForm(request.POST)
    if form.honeypot_filled:
        return SeeOther(_thread_url(thread))
    if not form.is_valid():
        return _thread_page(request, board, thread, opening, form=form)
    if limits.post_limited(request):
        return _thread_page(request, board, thread, opening, form=form, limited=True, status=429)
    data = form.cleaned_data
    quote = None
    if data["quote"]:
        quote = thread.posts.filter(pk=data["quote"], status=Post.Status.PUBLISHED).first()
    try:
        post = services.reply(thread, request.user, data["body"], quote=quote, subscribe=data["subscribe"])
    except services.Refused as error:
        form.add_error(None, str(error))
        return _thread_page(request, board, thread, opening, form=form)
    return _published_or_waiting(request, post)


def _own_post(request, pk):
    post = _post(request, pk)
    if not _is_author(request.user, post):
        raise Http404
    return post


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, post_pk):
    if not request.user.is_authenticated:
        return _login(request)
    post = _own_post(request, post_pk)

    def page(form, *, limited=False, status=200):
        context = {"post": post, "thread": post.thread, "board": post.thread.board, "form": form}
        return render(request, "community/edit.html", {**context, "limited": limited}, status=status)

    if request.method != "POST":
        return page(EditForm(initial={"body": post.body}))
    form = EditForm(request.POST)
    if not form.is_valid():
        return page(form)
    if limits.post_limited(request):
        return page(form, limited=True, status=429)
    try:
        services.edit_own(post, request.user, form.cleaned_data["body"])
    except services.Refused as error:
        form.add_error(None, str(error))
        return page(form)
    return _published_or_waiting(request, post)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, post_pk):
    if not request.user.is_authenticated:
        return _login(request)
    post = _own_post(request, post_pk)
    thread = post.thread
    if request.method != "POST":
        return render(
            request, "community/delete.html", {"post": post, "thread": thread, "board": thread.board}
        )
    try:
        services.delete_own(post, request.user)
    except services.Refused as error:
        return _refused(request, error)
    _notice(request, "deleted")
    if post.is_opening:
        return SeeOther(reverse("community:board", args=[thread.board.slug]))
    return SeeOther(_thread_url(thread))


# Reacting -------------------------------------------------------------------------------------


@never_cache
@require_POST
def helpful(request, post_pk):
    post = _post(request, post_pk)
    if not request.user.is_authenticated:
        return _login(request, _thread_url(post.thread, post))
    try:
        services.toggle_helpful(post, request.user)
    except services.Refused as error:
        return _refused(request, error)
    return SeeOther(_thread_url(post.thread, post))


@never_cache
@require_POST
def subscribe(request, board_slug, thread_pk):
    board = _board(request, board_slug)
    if not request.user.is_authenticated:
        return _login(request, reverse("community:thread", args=[board.slug, thread_pk]))
    thread, _opening = _thread(request, board, thread_pk)
    try:
        on = services.set_subscription(thread, request.user, request.POST.get("subscribe") == "1")
    except services.Refused as error:
        return _refused(request, error)
    _notice(request, "subscribed" if on else "unsubscribed")
    return SeeOther(_thread_url(thread))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, post_pk):
    if not request.user.is_authenticated:
        return _login(request)
    post = _post(request, post_pk)
    post.author_name = public_name_of(post.author)
    thread = post.thread

    def page(form, *, limited=False, status=200):
        context = {"post": post, "thread": thread, "board": thread.board, "form": form, "limited": limited}
        return render(request, "community/report.html", context, status=status)

    if request.method != "POST":
        return page(ReportForm())
    form = ReportForm(request.POST)
    if not form.is_valid():
        return page(form)
    if limits.report_limited(request):
        return page(form, limited=True, status=429)
    try:
        services.report(post, request.user, form.cleaned_data["reason"], form.cleaned_data["note"])
    except services.Refused as error:
        form.add_error(None, str(error))
        return page(form)
    _notice(request, "reported")
    if _thread_still_open_to(request.user, thread):
        return SeeOther(_thread_url(thread))
    return SeeOther(reverse("community:board", args=[thread.board.slug]))
