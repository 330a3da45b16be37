"""Keyword lists from program.yaml (汎用品, 間接経費, 出願手数料 …) and the one way they are matched.

Text is compared in its NFKC, case-folded form, so 「ＰＣ」「ｐｃ」「PC」 are the same word and
「ｽﾏﾎ」 is 「スマホ」. A term made only of ASCII letters, digits and spaces is a *word*: it must not
touch other letters or digits (「PC」 is not found in 「PCB」 or 「UPC」), nor a hyphenated part
number (「PC-200」); a hyphen inside it is part of the word (「N-VAN」「e-STUDIO」). Japanese terms are
substrings. A category's ``models`` are the names of product lines that are written with a model
number after them: 「MFC-」 is found in 「MFC-L2750DW」, 「Galaxy S」 in 「Galaxy S24」, never alone.

A hit is dropped when the text says the thing is excluded (「消費税を除く」「PC は自社負担」),
when the words around it show an innocent meaning (``innocent_after`` / ``innocent_before`` /
``unless_text``), and an error becomes a warning where the words around it leave the meaning
open (``unsure_after`` / ``unsure_text``). A category with ``with_after`` counts a term only when the
same clause goes on to say one of those words (「携帯電話の月額料金」 is a phone bill, 「携帯電話」 a phone).
The lists are program data; this module is the logic.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from planvalidator.patterns import lazy
from planvalidator.structs import Frozen, Struct, compared_on, field


_ASCII_WORD = lazy(r"[a-z0-9 '.+&-]+")
_CLAUSE_END = lazy(r"[、。,;；」\n]")        # (a closing bracket does not end it: 「PC（本体）を除く」)
_WINDOW = 40                                        # characters either side of a match that context is read from
_SKIP = " 　・:：（(「"
_NEGATION_WINDOW = 10
# Latin letters and digits right after a Latin-letter product name are its model (「iPhone 15」「Surface Pro」):
# the words after them decide (「iPhone 15対応ケース」 is a case)
_MODEL_AFTER = lazy(r"(?:[a-z0-9][a-z0-9.+'&-]*\s*)+")


def _spaced(text: str) -> str:
    return _spaced_text(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=1 << 14)
def _spaced_text(text: str) -> str:       # (every keyword family reads the same cells: each is folded once)
    return _SPACE_RUN.sub(" ", unicodedata.normalize("NFKC", text))


_SPACE_RUN = re.compile(r"\s+")


_KANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}     # ぁ…ゖ → ァ…ヶ


def kana(text: str) -> str:
    """Hiragana as katakana (one character for one, so positions stay): a word matches however its
    reading is written — 「ぱそこん」 is パソコン, 「すまほ」 is スマホ."""
    return text.translate(_KANA)


def _hiragana_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is all hiragana and a whole run of it (not part of 「いちばん」)."""
    def hira(ch: str) -> bool:
        return "\u3041" <= ch <= "\u309f" or ch == "ー"
    return (all(hira(ch) for ch in text[start:end]) and (start == 0 or not hira(text[start - 1]))
            and (end == len(text) or not hira(text[end])))


def fold(text: str) -> str:
    """The form keywords are matched in: NFKC, case-folded, runs of white space as one space."""
    return _spaced(text).casefold()


class Hit(Frozen):
    """An expense keyword found in a text, with its category and severity after its context."""
    term: str            # the keyword as written in schemas/expenses.yaml
    label: str           # the category it belongs to (「パソコン」「消費税」…)
    severity: str        # "error" or "warning", after the context was weighed
    found: str           # the text that matched, as the applicant wrote it (NFKC)
    note: str = ""       # why a word alone cannot decide (for warnings)
    category: str = ""   # the category's id in the expense vocabulary
    rented: bool = False # what is rented or leased, not bought (「複合機のリース」)


