"""One case: the thread, the internal notes and everything a counsellor does with it.

Every showing of the page is an opening and goes to the access log (``services.log_open``);
every change goes through ``consult.services``, which checks the role, logs and notifies.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from ... import services
from ...models import CannedReply, ReplyChannel
from ..access import readable_case
from ..forms import AssignForm, NoteForm, ReplyForm, StatusForm, person_label
from .base import ConsultAdminView
from .inbox import is_overdue


def labelled(records):
    """The records with their author's display name (``author_label``)."""
    records = list(records)
    for record in records:
        record.author_label = person_label(record.author) if record.author else ""
    return records


class CaseView(ConsultAdminView):
    template_name = "consult/admin/case.html"
    header_icon = "help"
    http_method_names = ["get"]

    @cached_property
    def case(self):
        return readable_case(self.request, self.kwargs["pk"])

    @cached_property
    def site(self):
        return self.case.site

    def get_page_title(self):
        # Not the 相談番号: titles stay in browser history and tab lists.
        return case_title(self.case)

    def get_page_subtitle(self):
        return ""

    def get(self, request, pk):
        return self.show()

    def show(self, status=200, **forms):
        """The case page (an opening, so it is logged), with any forms kept as typed."""
        services.log_open(self.case, self.request.user)
        return self.render_to_response(self.get_context_data(**forms), status=status)

    def canned_replies(self):
        return list(CannedReply.objects.filter(site=self.site))

    def reply_initial(self, canned):
        chosen = self.request.GET.get("canned")
        for reply in canned:
            if chosen and str(reply.pk) == chosen:
                return {"body": reply.body}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.case, self.request.user
        can_handle = services.can_handle(user, case)
        canned = self.canned_replies() if can_handle else []
        thread = labelled(case.messages.select_related("author"))
        notes = labelled(case.notes.select_related("author"))
        case.assignee_label = person_label(case.assignee) if case.assignee else ""
        context.update(
            case=case,
            thread=thread,
            notes=notes,
            escalated_by_label=person_label(case.escalated_by) if case.escalated_by else "",
            canned_bodies={str(reply.pk): reply.body for reply in canned},
            risk_terms=[term for term in case.risk_terms.split("、") if term],
            overdue=is_overdue(case, timezone.now()),
            can_handle=can_handle,
            can_escalate=services.is_counsellor(user, case.site) and case.escalated_at is None,
            canned=canned,
            chosen_canned=self.request.GET.get("canned", ""),
            note_form=kwargs.get("note_form") or NoteForm(auto_id="note_%s"),
        )
        if can_handle:
            context.update(
                reply_form=kwargs.get("reply_form")
                or ReplyForm(initial=self.reply_initial(canned), auto_id="reply_%s"),
                status_form=StatusForm(initial={"status": case.status}, auto_id="status_%s"),
                assign_form=kwargs.get("assign_form")
                or AssignForm(site=case.site, initial={"assignee": case.assignee_id}, auto_id="assign_%s"),
            )
        return context


class CaseActionView(CaseView):
    """POST only; a refused change comes back to the case page with the reason in Japanese."""

    http_method_names = ["post"]

    def back(self):
        return redirect("consult_inbox:case", self.case.pk)

    def post(self, request, pk):
        try:
            return self.act()
        except services.ConsultError as error:
            return self.refused(error)

    def refused(self, error):
        messages.error(self.request, str(error))
        return self.back()


class ReplyView(CaseActionView):
    def act(self):
        form = ReplyForm(self.request.POST, auto_id="reply_%s")
        if not form.is_valid():
            return self.show(reply_form=form)
        services.counsellor_reply(self.case, self.request.user, form.cleaned_data["body"])
        if self.case.reply_channel == ReplyChannel.EMAIL:
            messages.success(
                self.request, _("回答を送りました。相談者には、回答が届いたことだけをメールで知らせます。")
            )
        else:
            messages.success(self.request, _("回答を送りました。相談者は相談番号と合言葉で確認します。"))
        return self.back()

    def refused(self, error):
        form = ReplyForm(self.request.POST, auto_id="reply_%s")
        form.is_valid()
        form.add_error(None, str(error))
        return self.show(reply_form=form)


