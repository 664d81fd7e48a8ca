"""Candidate providers for a request, ranked with their reasons, and a month's batch proposal.

How a provider is weighed for a request (points; the reasons shown to the advisor say which
applied, ``＋`` for and ``−`` against):

==========================  =====================================================================
hard (never a candidate)    not an approved provider of the town; the requester themself; busy
                            (an accepted assignment overlapping the time); a request for 2+
                            children and the provider does not take siblings; the family needs
                            a home without pets / smoking and the provider's has them
availability                +30 when a weekly slot covers the weekday and the whole time window,
                            −40 when none does. A strong weight, not a rule, in ``rank``: the
                            advisor may still phone a provider who is flexible, and sees why they
                            are at the bottom. ``propose_month`` treats it as a rule: a month of
                            proposals made without a person's judgement stays within the hours
                            the provider gave.
distance                    homes with coordinates: +20 at 0 km falling to 0 at 5 km, then −2 per
                            km beyond (at most −10); otherwise +12 for the same 地区, −3 for another
age experience              +10 × the share of the children whose age band the provider has
                            experience with; −5 when none
siblings                    +5 for 2+ children when the provider takes siblings
continuity                  +15 after an accepted assignment with the same family whose report
                            the advisor approved
load (fairness)             +10 × (1 − this month's assignments / monthly capacity); −30 when the
                            capacity is reached. ``propose_month`` spends the remaining capacity
                            as slots, each further slot cheaper by the same rule
training                    up to +8 (24 hours of 講習 or more)
qualification               +4 for any qualification (保育士, 看護師…)
==========================  =====================================================================

Both functions read the providers' features in a handful of queries (providers; availability;
this month's load; who is busy; continuity) and score with numpy, one vector (``rank``) or one
matrix (``propose_month``) at a time. ``propose_month`` then solves a min-cost assignment
(``scipy.optimize.linear_sum_assignment``) over the providers' remaining monthly capacity,
and repairs any overlap (one provider, two requests at the same time) by solving the rows in
conflict again without those providers. Nothing here writes or sends anything: the advisor
confirms, and ``familysupport.requests.propose`` does the rest.
"""

import datetime
import json
from dataclasses import dataclass, field

import numpy as np
from django.db import connections
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy.optimize import linear_sum_assignment

from .models import (
    ActivityReport,
    AgeBand,
    Assignment,
    Availability,
    HelpRequest,
    Member,
    Qualification,
    age_band,
)

AVAILABLE = 30.0
UNAVAILABLE = -40.0
NEAR = 20.0
NEAR_KM = 5.0
FAR_PER_KM = 2.0
FAR_MAX = 10.0
SAME_AREA = 12.0
OTHER_AREA = -3.0
AGE_EXPERIENCE = 10.0
NO_AGE_EXPERIENCE = -5.0
SIBLINGS = 5.0
CONTINUITY = 15.0
LOAD = 10.0
FULL = -30.0
TRAINING = 8.0
TRAINING_FULL_HOURS = 24.0
QUALIFIED = 4.0

#: A pair the optimiser may not choose costs this much (linear_sum_assignment needs finite costs).
FORBIDDEN = 1e9
#: Rounds of the overlap repair before a request in conflict is left to the advisor.
REPAIR_ROUNDS = 8

BANDS = [AgeBand.INFANT, AgeBand.TODDLER, AgeBand.PRESCHOOL, AgeBand.SCHOOL]
BAND_INDEX = {band.value: index for index, band in enumerate(BANDS)}
EARTH_KM = 6371.0
PROVIDER_KINDS = (Member.Kind.PROVIDER, Member.Kind.BOTH)
LIVE_ASSIGNMENTS = (Assignment.Status.PROPOSED, Assignment.Status.ACCEPTED)


@dataclass
class Candidate:
    provider: Member
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class Proposal:
    request: HelpRequest
    provider: Member
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class MonthPlan:
    proposals: list[Proposal]
    unassigned: list[HelpRequest]


# Reading the providers ------------------------------------------------------------------------