class Group(Struct):
    """A category of expense keywords (schemas/expenses.yaml) and its terms, every word in the form it is
    matched in (:attr:`planvalidator.expense_vocabulary.ExpenseVocabulary.folded_words`)."""
    label: str
    severity: str
    terms: list[str]
    note: str = ""
    innocent_after: list[str] = field(default_factory=list)
    innocent_before: list[str] = field(default_factory=list)
    unless_text: list[str] = field(default_factory=list)
    unsure_text: list[str] = field(default_factory=list)
    sure_text: list[str] = field(default_factory=list)      # a warning is an error when the row also says this
    key: str = ""                                           # its id in the expense vocabulary
    models: list[str] = field(default_factory=list)         # product lines named with a model number after them
    with_after: list[str] = field(default_factory=list)     # a term counts only when its clause goes on to say one
    matchers: list[tuple] = field(default_factory=list)     # (made from the terms and models by __post_init__)

    def __post_init__(self):
        # (the words come folded: ExpenseVocabulary.folded_words, once per content of the vocabulary)
        # each term with its pattern's maker and the literal any match of it contains (spaces left out):
        # a pattern is compiled only for a text holding its literal, once per process
        self.matchers = ([(t, t.replace(" ", ""), _pattern) for t in self.terms]
                         + [(t, t.replace(" ", ""), _model_pattern) for t in self.models])

    @property
    def patterns(self) -> list[tuple[str, re.Pattern]]:
        """Every term with its compiled pattern."""
        return [(term, make(term)) for term, _literal, make in self.matchers]


@lru_cache(maxsize=None)
def _pattern(term: str) -> re.Pattern:
    escaped = re.escape(term).replace(r"\ ", r"\s?")
    if _ASCII_WORD.fullmatch(term):
        # a word: no letter or digit on either side, and not part of a part number (PC-200, A-PC)
        return re.compile(rf"(?<![a-z0-9])(?<![a-z0-9]-){escaped}(?![a-z0-9])(?!-\d)")
    return re.compile(escaped)


@lru_cache(maxsize=None)
def _model_pattern(line: str) -> re.Pattern:
    """A product line with its model number: up to three letters, then a digit, then letters, digits and
    hyphens (「mfc-」 → 「mfc-l2750dw」, 「galaxy s」 → 「galaxy s24」, 「latitude」 → 「latitude 5440」; a space may
    come before the number when the line ends in a letter). The match is the whole model."""
    escaped = re.escape(line).replace(r"\ ", r"\s?")
    left = r"(?<![a-z0-9])(?<![a-z0-9]-)" if line[:1].isascii() and line[:1].isalnum() else ""
    space = r"\s?" if line[-1:].isalnum() else ""
    return re.compile(rf"{left}{escaped}{space}(?=[a-z]{{0,3}}\d)[a-z0-9]+(?:-[a-z0-9]+)*")


# (one check of the 記入例 asks the union of the families a dozen times, of a 10,000-row table some 10,000: the
# alternation, some 6 ms to compile, saves ~0.4 µs a text over the index of first characters)
_ASKED_BEFORE_COMPILING = 10_000


def bare(text: str) -> str:
    """A text as :class:`Literals` look in it: :func:`fold`, hiragana as katakana, spaces left out."""
    return _bare(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=1 << 14)
def _bare(text: str) -> str:        # (every family, and the union of them, looks in the same cells)
    return kana(fold(text).replace(" ", ""))


class Literals(Struct):
    """Whether a text could hold a term: one alternation of literals (:func:`_alternation`), which re matches
    far faster than the terms' own patterns with their word boundaries. The alternation (some 6 ms to compile for all
    the families) is built once it has been asked often (a batch, a big table); until then only the
    literals that begin with two characters of the text are looked for (:meth:`_found_by_start`), which
    answers the same. The literals of
    several sets in one (:func:`union`) pass a text over for all of them at once."""
    literals: tuple[str, ...]           # longest first
    _any: re.Pattern | None = None      # (remembered: the alternation, once compiled)
    _asked: int = 0                     # (remembered: how often it was asked before)
    _starts: dict | None = None         # (remembered: :meth:`_by_start`)
    __eq__, __hash__ = compared_on("literals", hashable=False)

    @classmethod
    def of(cls, literals) -> "Literals":
        return cls(tuple(sorted(set(literals), key=len, reverse=True)))

    def could_match(self, text: str) -> bool:
        """False when none of the literals occurs in :func:`bare` ``text``."""
        folded = bare(text)
        if self._any is None:
            self._asked += 1
            if self._asked <= _ASKED_BEFORE_COMPILING:
                return self._found_by_start(folded)
            self._any = re.compile(_alternation(self.literals))
        return bool(self._any.search(folded))

    def _found_by_start(self, folded: str) -> bool:
        """Whether a literal occurs in ``folded``, looked for only among those that begin with two characters
        of it that follow each other (the others cannot occur; a literal shorter than that is looked for itself)."""
        starts = self._starts if self._starts is not None else self._by_start()
        shorter = starts.get("")
        if shorter and any(literal in folded for literal in shorter):
            return True
        for pair in starts.keys() & {folded[i:i + 2] for i in range(len(folded) - 1)}:
            if any(literal in folded for literal in starts[pair]):
                return True
        return False

    def _by_start(self) -> dict[str, tuple[str, ...]]:
        """The literals by their first two characters (those shorter under 「」)."""
        starts: dict[str, list[str]] = {}
        for literal in self.literals:
            starts.setdefault(literal[:2] if len(literal) >= 2 else "", []).append(literal)
        self._starts = {pair: tuple(found) for pair, found in starts.items()}
        return self._starts


