"""Graded relevance of the site search: recall@k, nDCG@k and MRR over a set of judged queries.

Plain functions of ranked slugs and judgements, so a test can check each figure by hand and
``bench/search_quality.py`` can print them for the demo town. A judgement maps a page's slug to
its grade: 2 = the answer, 1 = also relevant; a page not listed counts as not relevant.

nDCG uses the exponential gain ``2**grade - 1`` (an answer weighs 3, a related page 1) and the
usual ``log2(rank + 1)`` discount. A slug that comes back more than once counts at its first
place only, so a duplicate cannot earn its grade twice.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

QUERIES = Path(__file__).resolve().parents[1] / "search" / "relevance" / "ja_queries.json"
K = 10
GRADES = (1, 2)
# The kinds of query and their sub-kinds: how a parent types, against how a page writes. Issue 5
# judged plain words and their variants; issue 11 ("everyone") the words of parents who don't write
# like the page: questions, everyday words, romaji, English and typos.
SUBS = {
    "plain": ("single-word", "two-words"),
    "variant": ("reading", "abbreviation", "width", "okurigana", "kanji-kana", "one-char"),
    "everyone": ("question", "synonym", "romaji", "english", "typo"),
}
# Issue 11's targets: recall@10 over all its queries, and in each of its categories.
EVERYONE_TARGET = 0.85
EVERYONE_SUB_TARGET = 0.6


@dataclass(frozen=True)
class Query:
    text: str
    kind: str
    sub: str
    relevant: dict
    means: str = ""  # what a romaji or mistyped query stands for (保育園 for hoikuen)


def _first_occurrences(ranked, k):
    seen = []
    for slug in ranked[:k]:
        if slug not in seen:
            seen.append(slug)
    return seen


def recall_at_k(ranked, relevant, k=K):
    """Share of the relevant pages (any grade) among the first ``k`` results."""
    if not relevant:
        raise ValueError("a query needs at least one relevant page")
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def dcg(grades):
    return sum((2**grade - 1) / math.log2(rank + 1) for rank, grade in enumerate(grades, start=1))


def ndcg_at_k(ranked, relevant, k=K):
    """DCG of the first ``k`` results over the DCG of the best possible order of the judged pages."""
    if not relevant:
        raise ValueError("a query needs at least one relevant page")
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg(relevant.get(slug, 0) for slug in _first_occurrences(ranked, k)) / ideal


def reciprocal_rank(ranked, relevant, k=K):
    """1 / the rank of the first relevant result within ``k``; 0 when none is there."""
    for rank, slug in enumerate(ranked[:k], start=1):
        if relevant.get(slug, 0) > 0:
            return 1 / rank
    return 0.0


def load_queries(path=QUERIES):
    """The judged queries of ``path``; a malformed entry raises ``ValueError`` naming it."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    queries = []
    seen = set()
    for number, entry in enumerate(entries, start=1):
        text = entry.get("query", "")
        where = f"query {number} ({text!r})"
        if not text.strip():
            raise ValueError(f"{where}: empty query")
        if text in seen:
            raise ValueError(f"{where}: judged twice")
        seen.add(text)
        kind, sub = entry.get("kind"), entry.get("sub")
        if kind not in SUBS or sub not in SUBS[kind]:
            raise ValueError(f"{where}: unknown kind/sub {kind!r}/{sub!r}")
        relevant = entry.get("relevant")
        if not relevant or not isinstance(relevant, dict):
            raise ValueError(f"{where}: no relevant pages")
        if any(grade not in GRADES for grade in relevant.values()):
            raise ValueError(f"{where}: grades must be one of {GRADES}")
        if max(GRADES) not in relevant.values():
            raise ValueError(f"{where}: no page is graded as the answer ({max(GRADES)})")
        means = entry.get("means", "")
        if not isinstance(means, str) or ("means" in entry and not means.strip()):
            raise ValueError(f"{where}: 'means' must be the text the query stands for")
        queries.append(Query(text, kind, sub, dict(relevant), means))
    return queries


@dataclass(frozen=True)
class Outcome:
    """One query's results and figures."""

    query: Query
    ranked: list
    recall: float
    ndcg: float
    rr: float
    k: int = K

    @property
    def missing(self):
        """Relevant slugs not in the first ``k`` results, answers first."""
        found = set(self.ranked[: self.k])
        return sorted(
            (slug for slug in self.query.relevant if slug not in found),
            key=lambda slug: (-self.query.relevant[slug], slug),
        )


@dataclass(frozen=True)
class Summary:
    name: str
    count: int
    recall: float
    ndcg: float
    mrr: float


@dataclass
class Report:
    outcomes: list = field(default_factory=list)
    k: int = K

    def summary(self, name, outcomes):
        count = len(outcomes)
        if not count:
            return Summary(name, 0, 0.0, 0.0, 0.0)
        return Summary(
            name,
            count,
            sum(o.recall for o in outcomes) / count,
            sum(o.ndcg for o in outcomes) / count,
            sum(o.rr for o in outcomes) / count,
        )

    def groups(self):
        """Summaries overall, per kind, then per sub-kind (in the order of ``SUBS``)."""
        rows = [self.summary("overall", self.outcomes)]
        for kind in SUBS:
            rows.append(self.summary(kind, [o for o in self.outcomes if o.query.kind == kind]))
        for kind, subs in SUBS.items():
            for sub in subs:
                rows.append(self.summary(f"{kind}/{sub}", [o for o in self.outcomes if o.query.sub == sub]))
        return rows

    def targets(self):
        """Issue 11's targets against the figures: ``[(group, recall, target, met)]``.

        Empty when no "everyone" query was run.
        """
        rows = {row.name: row for row in self.groups()}
        checks = [("everyone", EVERYONE_TARGET)]
        checks += [(f"everyone/{sub}", EVERYONE_SUB_TARGET) for sub in SUBS["everyone"]]
        return [
            (name, rows[name].recall, target, rows[name].recall >= target)
            for name, target in checks
            if rows[name].count
        ]

    @property
    def misses(self):
        """Queries that left a relevant page out of the first ``k`` results, worst first."""
        missed = [o for o in self.outcomes if o.missing]
        return sorted(missed, key=lambda o: (o.ndcg, o.recall, o.query.text))

    @property
    def answer_not_first(self):
        """Queries whose first result is not an answer (grade 2), though nothing relevant is missing."""
        best = max(GRADES)
        late = [
            o
            for o in self.outcomes
            if not o.missing and (not o.ranked or o.query.relevant.get(o.ranked[0], 0) < best)
        ]
        return sorted(late, key=lambda o: (o.ndcg, o.query.text))


def evaluate(search_fn, queries, k=K):
    """Run every query through ``search_fn(text) -> ranked slugs`` and score it."""
    report = Report(k=k)
    for query in queries:
        ranked = list(search_fn(query.text))
        report.outcomes.append(
            Outcome(
                query=query,
                ranked=ranked,
                recall=recall_at_k(ranked, query.relevant, k),
                ndcg=ndcg_at_k(ranked, query.relevant, k),
                rr=reciprocal_rank(ranked, query.relevant, k),
                k=k,
            )
        )
    return report
