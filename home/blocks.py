"""The blocks every page body is built from (one shared StreamBlock, as in the bakery demo)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import RichText

from .fields import clean_rich_text

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "link", "document-link", "ol", "ul", "hr"]


class SafeRichTextBlock(blocks.RichTextBlock):
    """Rich text inside a StreamField, sanitised like ``SafeRichTextField``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value):
        return clean_rich_text(super().get_prep_value(value))

    def clean(self, value):
        return RichText(clean_rich_text(super().clean(value).source))


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("見出し"), max_length=100)
    level = blocks.ChoiceBlock(
        label=_("レベル"), choices=[("h2", _("大見出し")), ("h3", _("中見出し"))], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("見出し")
        template = "blocks/heading_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("画像"))
    alt = blocks.CharBlock(
        label=_("代替テキスト"),
        required=False,
        max_length=200,
        help_text=_("画像の内容を文章で。飾りだけの画像なら空欄にします。"),
    )
    caption = blocks.CharBlock(label=_("キャプション"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("画像")
        template = "blocks/image_block.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("種類"),
        choices=[("info", _("お知らせ")), ("important", _("重要")), ("emergency", _("緊急"))],
        default="info",
    )
    text = SafeRichTextBlock(label=_("本文"))

    class Meta:
        icon = "warning"
        label = _("囲み記事")
        template = "blocks/callout_block.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("ファイル"))
    title = blocks.CharBlock(label=_("表示名"), required=False, max_length=120)

    class Meta:
        icon = "doc-full"
        label = _("添付ファイル")
        template = "blocks/document_block.html"


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("担当"), max_length=100)
    phone = blocks.CharBlock(label=_("電話"), required=False, max_length=20)
    email = blocks.EmailBlock(label=_("メール"), required=False)
    hours = blocks.CharBlock(label=_("受付時間"), required=False, max_length=100)

    class Meta:
        icon = "user"
        label = _("問い合わせ先")
        template = "blocks/contact_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = SafeRichTextBlock(label=_("文章"), icon="pilcrow")
    image = ImageBlock()
    callout = CalloutBlock()
    document = DocumentBlock()
    contact = ContactBlock()
    table = blocks.StructBlock(
        [
            ("caption", blocks.CharBlock(label=_("表の題名"), required=False)),
            (
                "rows",
                blocks.ListBlock(
                    blocks.StructBlock(
                        [
                            ("label", blocks.CharBlock(label=_("項目"))),
                            ("value", blocks.TextBlock(label=_("内容"))),
                        ]
                    ),
                    label=_("行"),
                ),
            ),
        ],
        icon="table",
        label=_("表"),
        template="blocks/table_block.html",
    )
