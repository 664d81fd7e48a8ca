"""Ranking candidate providers and the month's batch optimiser (familysupport.matching)."""

import datetime
import itertools

import pytest
from django.utils import timezone

from familysupport import matching
from familysupport.models import (
    Activity,
    ActivityReport,
    Assignment,
    Availability,
    Child,
    HelpRequest,
    Member,
)

MONDAY = datetime.date(2030, 6, 3)
KM = 1 / 111.2  # degrees of latitude in one kilometre
BASE_LAT, BASE_LNG = 35.68, 139.56

_numbers = itertools.count(1)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def provider(town, name=None, slots=((0, 8, 18),), user=None, **fields):
    """An approved provider of ``town`` (a Municipality), with weekly slots (weekday, from, to)."""
    number = next(_numbers)
    values = {
        "site": town.site,
        "user": user,
        "kind": Member.Kind.PROVIDER,
        "status": Member.Status.APPROVED,
        "number": f"P{number:05d}",
        "full_name": name or f"提供 太郎{number}",
        "phone": f"090-0000-{number:04d}",
        "address": "三鷹市下連雀1-1-1",
        "area": "",
        "experienced_ages": [],
        "takes_siblings": True,
        "monthly_capacity": 8,
    }
    values.update(fields)
    member = Member.objects.create(**values)
    for weekday, start, end in slots:
        Availability.objects.create(
            member=member, weekday=weekday, starts=datetime.time(start), ends=datetime.time(end)
        )
    return member


def requester(town, name=None, children=((2027, 4, 1),), user=None, **fields):
    """An approved requester of ``town`` with children born on the given dates."""
    number = next(_numbers)
    values = {
        "site": town.site,
        "user": user,
        "kind": Member.Kind.REQUESTER,
        "status": Member.Status.APPROVED,
        "number": f"R{number:05d}",
        "full_name": name or f"依頼 花子{number}",
        "phone": f"080-1111-{number:04d}",
        "address": "三鷹市上連雀9-9-9",
        "area": "",
    }
    values.update(fields)
    member = Member.objects.create(**values)
    for index, born in enumerate(children):
        Child.objects.create(
            member=member, name=f"依頼 子{index + 1}", birth_date=datetime.date(*born), allergies="卵"
        )
    return member


def help_request(member, starts=None, ends=None, children=None, **fields):
    starts = starts or at(MONDAY, 10)
    ends = ends or starts + datetime.timedelta(hours=2)
    item = HelpRequest.objects.create(
        site=member.site,
        requester=member,
        activity=fields.pop("activity", Activity.PARENT_OUTING),
        starts_at=starts,
        ends_at=ends,
        **fields,
    )
    item.children.set(children if children is not None else member.children.all())
    return item


def accepted(request_item, provider_member, **fields):
    return Assignment.objects.create(
        request=request_item, provider=provider_member, status=Assignment.Status.ACCEPTED, **fields
    )


def ranked(request_item, **kwargs):
    return [candidate.provider for candidate in matching.rank(request_item, **kwargs)]


def reasons_of(request_item, member):
    for candidate in matching.rank(request_item, limit=None):
        if candidate.provider == member:
            return candidate.reasons
    raise AssertionError("not a candidate")


# Hard constraints ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_availability_covering_the_time_ranks_first_with_its_reason(town_a):
    family = requester(town_a)
    outside = provider(town_a, slots=((0, 13, 18),))
    inside = provider(town_a, slots=((0, 9, 12),))
    wrong_day = provider(town_a, slots=((1, 8, 18),))
    item = help_request(family, at(MONDAY, 10), at(MONDAY, 12))

    order = ranked(item)

    assert order[0] == inside
    assert set(order[1:]) == {outside, wrong_day}
    assert "＋ 活動できる時間に入っています" in reasons_of(item, inside)
    assert "− 活動できる時間の外です" in reasons_of(item, outside)