def _alternation(literals) -> str:
    """One pattern that finds any of ``literals``, written as their trie (「パソコン」「パッド」 → 「パ(?:ソコン|ッド)」):
    re tries the branches of a plain alternation one by one at every position of the text, a trie's only as far as
    they agree with it. A literal that goes on past a shorter one needs no branch of its own: the shorter one
    is found wherever it is."""
    if not literals:
        return r"(?!)"
    trie: dict = {}
    for literal in literals:
        node = trie
        for ch in literal:
            node = node.setdefault(ch, {})
        node[""] = {}                   # a literal ends here

    def branches(node: dict) -> str:
        if "" in node:
            return ""
        alternatives = [re.escape(ch) + branches(node[ch]) for ch in sorted(node)]
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return branches(trie)


def union(sets) -> Literals:
    """The literals of several keyword sets as one prefilter: a text it lets through may hold a term of
    one of them (each set's own :meth:`KeywordSet.could_match` then says which); one it holds back holds none."""
    return Literals.of(literal for s in sets for literal in s.literals.literals)


class KeywordSet(Struct):
    """One family of keywords (汎用品, 間接経費 …) with the shared context lists."""
    source: str
    groups: list[Group]
    negations: list[str]
    innocent_after: list[str]
    unsure_after: list[str]
    unsure_text: list[str]
    object_only: bool = False      # a term counts only as the object of the expense (what is bought)
    skip_jobs: bool = False        # a term in a line paying for work on something (「…の設計」) only names that thing
    _literals: Literals | None = None  # (remembered: :attr:`literals`)
    __eq__, __hash__ = compared_on("source", "groups", "negations", "innocent_after", "unsure_after", "unsure_text",
                                   "object_only", "skip_jobs", hashable=False)

    @classmethod
    def of(cls, vocabulary, categories, *, source: str = "", unsure_text=(), object_only: bool = False,
           skip_jobs: bool = False) -> "KeywordSet":
        """The set of ``categories`` (ids of the expense vocabulary, :mod:`planvalidator.expense_vocabulary`),
        read with the vocabulary's shared context lists and a family's own settings."""
        words = vocabulary.folded_words
        groups = []
        for key in categories:
            g, w = vocabulary.category(key), words["categories"][key]
            w = {name: list(found) for name, found in w.items()}      # (each set its own lists)
            groups.append(Group(g["label"], g.get("severity", "error"), w["terms"], g.get("note", ""),
                                w["innocent_after"], w["innocent_before"], w["unless_text"], w["unsure_text"],
                                w["sure_text"], key, models=w["models"], with_after=w["with_after"]))
        return cls(source, groups, list(words["negations"]), list(words["innocent_after"]),
                   list(words["unsure_after"]), [kana(fold(t)) for t in unsure_text], object_only, skip_jobs)

    @property
    def literals(self) -> Literals:
        """The literal every match of a term (or model) holds, spaces left out: the set's prefilter."""
        if self._literals is None:
            self._literals = Literals.of(t.replace(" ", "") for g in self.groups for t in g.terms + g.models)
        return self._literals

    def could_match(self, text: str) -> bool:
        """False when no term of the set occurs in ``text`` even as a bare substring, spaces left out
        (:class:`Literals`): the per-term passes, with their context, run only for the texts this lets
        through, and no text a pattern would match is held back."""
        return self.literals.could_match(text)

    def find(self, text: str | None, *, context: str = "", reading=None, kind=None) -> Hit | None:
        """The strongest hit in ``text`` (``context``: other words of the same row), or None.

        ``reading`` (a function folded text → :class:`planvalidator.japanese.Reading`, or None when
        no Japanese analyser is installed): a term then counts only as whole words, and in an
        ``object_only`` family only as the object of the expense — not a word inside a longer word,
        not a word only mentioned (「スマホで読み取る…リーフレットの印刷」). ``kind`` (folded text → 「job」 …, where
        there is no reading: :func:`planvalidator.japanese.rough_kind`): a line paying for a job only names its
        terms, as with a reading."""
        if not text:
            return None
        if not self.could_match(text):
            return None
        shown = _spaced(text)
        folded = shown.casefold()
        if len(shown) != len(folded):         # casefold changed a length (ß → ss): show the folded text
            shown = folded
        words = reading(folded) if reading is not None else None      # (Sudachi reads the text as written)
        if words is None and kind is not None and (self.skip_jobs or self.object_only) and kind(folded) == "job":
            return None                         # (without a reading: 「iPad用スタンドの試作」 read from its end)
        plain, folded = folded, kana(folded)  # the terms match however their reading is written
        whole = folded + " " + kana(fold(context))
        if words is not None and self.skip_jobs and words.kind == "job":
            return None                         # 「料亭の接待需要に関する市場調査」 is a survey
        bare = folded.replace(" ", "")
        best: Hit | None = None
        for group in self.groups:
            if any(t in whole for t in group.unless_text):
                continue
            for term, literal, make in group.matchers:
                if literal not in bare:
                    continue                    # (no match can be there: its pattern is not compiled for this text)
                for m in make(term).finditer(folded):
                    purpose = rented = False
                    if words is not None and _hiragana_word(plain, m.start(), m.end()):
                        pass                    # 「ぱそこん」: a whole run of hiragana, which Sudachi cannot read as a loanword
                    elif words is not None:
                        # part of a longer word: a thing bought must be whole words (「プリンタ」 is not in
                        # 「プリンタブル…」); a fee or a tax need only start a word (「消費税込み」, 「プロバイダ料金」)
                        if not words.aligned(m.start(), m.end() if self.object_only else None):
                            continue
                        if self.object_only and not words.is_object(m.start(), m.end()):
                            rented = words.is_rented(m.start(), m.end())
                            purpose = not rented and words.is_purpose(m.start(), m.end())
                            if not purpose and not rented:
                                continue        # only mentioned, not what is bought
                    severity = self._weigh(group, folded, whole, m, plain)
                    if severity is None:
                        continue
                    note = group.note
                    if purpose:                 # 「プリンタ用インク」: bought for one, not the thing itself
                        severity, note = "warning", f"「{shown[m.start():m.end()]}」用の物品で、汎用品そのものの購入かは語だけでは決まらない"
                    elif words is not None and self.object_only and rented:
                        severity, note = "warning", "レンタル・リースで、何に使うかで対象かどうかが決まる"
                    hit = Hit(term, group.label, severity, shown[m.start():m.end()], note, group.key,
                              rented=bool(words is not None and self.object_only and rented))
                    if best is None or (hit.severity == "error" and best.severity != "error"):
                        best = hit
        return best

    def _weigh(self, group: Group, text: str, whole: str, m: re.Match, plain: str | None = None) -> str | None:
        """The severity of one match after its context (``plain``: the text before hiragana was
        folded, where the negations are read), or None when the context clears it."""
        tail = text[m.end():m.end() + _WINDOW]
        after = raw = tail.lstrip(_SKIP)
        if m.group()[-1:].isascii() and m.group()[-1:].isalnum() and _MODEL_AFTER.match(tail.lstrip(" ")):
            after = _MODEL_AFTER.sub("", tail.lstrip(" "), count=1) or raw     # past the model name (not into a bracket)
        before = text[max(0, m.start() - _WINDOW):m.start()].rstrip(_SKIP)
        bare = after.lstrip(kana("のをがに"))      # 「光熱費の削減」「電気代を削減」 (the text is in katakana here)
        if any(a.startswith(t) for t in group.innocent_after + self.innocent_after for a in (raw, after, bare)):
            return None
        if any(before.endswith(t) for t in group.innocent_before):
            return None
        clause = _CLAUSE_END.split((plain or text)[m.end():m.end() + _WINDOW], maxsplit=1)[0]
        if any(n in clause[:_NEGATION_WINDOW] for n in self.negations):
            return None
        if group.with_after and not any(w in kana(clause) for w in group.with_after):
            return None                            # 「携帯電話」 without 「…の月額料金」: a phone, not its bill
        severity = group.severity
        if severity == "warning" and any(t in whole for t in group.sure_text):
            severity = "error"                     # 「ワード・エクセル ライセンス」: the software for sure
        if severity == "error":
            unsure_after = any(after.startswith(t) and len(after) > len(t) for t in self.unsure_after)
            if unsure_after or any(t in whole for t in group.unsure_text + self.unsure_text):
                severity = "warning"
        return severity
