"""Japanese text analysis: the one place where text becomes search terms.

The index, the queries, the snippets and the Elasticsearch documents all go through here, so a
word is found the same way on SQLite, on PostgreSQL and in Elasticsearch.

Text is analysed with SudachiPy and its core dictionary (``sudachidict_core``). Sudachi was
chosen over MeCab (fugashi + unidic-lite) and Janome because its dictionary ships on PyPI and is
refreshed several times a year, it gives a *normalised form* for spelling variants (申込み and
申し込み are both 申し込み; 子ども, 子供 and こども are all 子供; ﾍﾞﾋﾞｰｶｰ is ベビーカー) as well as
a reading, and it splits long compounds at several granularities (母子健康手帳 → 母子 / 健康 /
手帳), which is what lets 母子手帳 or 健診 find the official wording. It analyses about 850,000
characters a second on one core of this machine (a 600-character page in 0.7 ms).

Every word yields several *terms*:

- its normalised form, folded by NFKC (full-width ＤＶ is ``dv``) and lower-cased;
- its reading in katakana (so じどうてあて meets 児童手当 through ジドウテアテ);
- the normalised forms and readings of the shorter units of a compound;
- character bigrams for words the dictionary does not know (the n-gram fallback).

A query is analysed into a tree of :class:`Term`, :class:`AllOf` and :class:`AnyOf`: every
whitespace-separated part of the query must match (AND), and a part matches through any of its
terms, its synonyms, or all of its words.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jaconv
from sudachipy import Dictionary, SplitMode

# Parts of speech that carry no meaning for search: particles, auxiliary verbs, symbols, spaces.
SKIPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
NOT_A_TERM_CHAR = re.compile(r"[^\w\u30fc]+")
KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆]")
KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々]")
KANA_ONLY = re.compile(r"[\u3041-\u309f\u30a1-\u30fa\u30fc-\u30fe]+")
HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
MAX_QUERY_PARTS = 8

_local = threading.local()


@lru_cache(maxsize=1)
def _dictionary():
    return Dictionary(dict="core")


def _tokenizer():
    """Sudachi tokenizers are not thread-safe: one per thread, sharing the loaded dictionary."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tokenizer


def fold(text):
    """Width and case folding: ＤＶ → dv, ﾍﾞﾋﾞｰｶｰ → ベビーカー, ① → 1."""
    return unicodedata.normalize("NFKC", text).lower()


def to_katakana(text):
    return text.translate(HIRAGANA_TO_KATAKANA)


SMALL_TO_LARGE = str.maketrans("ァィゥェォャュョヮヵヶ", "アイウエオヤユヨワカケ")
O_OR_U_ROW = set("オコソトノホモヨロゴゾドボポウクスツヌフムユルグズヅブプ")
E_ROW = set("エケセテネヘメレゲゼデベペ")


def loose(reading):
    """A katakana reading with the slips people make folded away.

    Long vowels written or not (ジドウ / ジド, キュウキュウ / キュキュ, ー), small kana typed
    large (りにゅうしよく) and the small ッ (てあって) all fold to one form, so Hepburn romaji
    without macrons (jido teate, kyukyu) and phone typos meet the dictionary's reading.
    Only kana change; anything else is returned as it is.
    """
    if not reading or not KANA_ONLY.fullmatch(reading):
        return reading
    letters = reading.replace("ー", "").replace("ッ", "").translate(SMALL_TO_LARGE)
    folded = []
    for letter in letters:
        previous = folded[-1] if folded else ""
        if letter == "ウ" and previous in O_OR_U_ROW:
            continue
        if letter == "オ" and previous in O_OR_U_ROW - set("ウクスツヌフムユルグズヅブプ"):
            continue
        if letter == "イ" and previous in E_ROW:
            continue
        folded.append(letter)
    return "".join(folded)


def clean(text):
    """A term as both FTS5 and PostgreSQL's parser keep it whole: letters, digits and ー only."""
    return NOT_A_TERM_CHAR.sub("", text)


def is_japanese(text):
    return bool(KANA_OR_KANJI.search(text))


@dataclass(frozen=True)
class Word:
    """One morpheme of analysed text and the terms it is indexed and searched under."""

    surface: str
    start: int
    end: int
    terms: tuple
    units: tuple  # terms of each shorter unit of a compound, one tuple per unit
    reading: str
    noun: bool = False
    pos: str = ""
    norm: str = ""