@pytest.mark.django_db
def test_two_children_need_a_provider_who_takes_siblings(town_a):
    family = requester(town_a, children=((2026, 5, 1), (2028, 5, 1)))
    alone = provider(town_a, takes_siblings=False)
    both = provider(town_a, takes_siblings=True)
    item = help_request(family)

    assert ranked(item) == [both]
    assert "＋ きょうだいを一緒に預かれます" in reasons_of(item, both)
    assert matching.why_not(item, alone) == ["− きょうだいを一緒に預かれません（子ども2人以上の依頼）"]

    one_child = help_request(family, at(MONDAY, 15), children=[family.children.first()])
    assert alone in ranked(one_child)


@pytest.mark.django_db
def test_family_needing_no_pets_never_gets_a_home_with_pets(town_a):
    family = requester(town_a, needs_no_pets=True)
    pets = provider(town_a, has_pets=True)
    no_pets = provider(town_a)
    item = help_request(family)

    assert ranked(item) == [no_pets]
    assert matching.why_not(item, pets) == ["− 自宅にペットがいます（依頼会員はペットのいない家を希望）"]
    other_family = requester(town_a)
    assert pets in ranked(help_request(other_family))


@pytest.mark.django_db
def test_family_needing_no_smoking_never_gets_a_smoking_home(town_a):
    family = requester(town_a, needs_no_smoking=True)
    smoker = provider(town_a, smoking_at_home=True)
    clean = provider(town_a)
    item = help_request(family)

    assert ranked(item) == [clean]
    assert matching.why_not(item, smoker) == [
        "− 自宅で喫煙する人がいます（依頼会員はたばこを吸わない家を希望）"
    ]


@pytest.mark.django_db
def test_provider_busy_at_that_time_is_excluded(town_a):
    family, other_family = requester(town_a), requester(town_a)
    busy = provider(town_a)
    free = provider(town_a)
    accepted(help_request(other_family, at(MONDAY, 11), at(MONDAY, 13)), busy)
    later = help_request(other_family, at(MONDAY, 12), at(MONDAY, 14))
    accepted(later, free)
    later.status = HelpRequest.Status.CANCELLED  # a cancelled request no longer keeps anyone busy
    later.save()
    item = help_request(family, at(MONDAY, 10), at(MONDAY, 12))

    assert ranked(item) == [free]
    assert matching.why_not(item, busy) == ["− 同じ時間に別の活動を引き受けています"]
    back_to_back = help_request(family, at(MONDAY, 13), at(MONDAY, 15))
    assert busy in ranked(back_to_back)


@pytest.mark.django_db
def test_other_towns_unapproved_and_the_requester_themself_are_never_candidates(town_a, town_b):
    family = requester(town_a, kind=Member.Kind.BOTH)
    Availability.objects.create(member=family, weekday=0, starts=datetime.time(8), ends=datetime.time(18))
    elsewhere = provider(town_b)
    applied = provider(town_a, status=Member.Status.APPLIED, number="")
    withdrawn = provider(town_a, status=Member.Status.WITHDRAWN)
    only_requester = requester(town_a)
    fine = provider(town_a)
    item = help_request(family)

    assert ranked(item) == [fine]
    assert matching.why_not(item, elsewhere) == ["− 別の自治体の会員です"]
    assert matching.why_not(item, applied) == ["− 承認された提供会員ではありません"]
    assert matching.why_not(item, withdrawn) == ["− 承認された提供会員ではありません"]
    assert matching.why_not(item, only_requester) == ["− 承認された提供会員ではありません"]
    assert matching.why_not(item, family) == ["− 依頼会員本人です"]
    assert matching.why_not(item, fine) == []


# Weights ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nearer_home_ranks_higher(town_a):
    family = requester(town_a, latitude=BASE_LAT, longitude=BASE_LNG)
    far = provider(town_a, latitude=BASE_LAT + 8 * KM, longitude=BASE_LNG)
    near = provider(town_a, latitude=BASE_LAT + 0.5 * KM, longitude=BASE_LNG)
    item = help_request(family)

    assert ranked(item) == [near, far]
    assert "＋ 自宅が近くです（約0.5 km）" in reasons_of(item, near)
    assert "− 自宅が離れています（約8.0 km）" in reasons_of(item, far)


