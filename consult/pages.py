"""The published side of ねっと相談: anonymised Q&A pages made from consultations.

A counsellor turns a case whose parent agreed into a draft ``QAPage`` (``consult.faq``); what may
identify a family is replaced by a 〔要確認…〕 marker there. A draft with markers saves as usual, so
the counsellor can work on it, but it reaches the public only once every marker is gone: the
editor form refuses to publish, submit or approve it (``QAPageForm``), and ``QAPage.publish``
refuses every other way (a workflow's last approval, scheduled publishing, a script).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.models import Page
from wagtail.search import index

from home.fields import SafeRichTextField

from .models import Category, ChildAge

MARKER_START = "〔要確認"
MARKED_FIELDS = ("title", "lead", "question", "answer")
MARKER_MESSAGE = _(
    "〔要確認〕の印が残っています。名前・電話番号・住所など、相談した家庭がわかる情報を削除するか"
    "言い換えて、印を消してから公開してください。"
)
QA_FEATURES = ["h3", "bold", "link", "ol", "ul"]


def has_marker(text):
    return MARKER_START in str(text or "")


def marked_fields(page):
    """The names of ``page``'s fields that still hold a 〔要確認…〕 marker."""
    return [name for name in MARKED_FIELDS if has_marker(getattr(page, name, ""))]


class QAPageForm(WagtailAdminPageForm):
    """Refuses to move a page with markers towards the public; saving a draft always works.

    Wagtail validates a draft save with ``is_deferred_validation`` set; publishing, submitting to
    the workflow and a reviewer's approval are full validations, and those are refused here. A
    reviewer can still ask for changes or cancel the workflow.
    """

    def moves_towards_publication(self):
        if self.is_deferred_validation:
            return False
        data = self.data
        if data.get("action-workflow-action"):
            return data.get("workflow-action-name") == "approve"
        return any(data.get(key) for key in ("action-publish", "action-submit", "action-restart-workflow"))

    def clean(self):
        cleaned = super().clean()
        if self.moves_towards_publication():
            for name in MARKED_FIELDS:
                if name in self.fields and has_marker(cleaned.get(name)):
                    self.add_error(name, MARKER_MESSAGE)
        return cleaned


class QAIndexPage(Page):
    """相談Q&A一覧: the published Q&A of one town, under its ねっと相談 section only."""

    lead = models.CharField(_("リード文"), max_length=300, blank=True)
    per_page = 20

    content_panels = [*Page.content_panels, FieldPanel("lead")]
    api_fields = [APIField("lead")]

    parent_page_types = ["home.SectionPage"]
    subpage_types = ["consult.QAPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("相談Q&A一覧")
        verbose_name_plural = _("相談Q&A一覧")

    @classmethod
    def can_exist_under(cls, parent):
        return super().can_exist_under(parent) and getattr(parent.specific, "section", "") == "consult"

    def get_context(self, request, *args, **kwargs):
        from portal_pages.listing import paginate

        context = super().get_context(request, *args, **kwargs)
        form = QAFilterForm(request.GET)
        form.is_valid()
        values = form.cleaned_data
        pages = QAPage.objects.child_of(self).live().public()
        if values.get("category"):
            pages = pages.filter(category=values["category"])
        if values.get("child_age"):
            pages = pages.filter(child_age=values["child_age"])
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            {
                "items": paginate(
                    pages.order_by("-first_published_at"), request.GET.get("page", 1), self.per_page
                ),
                "filter_form": form,
                "querystring": query.urlencode(),
            }
        )
        return context


class QAFilterForm(forms.Form):
    """The Q&A list's filters: plain GET parameters, so each is a link that needs no script."""

    category = forms.ChoiceField(
        label=_("相談の種類"), choices=[("", _("すべて")), *Category.choices], required=False
    )
    child_age = forms.ChoiceField(
        label=_("お子さんの年齢"),
        choices=[("", _("すべて")), *(c for c in ChildAge.choices if c[0] != ChildAge.UNSAID)],
        required=False,
    )

    template_name = "portal_pages/includes/filter_form.html"


class QAPage(Page):
    """相談Q&A: one anonymised consultation and the counsellor's answer, published with consent."""

    lead = models.CharField(
        _("リード文"), max_length=300, blank=True, help_text=_("一覧や検索結果に出る、内容の要約です。")
    )
    category = models.CharField(_("相談の種類"), max_length=20, choices=Category.choices)
    child_age = models.CharField(_("お子さんの年齢"), max_length=20, choices=ChildAge.choices)
    question = SafeRichTextField(_("相談"), features=QA_FEATURES)
    answer = SafeRichTextField(_("相談員の回答"), features=QA_FEATURES)

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel([FieldPanel("category"), FieldPanel("child_age")], heading=_("分類")),
        FieldPanel("question"),
        FieldPanel("answer"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("question"),
        index.SearchField("answer"),
        index.FilterField("category"),
        index.FilterField("child_age"),
        index.FilterField("locale_id"),
    ]
    api_fields = [
        APIField("lead"),
        APIField("category"),
        APIField("child_age"),
        APIField("question"),
        APIField("answer"),
    ]
    base_form_class = QAPageForm

    parent_page_types = ["consult.QAIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("相談Q&A")
        verbose_name_plural = _("相談Q&A")

    def publish(self, revision, *args, **kwargs):
        """Every way of publishing ends here but the editor's own button (see ``QAPageForm``)."""
        if marked_fields(revision.as_object()):
            raise ValidationError(MARKER_MESSAGE)
        return super().publish(revision, *args, **kwargs)