def _reading(morpheme):
    reading = morpheme.reading_form()
    if not reading or reading == "キゴウ":
        return ""
    return clean(to_katakana(fold(reading)))


def _unit_terms(morpheme):
    terms = []
    reading = _reading(morpheme)
    if morpheme.is_oov() and not is_japanese(morpheme.surface()):
        reading = ""  # an unknown Latin word has no reading worth matching ("nursury")
    candidates = [clean(fold(morpheme.normalized_form())), reading, loose(reading)]
    if morpheme.is_oov():
        candidates.append(clean(fold(morpheme.surface())))
    for term in candidates:
        if term and term not in terms:
            terms.append(term)
    return tuple(terms)


def bigrams(text):
    return [text[i : i + 2] for i in range(len(text) - 1)]


def words(text):
    """The meaningful words of ``text``, with their positions in it (for highlighting).

    The text is analysed as written (Sudachi reads full- and half-width forms itself), so the
    positions are those of the original; only the terms are folded.
    """
    if not text:
        return []
    found = []
    for morpheme in _tokenizer().tokenize(text):
        if morpheme.part_of_speech()[0] in SKIPPED_POS:
            continue
        terms = list(_unit_terms(morpheme))
        if not terms:
            continue
        surface = clean(fold(morpheme.surface()))
        if morpheme.is_oov() and len(surface) > 2 and is_japanese(surface):
            terms.extend(bigram for bigram in bigrams(surface) if bigram not in terms)
        units = morpheme.split(SplitMode.A)
        unit_terms = tuple(_unit_terms(unit) for unit in units) if len(units) > 1 else ()
        found.append(
            Word(
                morpheme.surface(),
                morpheme.begin(),
                morpheme.end(),
                tuple(terms),
                unit_terms,
                _reading(morpheme) or surface,
                morpheme.part_of_speech()[0] == "名詞",
                morpheme.part_of_speech()[1]
                if morpheme.part_of_speech()[1] == "代名詞"
                else morpheme.part_of_speech()[0],
                clean(fold(morpheme.normalized_form())),
            )
        )
    return found


def index_terms(text):
    """Every term ``text`` is found under, repeated as often as it occurs (for BM25 weighting)."""
    terms = []
    previous = None
    for word in words(text):
        terms.extend(word.terms)
        for unit in word.units:
            terms.extend(term for term in unit if term not in word.terms)
        if previous is not None and previous.noun and word.noun and previous.end == word.start:
            # Two nouns written together (一時 + 保育) are also one word read as one:
            # the reading of the pair lets いちじほいく find 一時保育.
            terms.append(previous.reading + word.reading)
            joined_loosely = loose(previous.reading + word.reading)
            if joined_loosely != previous.reading + word.reading:
                terms.append(joined_loosely)
        previous = word
    return terms


def index_text(text):
    """The analysed form of ``text`` that the search index stores: terms separated by spaces."""
    return " ".join(index_terms(text))


# Query trees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False


@dataclass(frozen=True)
class AllOf:
    parts: tuple


@dataclass(frozen=True)
class AnyOf:
    parts: tuple


def all_of(parts):
    return _combine(AllOf, parts)


def any_of(parts):
    return _combine(AnyOf, parts)


def _combine(kind, parts):
    flat = []
    for part in parts:
        if part is None or (isinstance(part, Term) and not part.text):
            continue  # an empty term (ー folded away) matches nothing and breaks a tsquery
        members = part.parts if isinstance(part, kind) else (part,)
        for member in members:
            if member not in flat:
                flat.append(member)
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    return kind(tuple(flat))


def terms_of(tree):
    """Every term in a query tree (for highlighting and for explaining a match)."""
    if tree is None:
        return set()
    if isinstance(tree, Term):
        return {tree}
    found = set()
    for part in tree.parts:
        found |= terms_of(part)
    return found


# Words that make a question polite or a question, not what it is about (どうすればいいですか).
QUESTION_WORDS = frozenset(
    "する 為る いる 居る ある 有る なる 成る できる 出来る いう 言う 思う 知る 分かる わかる 教える 困る "
    "良い いい よい 下さる 頂く いただく 貰う もらう 行う 見る 聞く 調べる 探す "
    "どう どうして なぜ 何故 どんな どの どれ どこ いつ 何 なに 誰 だれ いくら 幾ら 方法 やり方 "
    "こと 事 もの 物 ため 為 場合 とき 時 ところ 所 方 ほう 感じ 大丈夫 ください 下さい 欲しい ほしい".split()
)
QUESTION_POS = frozenset({"代名詞", "接続詞", "感動詞", "連体詞"})
# Syllables of Hepburn and kunrei romaji (shi/si, tsu/tu, ja/zya, double consonants, n, n').
ROMAJI = re.compile(
    r"(?:(?:kk|ss|tt|pp|cch|tch|gg|zz|dd|bb|hh|ff|jj|rr|mm)?"
    r"(?:ky|gy|sh|sy|ch|ty|cy|ts|dy|zy|ny|hy|by|py|my|ry|j|f|[kgsztdnhbpmyrwv])?[aiueo]|n'?|-)+"
)