@pytest.mark.django_db
def test_same_area_counts_when_homes_have_no_coordinates(town_a):
    family = requester(town_a, area="下連雀")
    other = provider(town_a, area="大沢")
    same = provider(town_a, area="下連雀")
    item = help_request(family)

    assert ranked(item) == [same, other]
    assert "＋ 同じ地区に住んでいます" in reasons_of(item, same)
    assert "− 別の地区に住んでいます" in reasons_of(item, other)


@pytest.mark.django_db
def test_experience_with_the_childs_age_ranks_higher(town_a):
    family = requester(town_a, children=((2029, 9, 1),))  # 0 years old on MONDAY
    school = provider(town_a, experienced_ages=["school"])
    infants = provider(town_a, experienced_ages=["0"])
    item = help_request(family)

    assert ranked(item) == [infants, school]
    assert "＋ 0歳の子の経験があります" in reasons_of(item, infants)
    assert "− 0歳の子の経験の記録がありません" in reasons_of(item, school)


@pytest.mark.django_db
def test_siblings_bonus_for_two_children(town_a):
    family = requester(town_a, children=((2026, 5, 1), (2028, 5, 1)))
    item = help_request(family)
    both = provider(town_a)
    assert "＋ きょうだいを一緒に預かれます" in reasons_of(item, both)
    single = help_request(family, at(MONDAY, 15), children=[family.children.first()])
    assert "＋ きょうだいを一緒に預かれます" not in reasons_of(single, both)


@pytest.mark.django_db
def test_an_earlier_approved_pairing_with_the_family_ranks_higher(town_a):
    family = requester(town_a)
    stranger = provider(town_a)
    known = provider(town_a)
    filed_only = provider(town_a)
    for member, status in (
        (known, ActivityReport.Status.APPROVED),
        (filed_only, ActivityReport.Status.FILED),
    ):
        earlier = help_request(family, at(MONDAY - datetime.timedelta(days=28), 10))
        earlier.status = HelpRequest.Status.DONE
        earlier.save()
        ActivityReport.objects.create(
            assignment=accepted(earlier, member),
            status=status,
            started_at=earlier.starts_at,
            ended_at=earlier.ends_at,
            activity=earlier.activity,
        )
    item = help_request(family)

    order = ranked(item)
    assert order[0] == known
    assert "＋ 前にこの家庭の援助をして、報告書が承認されています" in reasons_of(item, known)
    assert "＋ 前にこの家庭の援助をして、報告書が承認されています" not in reasons_of(item, filed_only)
    assert stranger in order


@pytest.mark.django_db
def test_a_provider_with_fewer_activities_this_month_ranks_higher(town_a):
    family, others = requester(town_a), requester(town_a)
    loaded = provider(town_a, monthly_capacity=4)
    idle = provider(town_a, monthly_capacity=4)
    full = provider(town_a, monthly_capacity=1)
    for day in (2, 3, 4):
        accepted(help_request(others, at(MONDAY + datetime.timedelta(days=day), 10)), loaded)
    accepted(help_request(others, at(MONDAY + datetime.timedelta(days=2), 10)), full)
    # Last month's work does not count.
    accepted(help_request(others, at(MONDAY - datetime.timedelta(days=10), 10)), idle)
    item = help_request(family)

    assert ranked(item) == [idle, loaded, full]
    assert "＋ 今月の活動が少なめです（0／4回）" in reasons_of(item, idle)
    assert "− 今月の活動が多めです（3／4回）" in reasons_of(item, loaded)
    assert "− 今月の引き受けが上限に達しています（1／1回）" in reasons_of(item, full)


@pytest.mark.django_db
def test_training_and_qualifications_rank_higher(town_a):
    family = requester(town_a)
    untrained = provider(town_a)
    trained = provider(town_a, training_hours=24)
    nurse = provider(town_a, training_hours=24, qualifications=["kangoshi"])
    item = help_request(family)

    assert ranked(item) == [nurse, trained, untrained]
    assert "＋ 講習を24時間修了しています" in reasons_of(item, trained)
    assert "＋ 資格があります（看護師）" in reasons_of(item, nurse)


@pytest.mark.django_db
def test_rank_reads_a_fixed_number_of_queries(town_a, django_assert_max_num_queries):
    family = requester(town_a)
    for _index in range(30):
        provider(town_a, experienced_ages=["1-2"])
    item = help_request(family)
    with django_assert_max_num_queries(9):
        found = matching.rank(item, limit=10)
    assert len(found) == 10
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


