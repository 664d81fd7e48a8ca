"""Demo members of the Family Support Center for the demo town (called by ``home.demo.load_demo``).

The demo accounts "demo-requester" (a family with two children) and "demo-provider" (free on
weekdays 9:00–18:00) become approved members, with about twenty more members without accounts
spread over the fictional town (around 35.68 N, 139.56 E) with different hours, ages,
qualifications, pets and smoking, and one application waiting for its interview. The town's fee
rules get their defaults. Every name is made up. Loading again adds nothing: members are found
by their account, or by name in the town.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import membership
from .models import AgeBand, Availability, Child, FeeRules, Member, Qualification

CENTRE = (35.6800, 139.5600)
WEEKDAYS = (0, 1, 2, 3, 4)

Q = Qualification
A = AgeBand

# name, kana, area, (dlat, dlng), slots [(weekdays, start hour, end hour)], ages, qualifications,
# siblings, pets, smoking, training hours, monthly capacity
PROVIDERS = (
    (
        "佐々木 和子",
        "ささき かずこ",
        "ひなた町1丁目",
        (0.004, -0.006),
        [(WEEKDAYS, 8, 17)],
        [A.TODDLER, A.PRESCHOOL, A.SCHOOL],
        [Q.NURSERY_TEACHER],
        True,
        False,
        False,
        "24",
        10,
    ),
    (
        "高田 正子",
        "たかだ まさこ",
        "あさひ台2丁目",
        (-0.008, 0.003),
        [((0, 2, 4), 13, 19)],
        [A.PRESCHOOL, A.SCHOOL],
        [Q.TEACHER],
        True,
        True,
        False,
        "24",
        6,
    ),
    (
        "森 由美子",
        "もり ゆみこ",
        "みどり野3丁目",
        (0.011, 0.009),
        [((1, 3), 9, 15), ((5,), 9, 12)],
        [A.INFANT, A.TODDLER],
        [Q.NURSE],
        False,
        False,
        False,
        "24",
        6,
    ),
    (
        "石井 恵",
        "いしい めぐみ",
        "さくら坂1丁目",
        (-0.003, -0.012),
        [(WEEKDAYS, 15, 20)],
        [A.SCHOOL],
        [],
        True,
        False,
        False,
        "18",
        8,
    ),
    (
        "岡本 洋子",
        "おかもと ようこ",
        "かわべ町",
        (0.015, -0.002),
        [((0, 1, 2), 7, 10), ((0, 1, 2), 16, 19)],
        [A.TODDLER, A.PRESCHOOL],
        [Q.KINDERGARTEN],
        True,
        False,
        True,
        "24",
        10,
    ),
    (
        "村上 智子",
        "むらかみ ともこ",
        "ほしの台4丁目",
        (-0.012, -0.007),
        [((5, 6), 9, 17)],
        [A.PRESCHOOL, A.SCHOOL],
        [],
        False,
        True,
        False,
        "12",
        4,
    ),
    (
        "藤田 美紀",
        "ふじた みき",
        "ひなた町3丁目",
        (0.002, 0.004),
        [(WEEKDAYS, 9, 13)],
        [A.INFANT, A.TODDLER, A.PRESCHOOL],
        [Q.CHILDCARE_AIDE],
        True,
        False,
        False,
        "24",
        8,
    ),
    (
        "西村 久美",
        "にしむら くみ",
        "あさひ台1丁目",
        (-0.006, 0.010),
        [((2, 4), 10, 18)],
        [A.PRESCHOOL],
        [Q.NURSERY_TEACHER, Q.CHILDCARE_AIDE],
        False,
        False,
        False,
        "30",
        6,
    ),
    (
        "原田 信子",
        "はらだ のぶこ",
        "みどり野1丁目",
        (0.008, 0.014),
        [((0, 3), 14, 19)],
        [A.SCHOOL],
        [Q.TEACHER],
        True,
        False,
        False,
        "24",
        6,
    ),
    (
        "小川 幸子",
        "おがわ さちこ",
        "さくら坂2丁目",
        (-0.015, 0.001),
        [(WEEKDAYS, 7, 9), ((5,), 8, 18)],
        [A.TODDLER, A.PRESCHOOL, A.SCHOOL],
        [],
        True,
        True,
        True,
        "24",
        12,
    ),
    (
        "竹内 直美",
        "たけうち なおみ",
        "かわべ町",
        (0.013, -0.011),
        [((1, 4), 9, 18)],
        [A.INFANT],
        [Q.NURSE, Q.NURSERY_TEACHER],
        False,
        False,
        False,
        "24",
        4,
    ),
    (
        "松田 裕子",
        "まつだ ゆうこ",
        "ほしの台2丁目",
        (-0.009, -0.015),
        [((0, 2, 4), 9, 18)],
        [A.TODDLER, A.PRESCHOOL],
        [Q.OTHER],
        True,
        False,
        False,
        "6",
        6,
    ),
)

# name, kana, area, (dlat, dlng), children [(name, years, days, allergies)], no pets, no smoking
REQUESTERS = (
    ("青木 美穂", "あおき みほ", "ひなた町2丁目", (0.001, -0.003), [("青木 ゆい", 4, 40, "卵")], False, True),
    (
        "田村 亮",
        "たむら りょう",
        "あさひ台3丁目",
        (-0.007, 0.006),
        [("田村 そうた", 7, 100, ""), ("田村 ひなの", 3, 200, "")],
        False,
        True,
    ),
    (
        "中島 さやか",
        "なかじま さやか",
        "みどり野2丁目",
        (0.010, 0.011),
        [("中島 れん", 1, 120, "")],
        True,
        True,
    ),
    (
        "前田 恵理",
        "まえだ えり",
        "さくら坂1丁目",
        (-0.004, -0.010),
        [("前田 こはる", 5, 10, "小麦")],
        False,
        False,
    ),
    (
        "遠藤 大輔",
        "えんどう だいすけ",
        "かわべ町",
        (0.014, -0.004),
        [("遠藤 はると", 8, 300, ""), ("遠藤 みお", 6, 50, "")],
        True,
        False,
    ),
    (
        "坂本 由香",
        "さかもと ゆか",
        "ほしの台3丁目",
        (-0.011, -0.009),
        [("坂本 あおい", 2, 90, "")],
        False,
        True,
    ),
    (
        "福田 千尋",
        "ふくだ ちひろ",
        "ひなた町1丁目",
        (0.005, -0.007),
        [("福田 いつき", 0, 200, "")],
        False,
        False,
    ),
    (
        "太田 理恵",
        "おおた りえ",
        "あさひ台2丁目",
        (-0.008, 0.002),
        [("太田 さな", 9, 30, "そば")],
        True,
        True,
    ),
)

DEMO_REQUESTER = {
    "full_name": "小林 陽",
    "full_name_kana": "こばやし はる",
    "phone": "090-0000-1111",
    "postal_code": "180-0001",
    "address": "ひなた市ひなた町2丁目3-4",
    "area": "ひなた町2丁目",
    "household": "本人、妻、長女（5歳）、長男（2歳）",
    "emergency_name": "小林 和子（祖母）",
    "emergency_phone": "090-0000-2222",
    "needs_no_smoking": True,
}
DEMO_REQUESTER_CHILDREN = (("小林 さき", 5, 60, "卵"), ("小林 たくみ", 2, 150, ""))
DEMO_PROVIDER = {
    "full_name": "中村 みどり",
    "full_name_kana": "なかむら みどり",
    "phone": "090-0000-3333",
    "postal_code": "180-0002",
    "address": "ひなた市あさひ台1丁目5-6",
    "area": "あさひ台1丁目",
    "experience": "2人の子どもを育てました。児童館で3年間ボランティアをしています。",
    "experienced_ages": [A.TODDLER, A.PRESCHOOL, A.SCHOOL],
    "qualifications": [Q.CHILDCARE_AIDE],
    "takes_siblings": True,
    "training_hours": Decimal("24"),
    "monthly_capacity": 10,
}

PENDING = {
    "full_name": "吉川 夏美",
    "full_name_kana": "よしかわ なつみ",
    "kind": Member.Kind.BOTH,
    "phone": "080-0000-4444",
    "address": "ひなた市みどり野4丁目1-2",
    "area": "みどり野4丁目",
    "household": "本人、夫、長男（3歳）",
    "emergency_name": "吉川 健（夫）",
    "emergency_phone": "080-0000-5555",
    "experience": "保育園で5年働いていました。",
    "experienced_ages": [A.INFANT, A.TODDLER],
    "qualifications": [Q.NURSERY_TEACHER],
}


def _birth(years, days):
    return timezone.localdate() - datetime.timedelta(days=365 * years + days)


def _phone(index):
    return f"042-000-{1000 + index:04d}"


def _approve(member, when):
    """Approve a demo member as the advisor would have, with the next number of the town."""
    member.status = Member.Status.APPROVED
    member.interview_at = when - datetime.timedelta(days=7)
    member.interview_notes = "デモ用の面談記録です。"
    member.decided_at = when
    member.number = membership.next_number(member.site_id, member.kind)
    member.save()
    membership.sync_groups(member)


def _slots(member, slots):
    Availability.objects.bulk_create(
        Availability(member=member, weekday=day, starts=datetime.time(start), ends=datetime.time(end))
        for days, start, end in slots
        for day in days
    )


def _children(member, children):
    Child.objects.bulk_create(
        Child(member=member, name=name, birth_date=_birth(years, days), allergies=allergies)
        for name, years, days, allergies in children
    )


def _account_member(site, username, kind, values, when):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return None
    member = Member.objects.filter(site=site, user=user).first()
    if member is not None:
        return member
    member = Member.objects.create(site=site, user=user, kind=kind, insurance_enrolled=True, **values)
    _approve(member, when)
    return member


@transaction.atomic
def load_familysupport_demo(site):
    """Build (or complete) the demo centre of ``site``; return its members."""
    FeeRules.for_site(site)
    now = timezone.now()
    start = now - datetime.timedelta(days=400)
    lat, lng = CENTRE

    requester = _account_member(
        site,
        "demo-requester",
        Member.Kind.REQUESTER,
        {**DEMO_REQUESTER, "latitude": lat + 0.002, "longitude": lng - 0.001},
        start,
    )
    if requester is not None and not requester.children.exists():
        _children(requester, DEMO_REQUESTER_CHILDREN)
    provider = _account_member(
        site,
        "demo-provider",
        Member.Kind.PROVIDER,
        {**DEMO_PROVIDER, "latitude": lat - 0.003, "longitude": lng + 0.004},
        start,
    )
    if provider is not None and not provider.availability.exists():
        _slots(provider, [(WEEKDAYS, 9, 18)])

    existing = set(Member.objects.filter(site=site, user=None).values_list("full_name", flat=True))
    for index, (
        name,
        kana,
        area,
        (dlat, dlng),
        slots,
        ages,
        quals,
        siblings,
        pets,
        smoking,
        hours,
        cap,
    ) in enumerate(PROVIDERS):
        if name in existing:
            continue
        member = Member.objects.create(
            site=site,
            kind=Member.Kind.PROVIDER,
            full_name=name,
            full_name_kana=kana,
            phone=_phone(index),
            address=f"ひなた市{area}{index + 1}-{index + 3}",
            area=area,
            latitude=round(lat + dlat, 5),
            longitude=round(lng + dlng, 5),
            experience="子育て経験があります。",
            experienced_ages=[age.value for age in ages],
            qualifications=[qualification.value for qualification in quals],
            takes_siblings=siblings,
            has_pets=pets,
            smoking_at_home=smoking,
            training_hours=Decimal(hours),
            monthly_capacity=cap,
            insurance_enrolled=True,
            created_at=start + datetime.timedelta(days=10 * index),
        )
        _approve(member, start + datetime.timedelta(days=10 * index + 14))
        _slots(member, slots)

    for index, (name, kana, area, (dlat, dlng), children, no_pets, no_smoking) in enumerate(REQUESTERS):
        if name in existing:
            continue
        member = Member.objects.create(
            site=site,
            kind=Member.Kind.REQUESTER,
            full_name=name,
            full_name_kana=kana,
            phone=_phone(100 + index),
            address=f"ひなた市{area}{index + 2}-{index + 1}",
            area=area,
            latitude=round(lat + dlat, 5),
            longitude=round(lng + dlng, 5),
            household="デモ用の家族構成です。",
            emergency_name="デモ 連絡先（祖父母）",
            emergency_phone=_phone(200 + index),
            needs_no_pets=no_pets,
            needs_no_smoking=no_smoking,
            insurance_enrolled=True,
            created_at=start + datetime.timedelta(days=12 * index + 5),
        )
        _approve(member, start + datetime.timedelta(days=12 * index + 19))
        _children(member, children)

    if PENDING["full_name"] not in existing:
        values = dict(PENDING)
        member = Member.objects.create(
            site=site,
            latitude=lat + 0.009,
            longitude=lng + 0.012,
            created_at=now - datetime.timedelta(days=2),
            **values,
        )
        _children(member, [("吉川 そら", 3, 100, "")])
        _slots(member, [((1, 3), 10, 16)])

    return list(Member.objects.filter(site=site))
