"""マイアカウント: a member's own page — nickname, their data as JSON, leaving the site."""

import json

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from .forms import DeleteAccountForm, NicknameForm
from .services import delete_account, export_data


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def me(request):
    form = NicknameForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("ニックネームを変更しました。"))
        return redirect("accounts_me")
    return render(request, "account/me.html", {"form": form})


@never_cache
@login_required
@require_GET
def export(request):
    data = json.dumps(export_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    filename = f"kosodate-net-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request):
    """退会: the password and a tick; staff accounts are removed by a site administrator."""
    user = request.user
    # Staff by flag or by role (a counsellor's group gives admin access without is_staff).
    if user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return render(request, "account/delete.html", {"staff": True})
    form = DeleteAccountForm(user, request.POST or None)
    if request.method == "POST":
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            form.add_error(
                None, _("操作が続いたため、しばらく受け付けを止めています。時間をおいてお試しください。")
            )
        elif form.is_valid():
            delete_account(user)
            logout(request)
            messages.success(request, _("退会しました。ご利用ありがとうございました。"))
            return redirect("/")
    return render(request, "account/delete.html", {"form": form})
