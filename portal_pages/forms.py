"""The page editor form of portal content: people are chosen from one's own municipality."""

from django.contrib.auth import get_user_model
from wagtail.admin.forms import WagtailAdminPageForm

from home.models import municipality_sites_for

PEOPLE_FIELDS = ("reporter", "content_owner")


def colleagues_of(user):
    """Staff and reporters of the municipalities ``user`` works in (everyone for a superuser)."""
    User = get_user_model()
    people = User.objects.filter(is_active=True)
    if not user.is_superuser:
        people = people.filter(groups__municipality_role__site__in=municipality_sites_for(user)).distinct()
    return people.order_by("nickname", "username")


class ContentPageForm(WagtailAdminPageForm):
    """Offers only colleagues, by nickname, for the reporter and content-owner choices.

    Without this, the choosers would list every account of the installation — other towns'
    staff and members included — to anyone who can edit a page.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        for name in PEOPLE_FIELDS:
            field = self.fields.get(name)
            if field is None or user is None:
                continue
            field.queryset = colleagues_of(user)
            field.label_from_instance = lambda person: str(person.public_name)