class NoteView(CaseActionView):
    def act(self):
        form = NoteForm(self.request.POST, auto_id="note_%s")
        if not form.is_valid():
            return self.show(note_form=form)
        services.add_note(self.case, self.request.user, form.cleaned_data["body"])
        messages.success(self.request, _("内部メモを追加しました。"))
        return self.back()

    def refused(self, error):
        form = NoteForm(self.request.POST, auto_id="note_%s")
        form.is_valid()
        form.add_error(None, str(error))
        return self.show(note_form=form)


class StatusView(CaseActionView):
    def act(self):
        form = StatusForm(self.request.POST)
        if not form.is_valid():
            raise services.ConsultError(gettext("その状態には変更できません。"))
        case = services.set_status(self.case, self.request.user, form.cleaned_data["status"])
        messages.success(
            self.request, _("状態を「%(status)s」にしました。") % {"status": case.get_status_display()}
        )
        return self.back()


class AssignView(CaseActionView):
    def act(self):
        form = AssignForm(self.request.POST, site=self.case.site)
        if not form.is_valid():
            raise services.ConsultError(gettext("この自治体の相談員を選んでください。"))
        assignee = form.cleaned_data["assignee"]
        services.assign(self.case, self.request.user, assignee)
        messages.success(self.request, _("担当者を変更しました。"))
        return self.back()


class EscalateView(CaseActionView):
    """GET asks to confirm (the page shows no text, so it is not an opening); POST hands over."""

    http_method_names = ["get", "post"]
    template_name = "consult/admin/escalate_confirm.html"

    def get_page_title(self):
        return gettext("子ども家庭支援ネットワークへ引き継ぐ")

    def get(self, request, pk):
        if not services.is_counsellor(request.user, self.case.site) or self.case.escalated_at:
            return self.back()
        context = {
            **super(CaseView, self).get_context_data(),
            "case": self.case,
        }
        return self.render_to_response(context)

    def get_parent_crumbs(self):
        return [{"url": reverse("consult_inbox:case", args=[self.case.pk]), "label": case_title(self.case)}]

    def act(self):
        services.escalate(self.case, self.request.user)
        messages.success(
            self.request,
            _(
                "子ども家庭支援ネットワークへ引き継ぎました。ネットワークには相談の内容を書かずに知らせました。"
            ),
        )
        return self.back()


class ExportView(CaseActionView):
    """The thread as a plain-text file (logged). Internal notes stay out: see ``export_text``."""

    def act(self):
        services.log_export(self.case, self.request.user)
        text = export_text(self.case)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="soudan-{timezone.localtime(self.case.created_at):%Y%m%d}.txt"'
        )
        return response


def case_title(case):
    return gettext("相談（%(category)s・%(date)s受付）") % {
        "category": case.get_category_display(),
        "date": date_format(timezone.localtime(case.created_at), "Y年n月j日"),
    }


def export_text(case):
    """What was said between the parent and the counsellors, for a hand-over or the parent's
    request for their record. Internal notes are the counsellors' working judgements, not part
    of that record, so a file that leaves the system does not carry them."""
    return render_to_string(
        "consult/admin/export.txt",
        {"case": case, "thread": case.messages.select_related("author"), "exported_at": timezone.now()},
    )


class FaqDraftView(CaseActionView):
    """「Q&A下書きを作る」: only with the parent's consent; ``consult.faq`` writes the draft."""

    def act(self):
        if not self.case.faq_consent or not services.can_handle(self.request.user, self.case):
            raise Http404
        from ... import faq

        draft = faq.create_draft(self.case, self.request.user)
        page = getattr(draft, "page", draft)
        flagged = len(getattr(draft, "flagged", ()))
        if flagged:
            messages.warning(
                self.request,
                _(
                    "Q&Aの下書きを作りました。個人が特定されるおそれのある箇所が%(count)d件あります。〔要確認〕の印を直してから申請してください。"
                )
                % {"count": flagged},
            )
        else:
            messages.success(self.request, _("Q&Aの下書きを作りました。公開前に内容を確認してください。"))
        return redirect("wagtailadmin_pages:edit", page.pk)