@dataclass
class Expansion:
    """A synonym the query was widened with: what was typed, and what was searched for it."""

    typed: str
    expansion: str
    tree: object


def romaji_to_kana(text):
    """Hepburn or kunrei romaji as hiragana (hoikuenn, jidou, jido, shi/si, tsu/tu), or ``""``.

    jaconv converts; a word with letters left over (school, application) is not romaji.
    """
    if not ROMAJI.fullmatch(text) or not re.search("[a-z]", text):
        return ""  # "-" or "--" alone is punctuation, not a long vowel
    kana = jaconv.alphabet2kana(text.replace("'", "").replace("-", "ー"))
    return kana if KANA_ONLY.fullmatch(kana) else ""


def _word_query(word):
    """A word of a query matches through any of its terms, or through all of its shorter units.

    Units count for compounds of four characters or more (母子手帳 finds 母子健康手帳 through
    母子 and 手帳); a short word (保育園) would otherwise match any page with 保育 and 園 apart.
    """
    long_compound = word.units and len(word.surface) >= 4
    units = all_of(any_of(Term(term) for term in unit) for unit in word.units) if long_compound else None
    return any_of([*(Term(term) for term in word.terms), units])


def content_words(found):
    """The words of a query that say what it is about (question and politeness words dropped)."""
    kept = [word for word in found if word.pos not in QUESTION_POS and word.norm not in QUESTION_WORDS]
    return kept or found


def has_function_words(text):
    """Whether text is a sentence (particles or auxiliaries: 熱を出したら) rather than a name."""
    return any(morpheme.part_of_speech()[0] in ("助詞", "助動詞") for morpheme in _tokenizer().tokenize(text))


def phrase_query(text, synonyms=None, prefix_last=False, notes=None, question_mode=True):
    """The query for one whitespace-separated part of what was typed.

    A sentence of three or more content words (a question typed on a phone) matches pages with
    any of them, ranked by how many; a name or a synonym's expansion needs all of its words.
    """
    folded = fold(text).strip()
    if not folded:
        return None
    alternatives = []
    kana = romaji_to_kana(folded)
    if kana:
        # Romaji: also searched as the kana it spells (hoikuen → ほいくえん), keeping the letters
        # for the odd English or brand word that converts too.
        alternatives.append(Term(clean(folded)))
        folded = kana
    kana_only = bool(KANA_ONLY.fullmatch(folded))
    if kana_only:
        # Typed in kana: the whole reading (じどうてあて → ジドウテアテ meets 児童手当), however
        # the dictionary split it (り in りにゅうしょく would be taken for a particle), and the
        # same with long vowels and small kana folded (jido teate, りにゅうしよく).
        reading = to_katakana(folded)
        alternatives.extend([Term(reading), Term(loose(reading))])
        if prefix_last:
            alternatives.append(Term(reading, prefix=True))
    found = content_words(words(folded))
    if not found:
        # Only particles or symbols: searched as typed, so the parent still gets an answer.
        term = clean(folded)
        return any_of([*alternatives, Term(term)]) if term else any_of(alternatives)
    if len(found) == 1 and len(found[0].surface) == 1 and is_japanese(found[0].surface):
        # One character (歯): any word that starts with it (歯科, 歯みがき) as well as the word.
        # Only a kanji prefixes: a one-kana prefix (ハ*) would match half the readings.
        kanji_terms = [term for term in found[0].terms if KANJI.search(term)]
        alternatives.append(any_of(Term(term, prefix=True) for term in kanji_terms))
    parts = [_word_query(word) for word in found]
    if prefix_last:
        last = found[-1]
        parts[-1] = any_of([parts[-1], *(Term(term, prefix=True) for term in last.terms)])
    # Kana split into pieces the dictionary guessed (と・しょ・かん) would match unrelated pages
    # through ショ and カン: the pieces count only when they are words of two kana or more and
    # nothing was dropped as a particle.
    guessed = kana_only and (
        sum(len(word.surface) for word in found) != len(folded)
        or any(len(word.surface) < 2 for word in found)
    )
    if not guessed or prefix_last:
        # Three or more content words are a question or a sentence: any of them may match,
        # and BM25 ranks the pages with more of them first.
        question = question_mode and len(parts) >= 3 and has_function_words(folded)
        alternatives.append(any_of(parts) if question else all_of(parts))
    if not kana_only and 1 < len(found) <= 3:
        reading = "".join(word.reading for word in found)
        if reading:
            alternatives.append(Term(reading))
    if synonyms:
        for expansion in synonyms.get(clean(folded), ()):
            alternatives.append(_expanded(text, expansion, notes))
        for word in found:
            for term in word.terms:
                for expansion in synonyms.get(term, ()):
                    replacement = _expanded(word.surface, expansion, notes)
                    alternatives.append(_replace_word(found, word, replacement))
    return any_of(alternatives)