def eligible_providers(site, providers=None):
    """The approved providers of ``site`` (among ``providers`` when given), as a queryset."""
    members = Member.objects.filter(site=site, status=Member.Status.APPROVED, kind__in=PROVIDER_KINDS)
    if providers is not None:
        if isinstance(providers, QuerySet):
            members = members.filter(pk__in=providers.values("pk"))
        else:
            members = members.filter(pk__in=[getattr(provider, "pk", provider) for provider in providers])
    return members


class ProviderTable:
    """The features of many providers as arrays, read in one query (ordered by pk).

    The rows are read through the database cursor, without Django's per-value converters:
    decoding 5,000 JSON lists one by one would cost more than all the scoring. The JSON columns
    are only searched as text (``"0"`` in ``["0", "1-2"]``), and qualifications are decoded
    for the few providers shown.
    """

    COLUMNS = (
        "pk",
        "latitude",
        "longitude",
        "area",
        "experienced_ages",
        "qualifications",
        "takes_siblings",
        "has_pets",
        "smoking_at_home",
        "training_hours",
        "monthly_capacity",
    )

    def __init__(self, members, areas):
        self.queryset = members
        query = members.order_by("pk").values_list(*self.COLUMNS)
        sql, params = query.query.sql_with_params()
        with connections[query.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        self.size = len(rows)
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(self.COLUMNS)
        self.ids = np.array(columns[0], dtype=np.int64)
        self.lat = np.array(columns[1], dtype=float)
        self.lng = np.array(columns[2], dtype=float)
        self.area = areas.codes_of(columns[3])
        ages = np.array([_json_text(v) for v in columns[4]], dtype=str)
        self.bands = np.zeros((self.size, len(BANDS)), dtype=float)
        if self.size:
            for index, band in enumerate(BANDS):
                self.bands[:, index] = np.char.find(ages, f'"{band.value}"') >= 0
        self._qualifications = columns[5]
        self.qualified = np.array([_json_text(v) not in ("[]", "", "null") for v in columns[5]], dtype=bool)
        self.takes_siblings = np.array(columns[6], dtype=bool)
        self.has_pets = np.array(columns[7], dtype=bool)
        self.smoking = np.array(columns[8], dtype=bool)
        self.training = np.nan_to_num(np.array(columns[9], dtype=float))
        self.capacity = np.array(columns[10], dtype=float)

    def qualifications(self, column):
        value = self._qualifications[column]
        return json.loads(value) if isinstance(value, str) else list(value or ())

    def index_of(self, ids):
        """Positions of the member ids ``ids`` in the table (-1 for ids not in it)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not self.size:
            return np.full(ids.shape, -1)
        positions = np.clip(np.searchsorted(self.ids, ids), 0, self.size - 1)
        return np.where(self.ids[positions] == ids, positions, -1)

    def mask_of(self, ids):
        mask = np.zeros(self.size, dtype=bool)
        positions = self.index_of(list(ids))
        mask[positions[positions >= 0]] = True
        return mask

    def loads(self, start, end, exclude_requests=()):
        """Each provider's live assignments (proposed or accepted) with a request in [start, end)."""
        counts = (
            Assignment.objects.filter(
                provider__in=self.queryset.values("pk"),
                status__in=LIVE_ASSIGNMENTS,
                request__starts_at__gte=start,
                request__starts_at__lt=end,
            )
            .exclude(request__status=HelpRequest.Status.CANCELLED)
            .exclude(request__in=list(exclude_requests))
            .values_list("provider_id")
            .annotate(n=Count("pk"))
        )
        load = np.zeros(self.size, dtype=float)
        rows = list(counts)
        if rows:
            ids, numbers = zip(*rows, strict=True)
            positions = self.index_of(ids)
            keep = positions >= 0
            load[positions[keep]] = np.array(numbers, dtype=float)[keep]
        return load


class Areas:
    """Area names as small integers, so they compare as arrays (-1: unknown)."""

    def __init__(self):
        self.codes = {}

    def codes_of(self, names):
        """Codes of many names at once (each distinct name is looked up once)."""
        if not names:
            return np.zeros(0, dtype=np.int64)
        distinct, inverse = np.unique(
            np.array([name or "" for name in names], dtype=str), return_inverse=True
        )
        return np.array([self.code(name) for name in distinct], dtype=np.int64)[inverse]

    def code(self, name):
        name = (name or "").strip()
        if not name:
            return -1
        return self.codes.setdefault(name, len(self.codes))


# The requests' side ---------------------------------------------------------------------------


def _json_text(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _minutes(value):
    return value.hour * 60 + value.minute


@dataclass
class RequestSide:
    """The requests' features, as column vectors (R, 1) that broadcast against providers."""

    lat: np.ndarray
    lng: np.ndarray
    area: np.ndarray
    no_pets: np.ndarray
    no_smoking: np.ndarray
    children: np.ndarray
    bands: np.ndarray  # (R, 4): how many children in each band
    requester: np.ndarray
    bands_by_request: list

    @classmethod
    def of(cls, requests, areas):
        rows = []
        band_lists = []
        for help_request in requests:
            requester = help_request.requester
            day = timezone.localtime(help_request.starts_at).date()
            bands = [age_band(child.birth_date, day) for child in help_request.children.all()]
            band_lists.append(bands)
            rows.append(
                (
                    np.nan if requester.latitude is None else requester.latitude,
                    np.nan if requester.longitude is None else requester.longitude,
                    areas.code(requester.area),
                    requester.needs_no_pets,
                    requester.needs_no_smoking,
                    len(bands),
                    requester.pk,
                )
            )
        counts = np.zeros((len(rows), len(BANDS)), dtype=float)
        for row, bands in enumerate(band_lists):
            for band in bands:
                counts[row, BAND_INDEX[band]] += 1
        column = np.array(rows, dtype=float).reshape(len(rows), 7)
        return cls(
            lat=column[:, 0:1],
            lng=column[:, 1:2],
            area=column[:, 2:3].astype(np.int64),
            no_pets=column[:, 3:4].astype(bool),
            no_smoking=column[:, 4:5].astype(bool),
            children=column[:, 5:6],
            bands=counts,
            requester=column[:, 6:7].astype(np.int64),
            bands_by_request=band_lists,
        )


def _window(help_request):
    """(weekday, start minute, end minute) in local time; None when it runs past midnight."""
    starts = timezone.localtime(help_request.starts_at)
    ends = timezone.localtime(help_request.ends_at)
    if ends.date() != starts.date():
        if ends.date() == starts.date() + datetime.timedelta(days=1) and ends.time() == datetime.time(0):
            return starts.weekday(), _minutes(starts), 24 * 60
        return None
    return starts.weekday(), _minutes(starts), _minutes(ends)


def _month(moment):
    local = timezone.localtime(moment)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, end


# Scoring --------------------------------------------------------------------------------------


@dataclass
class Scores:
    total: np.ndarray
    feasible: np.ndarray
    distance: np.ndarray
    same_area: np.ndarray
    other_area: np.ndarray
    age_share: np.ndarray
    covered: np.ndarray
    continuity: np.ndarray
    # Why a pair is impossible, for ``why_not``.
    siblings_blocked: np.ndarray
    pets_blocked: np.ndarray
    smoking_blocked: np.ndarray
    busy: np.ndarray
    self_blocked: np.ndarray


def _haversine(lat1, lng1, lat2, lng2):
    lat1, lng1, lat2, lng2 = (np.radians(v) for v in (lat1, lng1, lat2, lng2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _score(side, table, covered, busy, continuity, availability_required):
    """Scores (R, P) of every request against every provider, load aside."""
    distance = _haversine(side.lat, side.lng, table.lat, table.lng)
    known = ~np.isnan(distance)
    distance_points = np.where(
        distance <= NEAR_KM,
        NEAR * (1 - distance / NEAR_KM),
        -np.minimum((distance - NEAR_KM) * FAR_PER_KM, FAR_MAX),
    )
    both_areas = (side.area >= 0) & (table.area >= 0)
    same_area = ~known & both_areas & (side.area == table.area)
    other_area = ~known & both_areas & (side.area != table.area)
    total = np.where(known, distance_points, 0.0)
    total = total + np.where(same_area, SAME_AREA, 0.0) + np.where(other_area, OTHER_AREA, 0.0)

    total = total + np.where(covered, AVAILABLE, UNAVAILABLE)
    age_share = (side.bands @ table.bands.T) / np.maximum(side.children, 1)
    total = total + np.where(age_share > 0, AGE_EXPERIENCE * age_share, NO_AGE_EXPERIENCE)
    several = side.children >= 2
    total = total + np.where(several & table.takes_siblings, SIBLINGS, 0.0)
    total = total + np.where(continuity, CONTINUITY, 0.0)
    total = total + TRAINING * np.minimum(table.training, TRAINING_FULL_HOURS) / TRAINING_FULL_HOURS
    total = total + np.where(table.qualified, QUALIFIED, 0.0)

    siblings_blocked = several & ~table.takes_siblings
    pets_blocked = side.no_pets & table.has_pets
    smoking_blocked = side.no_smoking & table.smoking
    self_blocked = side.requester == table.ids
    feasible = ~(siblings_blocked | pets_blocked | smoking_blocked | busy | self_blocked)
    if availability_required:
        feasible &= covered
    return Scores(
        total=total,
        feasible=feasible,
        distance=distance,
        same_area=same_area,
        other_area=other_area,
        age_share=age_share,
        covered=np.broadcast_to(covered, total.shape),
        continuity=np.broadcast_to(continuity, total.shape),
        siblings_blocked=np.broadcast_to(siblings_blocked, total.shape),
        pets_blocked=np.broadcast_to(pets_blocked, total.shape),
        smoking_blocked=np.broadcast_to(smoking_blocked, total.shape),
        busy=np.broadcast_to(busy, total.shape),
        self_blocked=self_blocked,
    )


def _load_points(load, capacity):
    full = load >= capacity
    share = np.divide(load, capacity, out=np.ones_like(load), where=capacity > 0)
    return np.where(full, FULL, LOAD * (1 - share))


def _band_labels(bands):
    return "・".join(str(AgeBand(band).label) for band in dict.fromkeys(bands))


def _reasons(scores, table, side, row, column, load):
    """The advisor's reasons for one pair, in Japanese, ``＋`` for and ``−`` against."""
    reasons = []
    if scores.covered[row, column]:
        reasons.append(_("＋ 活動できる時間に入っています"))
    else:
        reasons.append(_("− 活動できる時間の外です"))
    distance = scores.distance[row, column]
    if not np.isnan(distance):
        if distance <= NEAR_KM:
            reasons.append(_("＋ 自宅が近くです（約%(km).1f km）") % {"km": distance})
        else:
            reasons.append(_("− 自宅が離れています（約%(km).1f km）") % {"km": distance})
    elif scores.same_area[row, column]:
        reasons.append(_("＋ 同じ地区に住んでいます"))
    elif scores.other_area[row, column]:
        reasons.append(_("− 別の地区に住んでいます"))
    bands = side.bands_by_request[row]
    known = [band for band in bands if table.bands[column, BAND_INDEX[band]]]
    unknown = [band for band in bands if not table.bands[column, BAND_INDEX[band]]]
    if known:
        reasons.append(_("＋ %(ages)sの子の経験があります") % {"ages": _band_labels(known)})
    if unknown:
        reasons.append(_("− %(ages)sの子の経験の記録がありません") % {"ages": _band_labels(unknown)})
    if len(bands) >= 2 and table.takes_siblings[column]:
        reasons.append(_("＋ きょうだいを一緒に預かれます"))
    if scores.continuity[row, column]:
        reasons.append(_("＋ 前にこの家庭の援助をして、報告書が承認されています"))
    capacity = int(table.capacity[column])
    count = int(load)
    if count >= capacity:
        reasons.append(
            _("− 今月の引き受けが上限に達しています（%(n)d／%(cap)d回）") % {"n": count, "cap": capacity}
        )
    elif count * 2 < capacity:
        reasons.append(_("＋ 今月の活動が少なめです（%(n)d／%(cap)d回）") % {"n": count, "cap": capacity})
    elif count * 4 >= capacity * 3:
        reasons.append(_("− 今月の活動が多めです（%(n)d／%(cap)d回）") % {"n": count, "cap": capacity})
    hours = table.training[column]
    if hours > 0:
        reasons.append(_("＋ 講習を%(hours)s時間修了しています") % {"hours": f"{hours:g}"})
    if table.qualified[column]:
        labels = "・".join(
            str(Qualification(value).label) if value in Qualification.values else str(value)
            for value in table.qualifications(column)
        )
        reasons.append(_("＋ 資格があります（%(labels)s）") % {"labels": labels})
    return reasons


def _blocked_reasons(scores, row, column):
    reasons = []
    if scores.self_blocked[row, column]:
        reasons.append(_("− 依頼会員本人です"))
    if scores.busy[row, column]:
        reasons.append(_("− 同じ時間に別の活動を引き受けています"))
    if scores.siblings_blocked[row, column]:
        reasons.append(_("− きょうだいを一緒に預かれません（子ども2人以上の依頼）"))
    if scores.pets_blocked[row, column]:
        reasons.append(_("− 自宅にペットがいます（依頼会員はペットのいない家を希望）"))
    if scores.smoking_blocked[row, column]:
        reasons.append(_("− 自宅で喫煙する人がいます（依頼会員はたばこを吸わない家を希望）"))
    return reasons


# One request ----------------------------------------------------------------------------------


def _covered_ids(members, window):
    if window is None:
        return []
    weekday, start, end = window
    slots = Availability.objects.filter(member__in=members.values("pk"), weekday=weekday)
    start_time = datetime.time(start // 60, start % 60)
    slots = slots.filter(starts__lte=start_time)
    if end < 24 * 60:
        slots = slots.filter(ends__gte=datetime.time(end // 60, end % 60))
    else:
        slots = slots.filter(ends__gte=datetime.time(23, 59))
    return slots.values_list("member_id", flat=True)


def _busy_ids(members, help_request):
    return (
        Assignment.objects.filter(
            provider__in=members.values("pk"),
            status=Assignment.Status.ACCEPTED,
            request__starts_at__lt=help_request.ends_at,
            request__ends_at__gt=help_request.starts_at,
        )
        .exclude(request__status=HelpRequest.Status.CANCELLED)
        .exclude(request=help_request)
        .values_list("provider_id", flat=True)
    )


def _continuity_pairs(requester_ids):
    return set(
        Assignment.objects.filter(
            status=Assignment.Status.ACCEPTED,
            request__requester__in=list(requester_ids),
            reports__status=ActivityReport.Status.APPROVED,
        )
        .values_list("request__requester_id", "provider_id")
        .distinct()
    )


def _one_request(help_request, providers):
    areas = Areas()
    members = eligible_providers(help_request.site, providers)
    table = ProviderTable(members, areas)
    side = RequestSide.of([help_request], areas)
    covered = table.mask_of(_covered_ids(members, _window(help_request)))
    busy = table.mask_of(_busy_ids(members, help_request))
    continuity = table.mask_of(
        provider for _requester, provider in _continuity_pairs([help_request.requester_id])
    )
    scores = _score(side, table, covered, busy, continuity, availability_required=False)
    month_start, month_end = _month(help_request.starts_at)
    load = table.loads(month_start, month_end, exclude_requests=[help_request.pk])
    return table, side, scores, load


def rank(request, providers=None, limit=20):
    """The best ``limit`` candidate providers for ``request``, best first, with reasons."""
    table, side, scores, load = _one_request(request, providers)
    if not table.size:
        return []
    total = scores.total[0] + _load_points(load, table.capacity)
    feasible = np.flatnonzero(scores.feasible[0])
    if limit is not None and len(feasible) > limit:
        best = feasible[np.argpartition(-total[feasible], limit - 1)[:limit]]
    else:
        best = feasible
    best = best[np.lexsort((table.ids[best], -total[best]))]
    members = Member.objects.in_bulk([int(table.ids[column]) for column in best])
    return [
        Candidate(
            provider=members[int(table.ids[column])],
            score=round(float(total[column]), 1),
            reasons=_reasons(scores, table, side, 0, column, load[column]),
        )
        for column in best
    ]


def why_not(request, provider):
    """Why ``provider`` is not a candidate for ``request`` (Japanese, ``−``); [] when they are."""
    if provider.site_id != request.site_id:
        return [_("− 別の自治体の会員です")]
    if not (provider.is_active and provider.is_provider):
        return [_("− 承認された提供会員ではありません")]
    table, _side, scores, _load = _one_request(request, [provider])
    if not table.size:
        return [_("− 承認された提供会員ではありません")]
    return _blocked_reasons(scores, 0, 0)


# A month at once ------------------------------------------------------------------------------


def _pair_busy(help_requests, table):
    """(R, P): the provider has an accepted assignment overlapping the request."""
    busy = np.zeros((len(help_requests), table.size), dtype=bool)
    if not help_requests or not table.size:
        return busy
    starts = np.array([r.starts_at.timestamp() for r in help_requests])
    ends = np.array([r.ends_at.timestamp() for r in help_requests])
    rows = list(
        Assignment.objects.filter(
            provider__in=table.queryset.values("pk"),
            status=Assignment.Status.ACCEPTED,
            request__starts_at__lt=max(r.ends_at for r in help_requests),
            request__ends_at__gt=min(r.starts_at for r in help_requests),
        )
        .exclude(request__status=HelpRequest.Status.CANCELLED)
        .exclude(request__in=[r.pk for r in help_requests])
        .values_list("provider_id", "request__starts_at", "request__ends_at")
    )
    if not rows:
        return busy
    columns = table.index_of([row[0] for row in rows])
    taken_starts = np.array([row[1].timestamp() for row in rows])
    taken_ends = np.array([row[2].timestamp() for row in rows])
    overlap = (starts[:, None] < taken_ends[None, :]) & (ends[:, None] > taken_starts[None, :])
    hit_rows, hit_taken = np.nonzero(overlap)
    busy[hit_rows, columns[hit_taken]] = True
    return busy


def _pair_covered(help_requests, table):
    """(R, P): a weekly slot of the provider covers the request's time."""
    covered = np.zeros((len(help_requests), table.size), dtype=bool)
    slots = list(
        Availability.objects.filter(member__in=table.queryset.values("pk")).values_list(
            "member_id", "weekday", "starts", "ends"
        )
    )
    if not slots or not table.size:
        return covered
    columns = table.index_of([slot[0] for slot in slots])
    weekdays = np.array([slot[1] for slot in slots])
    starts = np.array([_minutes(slot[2]) for slot in slots])
    # A slot ending at 23:59 counts as running to midnight.
    ends = np.array([24 * 60 if slot[3] >= datetime.time(23, 59) else _minutes(slot[3]) for slot in slots])
    by_window = {}
    for row, help_request in enumerate(help_requests):
        window = _window(help_request)
        if window is not None:
            by_window.setdefault(window, []).append(row)
    for (weekday, start, end), rows in by_window.items():
        fits = (weekdays == weekday) & (starts <= start) & (ends >= end)
        vector = np.zeros(table.size, dtype=bool)
        vector[columns[fits]] = True
        covered[rows] = vector
    return covered


def _conflicts(assigned, starts, ends, totals):
    """Rows to move: for each provider, any request overlapping a better-scored one it keeps."""
    by_provider = {}
    for row, column in assigned.items():
        by_provider.setdefault(column, []).append(row)
    losers = []
    for rows in by_provider.values():
        if len(rows) < 2:
            continue
        kept = []
        for row in sorted(rows, key=lambda r: (-totals[r, assigned[r]], r)):
            if any(starts[row] < ends[other] and ends[row] > starts[other] for other in kept):
                losers.append(row)
            else:
                kept.append(row)
    return losers


def propose_month(requests, providers=None):
    """A proposal for many requests of one town and month: the best total within capacity.

    Each provider is expanded into their remaining capacity this month (capacity minus live
    assignments), a slot each; later slots of the same provider are cheaper to leave unused,
    which spreads the work (fairness). Impossible pairs (see the module) cost ``FORBIDDEN``.
    No provider is given two overlapping requests: rows in conflict are solved again, without
    that provider and without the slots already given. Returns a ``MonthPlan``.
    """
    help_requests = list(
        HelpRequest.objects.filter(pk__in=[getattr(r, "pk", r) for r in requests])
        .select_related("requester", "site")
        .prefetch_related("children")
        .order_by("starts_at", "pk")
    )
    if not help_requests:
        return MonthPlan(proposals=[], unassigned=[])
    site = help_requests[0].site
    others = [r for r in help_requests if r.site_id != site.pk]
    help_requests = [r for r in help_requests if r.site_id == site.pk]

    areas = Areas()
    table = ProviderTable(eligible_providers(site, providers), areas)
    if not table.size:
        return MonthPlan(proposals=[], unassigned=help_requests + others)
    side = RequestSide.of(help_requests, areas)
    covered = _pair_covered(help_requests, table)
    busy = _pair_busy(help_requests, table)
    continuity = np.zeros_like(covered)
    pairs = _continuity_pairs({r.requester_id for r in help_requests})
    if pairs:
        row_of = {}
        for row, help_request in enumerate(help_requests):
            row_of.setdefault(help_request.requester_id, []).append(row)
        for requester_id, provider_id in pairs:
            column = table.index_of([provider_id])[0]
            if column >= 0:
                continuity[row_of[requester_id], column] = True
    scores = _score(side, table, covered, busy, continuity, availability_required=True)

    month_start = _month(min(r.starts_at for r in help_requests))[0]
    month_end = _month(max(r.starts_at for r in help_requests))[1]
    load = table.loads(month_start, month_end, exclude_requests=[r.pk for r in help_requests])
    remaining = np.maximum(table.capacity - load, 0).astype(np.int64)
    slots = np.minimum(remaining, scores.feasible.sum(axis=0))
    slot_provider = np.repeat(np.arange(table.size), slots)
    offsets = np.cumsum(slots) - slots
    slot_number = np.arange(len(slot_provider)) - np.repeat(offsets, slots)
    slot_load = load[slot_provider] + slot_number
    slot_points = _load_points(slot_load, table.capacity[slot_provider])

    starts = np.array([r.starts_at.timestamp() for r in help_requests])
    ends = np.array([r.ends_at.timestamp() for r in help_requests])

    def solve(rows, column_mask, forbidden_pairs):
        """Best columns for ``rows`` among the allowed slots; {row: slot}."""
        columns = np.flatnonzero(column_mask)
        if not len(rows) or not len(columns):
            return {}
        providers_of = slot_provider[columns]
        cost = -(scores.total[np.ix_(rows, providers_of)] + slot_points[columns])
        allowed = scores.feasible[np.ix_(rows, providers_of)]
        for index, row in enumerate(rows):
            for provider_column in forbidden_pairs.get(row, ()):
                allowed[index, providers_of == provider_column] = False
        cost[~allowed] = FORBIDDEN
        row_index, column_index = linear_sum_assignment(cost)
        return {
            rows[r]: int(columns[c])
            for r, c in zip(row_index, column_index, strict=True)
            if cost[r, c] < FORBIDDEN / 2
        }

    all_rows = list(range(len(help_requests)))
    free = np.ones(len(slot_provider), dtype=bool)
    chosen = solve(all_rows, free, {})
    forbidden_pairs = {}
    for _round in range(REPAIR_ROUNDS):
        by_row = {row: int(slot_provider[slot]) for row, slot in chosen.items()}
        losers = _conflicts(by_row, starts, ends, scores.total)
        if not losers:
            break
        for row in losers:
            del chosen[row]
        free[:] = True
        free[list(chosen.values())] = False
        kept_by_provider = {}
        for row, slot in chosen.items():
            kept_by_provider.setdefault(int(slot_provider[slot]), []).append(row)
        for row in losers:
            blocked = forbidden_pairs.setdefault(row, set())
            for provider_column, kept_rows in kept_by_provider.items():
                if any(starts[row] < ends[other] and ends[row] > starts[other] for other in kept_rows):
                    blocked.add(provider_column)
        chosen.update(solve(losers, free, forbidden_pairs))
    else:
        by_row = {row: int(slot_provider[slot]) for row, slot in chosen.items()}
        for row in _conflicts(by_row, starts, ends, scores.total):
            del chosen[row]

    members = Member.objects.in_bulk([int(table.ids[slot_provider[slot]]) for slot in chosen.values()])
    proposals = []
    for row, slot in sorted(chosen.items()):
        column = int(slot_provider[slot])
        proposals.append(
            Proposal(
                request=help_requests[row],
                provider=members[int(table.ids[column])],
                score=round(float(scores.total[row, column] + slot_points[slot]), 1),
                reasons=_reasons(scores, table, side, row, column, slot_load[slot]),
            )
        )
    unassigned = [r for row, r in enumerate(help_requests) if row not in chosen] + others
    return MonthPlan(proposals=proposals, unassigned=unassigned)