# The month's batch --------------------------------------------------------------------------------


def _pairs(plan):
    return {(proposal.request, proposal.provider) for proposal in plan.proposals}


@pytest.mark.django_db
def test_batch_finds_the_best_total_not_the_greedy_one(town_a):
    # On a line (km): P1 at 0, P2 at +2; family A at +0.5, family B at −2.
    # Greedy gives A→P1 (18) and B→P2 (4) = 22; the optimum is A→P2 (14) + B→P1 (12) = 26.
    p1 = provider(town_a, latitude=BASE_LAT, longitude=BASE_LNG, monthly_capacity=1)
    p2 = provider(town_a, latitude=BASE_LAT + 2 * KM, longitude=BASE_LNG, monthly_capacity=1)
    family_a = requester(town_a, latitude=BASE_LAT + 0.5 * KM, longitude=BASE_LNG)
    family_b = requester(town_a, latitude=BASE_LAT - 2 * KM, longitude=BASE_LNG)
    a = help_request(family_a, at(MONDAY, 9))
    b = help_request(family_b, at(MONDAY, 14))

    plan = matching.propose_month([a, b])

    assert _pairs(plan) == {(a, p2), (b, p1)}
    assert plan.unassigned == []
    assert all(proposal.reasons for proposal in plan.proposals)


@pytest.mark.django_db
def test_batch_respects_monthly_capacity_and_current_load(town_a):
    family = requester(town_a)
    only = provider(town_a, monthly_capacity=3)
    others = requester(town_a)
    accepted(help_request(others, at(MONDAY + datetime.timedelta(days=7), 16)), only)
    items = [help_request(family, at(MONDAY + datetime.timedelta(days=7 * week), 9)) for week in range(4)]

    plan = matching.propose_month(items)

    assert len(plan.proposals) == 2  # capacity 3, one already taken this month
    assert len(plan.unassigned) == 2


@pytest.mark.django_db
def test_batch_never_gives_one_provider_two_overlapping_requests(town_a):
    near = provider(town_a, latitude=BASE_LAT, longitude=BASE_LNG)
    families = [requester(town_a, latitude=BASE_LAT, longitude=BASE_LNG) for _index in range(3)]
    items = [
        help_request(family, at(MONDAY, 10 + index), at(MONDAY, 12 + index))
        for index, family in enumerate(families)
    ]

    plan = matching.propose_month(items)
    # 10–12 and 12–14 fit one provider; 11–13 overlaps both.
    assert _pairs(plan) == {(items[0], near), (items[2], near)}
    assert plan.unassigned == [items[1]]

    farther = provider(town_a, latitude=BASE_LAT + 3 * KM, longitude=BASE_LNG)
    plan = matching.propose_month(items)
    assert _pairs(plan) == {(items[0], near), (items[1], farther), (items[2], near)}
    for left, right in itertools.combinations(plan.proposals, 2):
        if left.provider == right.provider:
            assert (
                left.request.ends_at <= right.request.starts_at
                or right.request.ends_at <= left.request.starts_at
            )


@pytest.mark.django_db
def test_batch_forbids_impossible_pairs_and_outside_hours(town_a):
    family = requester(town_a, needs_no_pets=True)
    provider(town_a, has_pets=True)
    provider(town_a, slots=((1, 8, 18),))  # Tuesdays only
    item = help_request(family)

    plan = matching.propose_month([item])

    assert plan.proposals == []
    assert plan.unassigned == [item]


@pytest.mark.django_db
def test_batch_avoids_providers_already_busy(town_a):
    family, others = requester(town_a), requester(town_a)
    busy = provider(town_a, latitude=BASE_LAT, longitude=BASE_LNG)
    free = provider(town_a, latitude=BASE_LAT + 4 * KM, longitude=BASE_LNG)
    family.latitude, family.longitude = BASE_LAT, BASE_LNG
    family.save()
    accepted(help_request(others, at(MONDAY, 9), at(MONDAY, 11)), busy)
    item = help_request(family, at(MONDAY, 10))

    assert _pairs(matching.propose_month([item])) == {(item, free)}
