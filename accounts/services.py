"""What a member can do with their own account: take their data away, or delete it."""

from django.db import transaction
from django.utils import timezone


def _when(value):
    return timezone.localtime(value).isoformat() if value else None


def export_data(user):
    """Everything the site keeps about ``user`` that is theirs to take, as plain JSON data.

    Their consultations give number, dates and state, and only the messages they wrote
    (decrypted); counsellors' names, replies and internal notes are the service's records.
    """
    from consult.models import Message

    consultations = []
    for case in user.consultations.order_by("created_at", "pk"):
        consultations.append(
            {
                "number": case.number,
                "municipality": case.site.site_name,
                "category": case.get_category_display(),
                "status": case.get_status_display(),
                "created_at": _when(case.created_at),
                "closed_at": _when(case.closed_at),
                "messages": [
                    {"created_at": _when(message.created_at), "body": message.body}
                    for message in case.messages.filter(author_kind=Message.Author.PARENT)
                ],
            }
        )
    return {
        "profile": {
            "nickname": user.nickname,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "municipality": user.municipality.site_name if user.municipality_id else None,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "consultations": consultations,
        "board_posts": [
            {
                "thread": post.thread.title,
                "body": post.body,
                "status": post.get_status_display(),
                "created_at": _when(post.created_at),
            }
            for post in user.board_posts.select_related("thread").order_by("created_at", "pk")
        ],
        "family_support": [
            _family_support(member) for member in user.family_support_memberships.order_by("pk")
        ],
    }


def _family_support(member):
    """A family-support membership as its member gave it: their details, children and hours,
    and the help they asked for. Other members' details are not theirs to take."""
    fields = (
        "kind",
        "status",
        "number",
        "full_name",
        "full_name_kana",
        "phone",
        "postal_code",
        "address",
        "area",
        "household",
        "emergency_name",
        "emergency_phone",
        "needs_no_pets",
        "needs_no_smoking",
        "experience",
        "experienced_ages",
        "qualifications",
        "takes_siblings",
        "has_pets",
        "smoking_at_home",
        "monthly_capacity",
        "insurance_enrolled",
    )
    data = {name: getattr(member, name) for name in fields}
    data["training_hours"] = str(member.training_hours)
    data["municipality"] = member.site.site_name
    data["applied_at"] = _when(member.created_at)
    data["children"] = [
        {
            "name": child.name,
            "birth_date": child.birth_date.isoformat(),
            "allergies": child.allergies,
            "notes": child.notes,
        }
        for child in member.children.all()
    ]
    data["availability"] = [
        {
            "weekday": slot.get_weekday_display(),
            "starts": slot.starts.isoformat(),
            "ends": slot.ends.isoformat(),
        }
        for slot in member.availability.all()
    ]
    data["requests"] = [
        {
            "activity": item.get_activity_display(),
            "starts_at": _when(item.starts_at),
            "ends_at": _when(item.ends_at),
            "status": item.get_status_display(),
        }
        for item in member.requests.order_by("starts_at", "pk")
    ]
    return data


def delete_account(user):
    """Delete ``user`` and everything that is only theirs, in one transaction.

    Their consultations stay for the counsellors' records with ``member`` set to NULL (the
    foreign key's SET_NULL); posts do the same and show 「退会したメンバー」
    (``accounts.models.public_name_of``); a family-support membership stays for the centre's
    records and statements, without the account.
    """
    with transaction.atomic():
        user.delete()
