"""Reading an expense line as Japanese: its words, and the object the money is spent on.

A keyword inside a longer word (「プリンタ」 in 「プリンタブルエレクトロニクス」) is not that word, and a
word that is only mentioned (「スマホで読み取るQRコード付きリーフレットの印刷」) is not what is bought.
SudachiPy with the SudachiDict core dictionary splits the text into words (mode A, the shortest
units, gives every word boundary) and tags them (mode C, the longest units, gives the phrase
structure). Japanese noun phrases are head-final, so the object of an expense is the last noun
compound of the line, read from the end:

- brackets are asides (「ノートPC（データ解析用）」 → ノートPC),
- words that only say it is bought or counted (一式, 購入, 2台, 年間ライセンス) are passed over,
- model names and numbers after a product (「iPhone 15」, 「Mac Book Pro」) belong to it, and a model
  number is one name however it is punctuated (「MFC-L2750DW」, 「Home & Business」, 「N-VAN」),
- 「XX用YY」「XX向けYY」「XX付きYY」 → YY (XX is what it is for),
- 「YYの試作」「YYの印刷」 → a job done on YY, not a purchase of YY; 「YYのレンタル」 → a rental,
- 「AとB」「A・B」「A、B」 → both are objects.

Which words say "bought", "a job", "a rental" or "a model name" is program data
(program.yaml ``expense_reading``); this module holds only the grammar. Without SudachiPy (for
example in Pyodide, where its Rust extension is not built) :func:`read` returns None and the
keyword rules fall back to matching the words alone.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from planvalidator.patterns import lazy
from planvalidator.structs import Frozen

BRACKETS = {"(": ")", "（": "）", "[": "]", "［": "］", "【": "】", "〈": "〉", "《": "》"}
COORDINATORS = {"・", "、", ",", "と", "及び", "および", "や", "/", "／"}
MODIFIER_SUFFIXES = {"用", "向け", "向", "付き", "付", "製", "対応", "専用"}
PURPOSE_SUFFIXES = {"用", "向け", "向", "対応", "専用"}       # 「XX用YY」: XX is what YY is for
INCLUDED_SUFFIXES = {"付き", "付"}                          # 「XX付きYY」: XX comes with YY
INCLUDING_WORDS = {"含む", "含み", "込み", "込", "付属", "同梱", "付き", "付",   # 「（制御用PC含む）」
                   "組込み", "組み込み", "組込", "内蔵"}                         # 「一式（ThinkCentre 組込み）」
LATIN_JOINERS = {"-", "&", "+", "'"}     # inside a Latin-letter name or model number: 「MFC-L2750DW」「Home & Business」
_KATAKANA = lazy("[ァ-ヶー]+")


class Vocabulary(Frozen):
    """The words that shape a line (program.yaml ``expense_reading``), folded."""
    purchase: frozenset[str]     # 一式, 購入, ライセンス …: the line buys what stands before them
    jobs: frozenset[str]         # 試作, 印刷, 加工 …: the line pays for work done on what stands before
    rentals: frozenset[str]      # レンタル, リース …
    models: frozenset[str]       # pro, mini …: part of a product's name when they follow it
    editions: frozenset[str] = frozenset()   # バン, ツーリング, オンライン …: after a product line, its edition or body


class Token(Frozen):
    """A word of a text as the tokenizer read it."""
    start: int
    end: int
    surface: str
    pos: str          # 名詞, 動詞, 助詞, 補助記号, 空白 …
    detail: str       # the second POS level (数詞, 名詞的 …)
    norm: str         # Sudachi's normalised form, folded
    counter: bool = False   # can follow a number as its unit (台, インチ, 個: 助数詞可能)


class Reading(Frozen):
    """A text read into words: its tokens and where words start."""
    text: str                                   # the folded text read (positions refer to it)
    tokens: tuple[Token, ...]
    starts: frozenset[int]                      # every word's start (mode A)
    ends: frozenset[int]                        # every word's end
    kind: str                                   # purchase | job | rental | unknown
    objects: tuple[tuple[int, int, int], ...]   # the object compounds (start, end, start of their head word):
                                                # what is bought, or for a rental what is rented
    purposes: tuple[tuple[int, int, int], ...]  # 「XX用」 compounds before the object: what it is for
    plain: tuple[tuple[int, int, bool], ...] = ()   # the words that are not a model name, number or edition
                                                    # (start, end, whether outside brackets)
    outside: frozenset[int] = frozenset()           # where the words outside brackets start

    def _named(self, start: int, end: int, stop: int) -> bool:
        """Whether only a product's model name, number or edition stands in text[end:stop] (「ハイエース バン DX」,
        「一太郎2024 プレミアム」, 「iPad 10.9インチ Wi-Fi」): the word before them is the product. For a word outside
        brackets, what a bracket says is an aside (「iPad（第10世代）Wi-Fiモデル」)."""
        aside_ok = start in self.outside
        return not any(e > end and s < stop and (out or not aside_ok) for s, e, out in self.plain)

    def aligned(self, start: int, end: int | None) -> bool:
        """Whether text[start:end] is whole words (not part of a longer word); with ``end`` None,
        whether it starts a word."""
        return start in self.starts and (end is None or end in self.ends)

    def is_object(self, start: int, end: int) -> bool:
        """Whether text[start:end] names what is bought: it reaches the head word of an object
        compound, or only a product's model name, number or edition follows it there (「Surface Laptop 5」,
        「ラップトップ PC」, 「カローラ ツーリング」) — not a word that only qualifies the head (「PC樹脂ペレット」)."""
        return self.kind == "purchase" and any(
            start < e and end > s and (end > h or self._named(start, end, e)) for s, e, h in self.objects)

    def is_rented(self, start: int, end: int) -> bool:
        """Whether text[start:end] names what is rented or leased (「複合機のリース」: a 複合機)."""
        return self.kind == "rental" and any(
            start < e and end > s and (end > h or self._named(start, end, e)) for s, e, h in self.objects)

    def is_purpose(self, start: int, end: int) -> bool:
        """Whether text[start:end] is what the object is for (「iPad用スタンド」: a stand, for an iPad)."""
        return self.kind == "purchase" and any(start < e and end > h for s, e, h in self.purposes)


_LOCAL = threading.local()           # a Sudachi tokenizer is not shared between threads (the server)


def _tokenizers():
    pair = getattr(_LOCAL, "pair", None)
    if pair is None:
        try:
            from sudachipy import Dictionary, SplitMode
        except ImportError:
            pair = _LOCAL.pair = (None, None)
            return pair
        dictionary = Dictionary()
        make = getattr(dictionary, "tokenizer", None) or dictionary.create    # (create before SudachiPy 0.7)
        pair = _LOCAL.pair = (make(mode=SplitMode.A), make(mode=SplitMode.C))
    return pair


@lru_cache(maxsize=None)
def installed() -> bool:
    """Whether SudachiPy and its dictionary can be imported (without loading the dictionary: ~60 ms,
    paid only when a line needs reading)."""
    from importlib.util import find_spec

    return find_spec("sudachipy") is not None and find_spec("sudachidict_core") is not None


_ASIDE_AT_END = lazy(r"\s*[(（\[［【〈《][^(（\[［【〈《]*[)）\]］】〉》]\s*$")


def rough_kind(text: str, vocabulary: Vocabulary) -> str:
    """Without SudachiPy, the one part of a reading the word lists can do: whether a folded line pays for a job
    done on something (「…の試作」「…の市場調査」「…用スタンドの試作」), read from its end as :func:`read` reads
    the head — asides in brackets and the words that only say it is bought dropped. 「job」 or 「unknown」."""
    from planvalidator.keywords import fold

    rest = fold(text).strip()
    while True:
        before = rest
        rest = _ASIDE_AT_END.sub("", rest).rstrip()
        rest = next((rest[:-len(w)].rstrip() for w in sorted(vocabulary.purchase, key=len, reverse=True)
                     if w and rest.endswith(w) and len(rest) > len(w)), rest)
        if rest == before:
            break
    return "job" if any(w and rest.endswith(w) for w in vocabulary.jobs) else "unknown"


def read(text: str, vocabulary: Vocabulary) -> Reading | None:
    """The reading of one folded text (NFKC, case-folded, one space for each run), or None without
    SudachiPy."""
    from planvalidator.limits import MAX_READ_BYTES

    if not text or _tokenizers()[0] is None or len(text.encode("utf-8")) > MAX_READ_BYTES:
        return None
    return _read(text, vocabulary)


_BRACKET_CHARS = lazy("[" + re.escape("".join(BRACKETS) + "".join(BRACKETS.values())) + "]")


def _pieces(text: str):
    """(offset, piece) of the text between brackets, and each bracket as a piece of its own: the
    dictionary would otherwise read 「部品（ヒーター）」 as one word."""
    at = 0
    for m in _BRACKET_CHARS.finditer(text):
        if m.start() > at:
            yield at, text[at:m.start()]
        yield m.start(), m.group()
        at = m.end()
    if at < len(text):
        yield at, text[at:]


@lru_cache(maxsize=4096)
def _read(text: str, vocabulary: Vocabulary) -> Reading:
    short, long = _tokenizers()
    starts, ends, tokens = set(), set(), []
    for at, piece in _pieces(text):
        if _BRACKET_CHARS.fullmatch(piece):
            starts.add(at)
            ends.add(at + 1)
            tokens.append(Token(at, at + 1, piece, "補助記号", "括弧", piece))
            continue
        for m in short.tokenize(piece):
            starts.add(at + m.begin())
            ends.add(at + m.end())
        tokens += [Token(at + m.begin(), at + m.end(), m.surface(), m.part_of_speech()[0], m.part_of_speech()[1],
                         m.normalized_form().casefold(), m.part_of_speech()[2] in ("助数詞", "助数詞可能"))
                   for m in long.tokenize(piece)]
    tokens = tuple(tokens)
    outside, asides = _split_brackets(tokens)
    kind, objects, purposes = _objects(outside, vocabulary)
    if kind == "purchase":                  # 「検査装置一式（制御用PC含む）」: what the brackets say comes with it
        for aside in asides:
            if not objects:                 # 「一式（パソコン）」: the brackets name the set
                objects += _compounds(aside, vocabulary)
            elif any(t.surface in INCLUDING_WORDS or t.norm in INCLUDING_WORDS for t in aside):
                words = [t for t in aside if not (t.surface in INCLUDING_WORDS or t.norm in INCLUDING_WORDS)]
                included, found, _purposes = _objects(words, vocabulary)   # its objects, not what they are for
                objects += found if included == "purchase" else []
    out = {t.start for t in outside} if asides else set()      # (no brackets, or the whole line in brackets: no asides)
    plain = tuple((t.start, t.end, not asides or t.start in out)
                  for k, t in enumerate(tokens) if not _named_part(tokens, k, vocabulary))
    return Reading(text, tokens, frozenset(starts), frozenset(ends), kind, tuple(objects), tuple(purposes), plain,
                   frozenset(out))


def _split_brackets(tokens: tuple[Token, ...]) -> tuple[list[Token], list[list[Token]]]:
    """The tokens outside brackets (all of them when the whole line is in brackets), and the
    contents of each bracket."""
    out, asides, closing = [], [], []
    for t in tokens:
        if closing and t.surface == closing[-1]:
            closing.pop()
        elif t.surface in BRACKETS and out:
            closing.append(BRACKETS[t.surface])
            if len(closing) == 1:
                asides.append([])
        elif closing:
            asides[-1].append(t)
        else:
            out.append(t)
    return (out, asides) if out else (list(tokens), [])


def _compounds(tokens: list[Token], vocabulary: Vocabulary) -> list[tuple[int, int, int]]:
    """Every noun compound of a run of tokens, as objects."""
    out, run = [], []
    for t in [*tokens, None]:
        if t is not None and _content(t) and not (t.norm in vocabulary.purchase or t.surface in vocabulary.purchase):
            run.append(t)
        elif run:
            out.append((run[0].start, run[-1].end, run[-1].start))
            run = []
    return out


def _content(t: Token) -> bool:
    return (t.pos in ("名詞", "接頭辞") or (t.pos == "接尾辞" and t.surface not in MODIFIER_SUFFIXES)
            or (t.pos in ("副詞", "感動詞") and bool(_KATAKANA.fullmatch(t.surface)))
            or (t.pos not in ("補助記号", "空白") and _latin(t)))
    # (a katakana word the dictionary takes for an onomatopoeia is a loanword here: 「ハイエース バン」 is a van;
    # a Latin-letter word is a name whatever its tag: 「BASIO active」)


def _latin(t: Token) -> bool:
    return t.surface.isascii() and t.surface.isalnum()


def _named_part(tokens, k: int, vocabulary: Vocabulary) -> bool:
    """Whether tokens[k] can only be part of a product's name after the product: Latin letters, a number (with
    its unit), a model word or an edition (バン, ツーリング, オンライン), a joiner or a space."""
    t = tokens[k]
    return (t.pos == "空白" or _latin(t) or t.surface.isascii() and any(c.isalnum() for c in t.surface)
            or t.detail == "数詞" or _joiner(tokens, k) or _model(t, vocabulary)
            or t.surface in vocabulary.editions or t.norm in vocabulary.editions
            or (t.counter and k > 0 and tokens[k - 1].detail == "数詞"))


def _joiner(tokens, k: int) -> bool:
    """Whether tokens[k] is a hyphen, 「&」, 「+」 or apostrophe between Latin letters or digits (spaces
    around it aside): a model number or a product's name goes on through it (「MFC-L2750DW」)."""
    if tokens[k].surface not in LATIN_JOINERS:
        return False
    before, after = k - 1, k + 1
    while before >= 0 and tokens[before].pos == "空白":
        before -= 1
    while after < len(tokens) and tokens[after].pos == "空白":
        after += 1
    return before >= 0 and after < len(tokens) and _latin(tokens[before]) and _latin(tokens[after])