def _expanded(typed, expansion, notes):
    tree = phrase_query(expansion, question_mode=False)
    if notes is not None and tree is not None and all(note.expansion != expansion for note in notes):
        notes.append(Expansion(typed, expansion, tree))
    return tree


def _replace_word(found, replaced, replacement):
    return all_of(replacement if word is replaced else _word_query(word) for word in found)


def query_parts(query):
    """The whitespace-separated parts of a query, folded (full-width spaces included)."""
    return fold(query).split()[:MAX_QUERY_PARTS]


MAX_SYNONYM_PARTS = 4


def parse(query, synonyms=None, prefix_last=False, notes=None):
    """The query tree for what was typed: every part must match. ``None`` if nothing is left.

    Consecutive parts that together are a synonym ("nursery school", "child allowance") are
    matched as one. ``notes``, a list, collects the synonyms the query was widened with.
    """
    parts = query_parts(query)
    trees = []
    index = 0
    while index < len(parts):
        last = prefix_last and index == len(parts) - 1
        group = None
        for size in range(min(MAX_SYNONYM_PARTS, len(parts) - index), 1, -1):
            typed = " ".join(parts[index : index + size])
            expansions = (synonyms or {}).get(clean(typed), ())
            if expansions:
                as_typed = all_of(phrase_query(part) for part in parts[index : index + size])
                group = any_of([as_typed, *(_expanded(typed, e, notes) for e in expansions)])
                index += size
                break
        if group is None:
            group = phrase_query(parts[index], synonyms, prefix_last=last, notes=notes)
            index += 1
        trees.append(group)
    return all_of(trees)


def relaxed(tree):
    """The same query with any part allowed to match (used when every part together finds nothing)."""
    if isinstance(tree, AllOf):
        return AnyOf(tree.parts)
    return tree


# Rendering for the database engines --------------------------------------------------------


def to_fts5(tree):
    """An SQLite FTS5 MATCH expression. Terms are quoted, so nothing typed is FTS5 syntax."""
    if isinstance(tree, Term):
        quoted = '"' + tree.text.replace('"', '""') + '"'
        return quoted + "*" if tree.prefix else quoted
    joiner = " AND " if isinstance(tree, AllOf) else " OR "
    return "(" + joiner.join(to_fts5(part) for part in tree.parts) + ")"


def to_tsquery(tree):
    """A PostgreSQL tsquery (for ``to_tsquery('simple', …)``). Terms are quoted lexemes."""
    if isinstance(tree, Term):
        quoted = "'" + tree.text.replace("\\", "\\\\").replace("'", "''") + "'"
        return quoted + ":*" if tree.prefix else quoted
    joiner = " & " if isinstance(tree, AllOf) else " | "
    return "(" + joiner.join(to_tsquery(part) for part in tree.parts) + ")"


# Highlighting ------------------------------------------------------------------------------


def matching_spans(text, tree, found=None):
    """(start, end) of every word of ``text`` that the query matched (``found``: its words)."""
    terms = terms_of(tree)
    exact = {term.text for term in terms if not term.prefix}
    prefixes = tuple(term.text for term in terms if term.prefix)
    spans = []
    for word in words(text) if found is None else found:
        candidates = set(word.terms)
        for unit in word.units:
            candidates.update(unit)
        if candidates & exact or (prefixes and any(c.startswith(prefixes) for c in candidates)):
            spans.append((word.start, word.end))
    return spans
