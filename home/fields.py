"""Rich text that is safe whatever way it arrives (the editor, an import, a script)."""

import nh3
from wagtail.fields import RichTextField

# What Wagtail's own rich-text format uses: <a linktype="page" id="3"> and <embed embedtype="image">.
ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "b", "strong", "i", "em", "a", "ul", "ol", "li", "hr",
    "blockquote", "sub", "sup", "embed",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "linktype", "id"},
    "embed": {"embedtype", "id", "format", "alt", "url"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def clean_rich_text(html):
    """Keep the structure and links an editor can make; drop scripts, handlers and styles."""
    if not html:
        return html
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


class SafeRichTextField(RichTextField):
    """A ``RichTextField`` sanitised with nh3 every time it is saved."""

    def pre_save(self, model_instance, add):
        value = clean_rich_text(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def clean(self, value, model_instance):
        # Model.full_clean() (run by save_revision) stores the cleaned value back, so revisions
        # and previews hold the sanitised text too, not only the saved page.
        return super().clean(clean_rich_text(value), model_instance)
