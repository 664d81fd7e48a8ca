"""Risk triage: does a new consultation carry signs of abuse, violence, self-harm or neglect?

Terms are kept per town by the lead counsellor and seeded with ``SEED_TERMS``. Both sides are
folded the same way (NFKC width, case and katakana to hiragana), so ＤＶ, dv and ｄｖ, or
たたく and タタク, match alike. A hit marks the case 緊急; matching over-reaches on purpose:
a counsellor reading a case that was not urgent costs little, the reverse may cost a child.
"""

import unicodedata

import jaconv

from .models import RiskTerm

SEED_TERMS = {
    RiskTerm.Kind.ABUSE: (
        "虐待",
        "叩いてしま",
        "たたいてしま",
        "叩いちゃ",
        "手をあげ",
        "手を上げ",
        "殴",
        "蹴",
        "あざがある",
        "あざができ",
        "やけどをさせ",
        "怒鳴",
        "どなってしま",
        "閉じ込め",
        "性的",
    ),
    RiskTerm.Kind.VIOLENCE: ("DV", "暴力", "暴言", "夫が怖", "妻が怖", "逃げたい", "殺", "包丁"),
    RiskTerm.Kind.SELF_HARM: (
        "死にたい",
        "消えたい",
        "いなくなりたい",
        "自殺",
        "自傷",
        "心中",
        "一緒に死",
        "生きていたくない",
        "もう限界",
    ),
    RiskTerm.Kind.NEGLECT: (
        "ネグレクト",
        "ご飯をあげていない",
        "食べさせていない",
        "放置",
        "置き去り",
        "育児放棄",
        "お風呂に入れていない",
        "一人で留守番させ",
    ),
}


def fold(text):
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return jaconv.kata2hira(text)


def seed_terms(site):
    """Give a town the seed list (terms it already has are left as they are)."""
    existing = set(RiskTerm.objects.filter(site=site).values_list("term", flat=True))
    RiskTerm.objects.bulk_create(
        RiskTerm(site=site, term=term, kind=kind)
        for kind, terms in SEED_TERMS.items()
        for term in terms
        if term not in existing
    )


def risk_hits(site, text):
    """The town's risk terms found in ``text``, as (term, kind) pairs."""
    folded = fold(text)
    return [
        (term, kind)
        for term, kind in RiskTerm.objects.filter(site=site).values_list("term", "kind")
        if fold(term) and fold(term) in folded
    ]