def _model(t: Token, vocabulary: Vocabulary) -> bool:
    """A model name or number after a product: 15, x1, s (of S9), pro."""
    surface = t.surface.casefold()
    return (t.detail == "数詞" or any(c.isdigit() for c in surface) or surface in vocabulary.models
            or t.norm in vocabulary.models or (len(surface) == 1 and surface.isascii() and surface.isalpha()))


def _objects(tokens: list[Token], vocabulary: Vocabulary):
    """(kind, object compounds, purpose compounds) of a line's tokens, read from the end."""
    i = len(tokens) - 1
    kind = "unknown"

    def skip(test) -> None:
        nonlocal i
        while i >= 0 and test(tokens[i]):
            i -= 1

    def filler(t: Token) -> bool:
        return t.pos in ("補助記号", "空白", "助詞", "助動詞") and t.surface not in MODIFIER_SUFFIXES

    skip(filler)
    while i >= 0:                                  # 「…の購入」「…一式」「… 2台」「…年間ライセンス」
        t = tokens[i]
        if t.norm in vocabulary.purchase or t.surface in vocabulary.purchase or (t.detail == "数詞" and kind == "unknown"):
            kind = "purchase"
            i -= 1
            skip(filler)
        elif (t.counter or t.pos == "接尾辞") and i > 0 and tokens[i - 1].detail == "数詞":
            i -= 1                                 # a unit after a number (2台, 13インチ)
        else:
            break
    if i < 0:
        return kind, [], []
    last = tokens[i]
    if last.norm in vocabulary.jobs or last.surface in vocabulary.jobs:
        return "job", [], []
    rental = last.norm in vocabulary.rentals or last.surface in vocabulary.rentals
    if rental:                                     # 「ノートPCのレンタル」: what is rented comes before it
        i -= 1
        skip(filler)

    def model_or_unit(k: int) -> bool:
        t = tokens[k]
        return (_model(t, vocabulary) or t.pos == "空白" or _joiner(tokens, k)
                or (t.counter and k > 0 and tokens[k - 1].detail == "数詞"))

    def part(k: int) -> bool:                       # a word of the compound (a joiner inside a Latin name too)
        return _content(tokens[k]) or _joiner(tokens, k)

    def compound() -> tuple[int, int, int] | None:
        """The noun compound ending at i (model names and numbers after it included), i moved before it."""
        nonlocal i
        end = None
        while i >= 0 and model_or_unit(i):
            end = end or tokens[i].end
            i -= 1
        if i < 0 or not _content(tokens[i]):
            return None
        end = end or tokens[i].end
        head = None
        while i >= 0 and (part(i) or (tokens[i].pos == "空白" and i > 0 and part(i - 1))):
            t = tokens[i]
            if head is None and _content(t) and not (t.norm in vocabulary.purchase or t.surface in vocabulary.purchase):
                head = t.start                     # 「スマホ本体」: the head is スマホ, 本体 only says it is bought
            i -= 1
        start = tokens[i + 1].start
        return start, end, head if head is not None else tokens[i + 1].start

    objects, purposes = [], []
    while i >= 0:
        found = compound()
        if found is None:
            break
        objects.append(found)
        if i >= 0 and (tokens[i].surface in COORDINATORS or tokens[i].norm in COORDINATORS):
            i -= 1                                 # 「A・B」: A is an object too
            continue
        break
    while i >= 0 and tokens[i].surface in MODIFIER_SUFFIXES:   # 「XX用YY」「XX付きYY」
        suffix = tokens[i].surface
        i -= 1
        found = compound()
        if found is None:
            break
        if suffix in INCLUDED_SUFFIXES:
            objects.append(found)                  # 「制御PC付き検査装置」: the PC comes with it
        elif suffix in PURPOSE_SUFFIXES:
            purposes.append(found)                 # (its head: 「スマホスタンド試作用」 is for a prototype)
    return ("rental" if rental else "purchase"), objects, purposes
