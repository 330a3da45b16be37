"""The files submitted with a workbook (公募要領 6.(3) ②〜⑤): what each one is, and for which fiscal periods.

``planvalidator batch`` hands every file of an application other than the workbook to
:func:`read_attachment`; the attachment rules (planvalidator/rules/attachments.py, PV403–PV407) turn
the :class:`Attachment` list into findings.

- A PDF is read with PDFium (pypdfium2: Chrome's PDF engine, about 8× faster than pypdf on a
  5-page 決算書, which is what lets a batch keep up), bounded: the first :data:`MAX_PAGES` pages and
  :data:`MAX_TEXT` characters of text. A PDF whose pages carry no text (a scan) and any file that is
  not a PDF (.jpg, .docx …) is judged by its file name only. Nothing raises: a file PDFium cannot
  open is ``broken``, one that needs a password ``encrypted`` (one encrypted with an empty user
  password is simply read). A native crash on a hostile PDF ends only its batch worker.
- Which document a file is (貸借対照表, 損益計算書, 同意書 …) and what each applicant must submit is
  program data: program.yaml ``attachments`` (:class:`planvalidator.program.AttachmentVocabulary`).
  Words are compared after NFKC with every space and line break removed (the text of a PDF often
  has a space between Japanese characters).
- A fiscal period is kept as a key that is the same for every statement of that period: the month
  the period ends, 「2024-03」 (貸借対照表 「令和6年3月31日現在」, 損益計算書 「自 令和5年4月1日 至
  令和6年3月31日」, 「令和6年3月期」); a year, 「2023」, for 「令和5年分」 (個人事業主) or a year in a
  file name (「R5」「2023年度」); 「第12期」 when a file names its 期 but no date. How the file writes
  each period is kept beside it (:class:`Written`: 「令和5年4月1日〜令和6年3月31日」「2023年分」), for the
  messages that name them (planvalidator/fiscal.py judges whether they are the latest).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from planvalidator import limits
from planvalidator.normalize import date_or_none, fold
from planvalidator.patterns import lazy
from planvalidator.structs import Frozen

STATUSES = ("text", "scan", "encrypted", "broken", "other")

MAX_PAGES = limits.PDF_PAGES_READ
MAX_TEXT = limits.PDF_TEXT_CHARS
MIN_TEXT = 8                # fewer folded characters than this over the pages read: no text layer (a scan)
TITLE_LINES = 3             # the lines at the head of a page where a ``titles`` word counts

# the words of a legal form, left out when a group member's name is looked for in a file
LEGAL_FORMS = ("株式会社", "有限会社", "合同会社", "合名会社", "合資会社", "一般社団法人", "一般財団法人",
               "公益社団法人", "公益財団法人", "特定非営利活動法人", "npo法人", "社会福祉法人", "企業組合", "協業組合",
               "(株)", "(有)", "(同)", "(合)", "(資)", "(名)", "(社)", "(財)", "(特非)")


class Written(Frozen):
    """One fiscal period as a file writes it."""
    key: str                           # the period's key (「2024-03」「2023」「第12期」)
    text: str                          # as written, folded: 「令和5年4月1日〜令和6年3月31日」「令和6年3月期」「R5」
    how: str                           # span / closing / term / year / count / name (see HOWS)


# the ways a period is written, the most telling first: a span 「自…至…」, a 「…年分」 (an individual's
# calendar year), a 「…年3月期」, a balance sheet's 「…現在」, a 「第12期」, a year in a file name
HOWS = ("span", "year", "term", "closing", "count", "name")


class Attachment(Frozen):
    """One submitted file, as the attachment rules need it."""
    name: str                          # the file's name inside the application (「決算書/R5.pdf」)
    status: str                        # text / scan / encrypted / broken / other (see STATUSES)
    kinds: tuple[str, ...] = ()        # the document kinds found (program.yaml attachments.kinds ids)
    periods: tuple[str, ...] = ()      # the fiscal periods found (「2024-03」「2023」「第12期」)
    text: str = ""                     # the folded text read (bounded), for finding a member's name
    reason: str | None = None          # why it could not be read (encrypted / broken), Japanese
    written: tuple[Written, ...] = ()  # how the file writes each of its periods

    @property
    def readable(self) -> bool:
        """Whether its text was read (its kinds and periods come from what it says, not only its name)."""
        return self.status == "text"

    def mentions(self, name: str) -> bool:
        """Whether the file's name or text has a name (a group member's), its legal form left out."""
        key = member_key(name)
        return len(key) >= 2 and (key in member_key(self.name) or key in self.text)


# --- reading a file ----------------------------------------------------------------------------

def read_attachment(name: str, data: bytes, vocabulary) -> Attachment:
    """What a submitted file is: its status, the document kinds and fiscal periods it shows.

    ``vocabulary``: the program's :class:`~planvalidator.program.AttachmentVocabulary` (or the
    Program itself). Never raises; a file that cannot be read is ``broken`` with a reason."""
    vocab = getattr(vocabulary, "attachments", vocabulary)
    if not _looks_like_pdf(data):
        if Path(name).suffix.lower() == ".pdf":
            return _by_name(name, "broken", vocab, "PDF として読めません（ファイルの中身が PDF の形式ではありません）")
        return _by_name(name, "other", vocab)
    try:
        pages, status, reason = _read_pdf(data)
    except Exception as exc:  # noqa: BLE001 — whatever PDFium trips on, the file is broken, the batch goes on
        return _by_name(name, "broken", vocab, f"PDF として読めません（{_detail(exc)}）")
    if status != "text":
        return _by_name(name, status, vocab, reason)
    text = "".join(fold(p) for p in pages)[:MAX_TEXT]
    if len(text) < MIN_TEXT:
        return _by_name(name, "scan", vocab)
    kinds = _kinds(fold(name), [_head(p) for p in pages], text, vocab)
    written = _written(text) or _name_written(fold(name))
    return Attachment(name, "text", kinds, _keys(written), text, written=written)


def _detail(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:120]


def _looks_like_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


_PASSWORD = 4                # PDFium's FPDF_ERR_PASSWORD
_SECURITY = 5                # FPDF_ERR_SECURITY: an encryption handler PDFium does not have


def _read_pdf(data: bytes) -> tuple[list[str], str, str | None]:
    """(the text of the first pages, status, reason) of a PDF, read with PDFium (pypdfium2)."""
    import pypdfium2 as pdfium

    from planvalidator import pdfbudget

    try:
        pdfbudget.check(data)                         # PDFium inflates a page whole: measured first
    except pdfbudget.TooLarge as exc:
        return [], "broken", str(exc)
    try:
        document = pdfium.PdfDocument(data)           # an empty user password is tried by PDFium itself
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == _PASSWORD:
            return [], "encrypted", "パスワードが必要な PDF です（パスワードを外して提出してもらってください）"
        if code == _SECURITY:
            return [], "encrypted", "暗号化された PDF で、開けない暗号方式です（暗号化を外して提出してもらってください）"
        return [], "broken", f"PDF として読めません（{_detail(exc)}）"
    try:
        count = len(document)
        if count == 0:
            return [], "broken", "ページのない PDF です"
        pages, total, failed = [], 0, None
        for number in range(min(count, MAX_PAGES)):
            try:
                page = document[number]
                text = page.get_textpage().get_text_range() or ""
            except Exception as exc:  # noqa: BLE001 — one damaged page: the others may still read
                failed = failed or exc
                continue
            pages.append(text.replace("\r\n", "\n"))
            total += len(text)
            if total > MAX_TEXT * 2:
                break
    finally:
        document.close()
    if failed is not None and not any(p.strip() for p in pages):
        return [], "broken", f"PDF のページを読めません（{_detail(failed)}）"
    return pages, "text", None


def _by_name(name: str, status: str, vocab, reason: str | None = None) -> Attachment:
    """A file judged by its name only (a scan, a file that is not a PDF, one that cannot be opened)."""
    folded = fold(name)
    kinds = _kinds(folded, [], "", vocab) if vocab is not None else ()
    written = _written(folded) or _name_written(folded)
    return Attachment(name, status, kinds, _keys(written), "", reason, written)


# --- what a file is ----------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    """One regex for folded words; a word that ends in a digit does not match before another digit
    (「別表2」 is not 「別表21」)."""
    if not words:
        return None
    parts = [re.escape(w) + (r"(?!\d)" if w[-1:].isdigit() else "") for w in sorted(words, key=len, reverse=True)]
    return re.compile("|".join(parts))


def _has(text: str, words: tuple[str, ...]) -> bool:
    pattern = _pattern(words)
    return bool(text) and pattern is not None and pattern.search(text) is not None


def _head(page: str) -> list[str]:
    """The first lines of a page, folded (where a document's title is)."""
    lines = (fold(line) for line in page.splitlines())
    return [line for line in lines if line][:TITLE_LINES]


def _titled(heads: list[list[str]], words: tuple[str, ...]) -> bool:
    """Whether a page starts with one of the words as its heading: a line that begins with it and does
    not go on with an amount (「販売費及び一般管理費 1,234」 is a line of the 損益計算書)."""
    for head in heads:
        for line in head:
            for word in words:
                if line.startswith(word) and not re.match(r"[\d,.\-△▲¥]", line[len(word):len(word) + 1]):
                    return True
    return False


def _kinds(name: str, heads: list[list[str]], text: str, vocab) -> tuple[str, ...]:
    """The kinds a file shows: by its text (and the headings of its pages) and its name; when neither
    names one, the bundle its name stands for (「決算書.pdf」)."""
    if vocab is None:
        return ()
    found = []
    for kind in vocab.kinds.values():
        in_text = _has(text, kind.words) and (not kind.with_ or _has(text, kind.with_))
        titled = bool(kind.titles) and _titled(heads, kind.titles)
        named = _has(name, kind.words) or _has(name, kind.file_words)
        if in_text or titled or named:
            found.append(kind.id)
    if not found:
        bundle = next((b for b in vocab.bundles if _has(name, b.words)), None)
        if bundle is not None:
            found = [k for k in bundle.kinds if k in vocab.kinds]
    return tuple(found)


# --- fiscal periods ----------------------------------------------------------------------------

_ERAS = {"令和": "令和", "平成": "平成", "r": "令和", "h": "平成"}
_ERA = r"(?<![a-z])(令和|平成|r|h)(元|\d{1,2})"
_SEP = r"(?:年|\.|・|/|-)"
_MONTH_SEP = r"(?:月|\.|・|/|-)"
_DATE = lazy(
    rf"(?:{_ERA}{_SEP}(\d{{1,2}}){_MONTH_SEP}(\d{{1,2}})日?(?!\d))"
    rf"|(?:(?<!\d)((?:19|20)\d{{2}})(?:年|\.|/|-)(\d{{1,2}})(?:月|\.|/|-)(\d{{1,2}})日?(?!\d))")
_CONNECTOR = lazy(r"[至からより~〜\-－―ー—]{0,4}")
_MONTH_PERIOD = lazy(rf"(?:{_ERA}|(?<!\d)((?:19|20)\d{{2}}))(?:年|\.|/|-)(\d{{1,2}})月?(?:期|決算)")
_YEAR_OF = lazy(rf"(?:{_ERA}|(?<!\d)((?:19|20)\d{{2}}))年分")
_TERM = lazy(r"第(\d{1,3})期")
_NAME_YEAR = lazy(rf"(?:{_ERA}(?!\d)|(?<!\d)((?:19|20)\d{{2}})(?!\d))")


@lru_cache(maxsize=4096)
def _era_date(era: str, number: str, month: int, day: int) -> dt.date | None:
    """A 和暦 date (japanera, through normalize.date_or_none); cached: a PDF repeats its few dates."""
    return date_or_none(f"{_ERAS[era]}{number}年{month}月{day}日")


def _year(era: str | None, number: str | None, western: str | None) -> int | None:
    if western:
        return int(western)
    day = _era_date(era, number, 12, 31) if era else None
    return day.year if day else None


def _dates(text: str) -> list[tuple[int, int, dt.date]]:
    out = []
    for m in _DATE.finditer(text):
        era, number, month, day, year, wmonth, wday = m.groups()
        if era:
            found = _era_date(era, number, int(month), int(day))
        else:
            try:
                found = dt.date(int(year), int(wmonth), int(wday))
            except ValueError:
                found = None
        if found is not None:
            out.append((m.start(), m.end(), found))
    return out


def _key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _written(text: str) -> tuple[Written, ...]:
    """The fiscal periods a folded text names, by the day each ends (see the module's doc), each as written."""
    found: list[Written] = []
    dates = _dates(text)
    for (start, end, day), following in zip(dates, dates[1:] + [None]):
        after, before = text[end:end + 4], text[max(0, start - 1):start]
        if after.startswith(("現在", "末日現在")) or before == "至":
            found.append(Written(_key(day), text[start:end] + ("現在" if after.startswith("現在") else ""), "closing"))
        if following is not None and (gap := _CONNECTOR.fullmatch(text[end:following[0]])) is not None:
            days = (following[2] - day).days
            # 「自 … 至 …」「… から … まで」「…～…」: a period of up to a year (a first one may be short);
            # two dates side by side (a form's 事業年度 boxes): a whole year
            if (0 < days <= 400) if gap.group(0) else (330 <= days <= 400):
                found.append(Written(_key(following[2]), f"{text[start:end]}〜{text[following[0]:following[1]]}", "span"))
    for m in _MONTH_PERIOD.finditer(text):
        year = _year(m.group(1), m.group(2), m.group(3))
        if year and 1 <= int(m.group(4)) <= 12:
            found.append(Written(f"{year:04d}-{int(m.group(4)):02d}", m.group(0), "term"))
    for m in _YEAR_OF.finditer(text):
        year = _year(m.group(1), m.group(2), m.group(3))
        if year:
            found.append(Written(f"{year:04d}", m.group(0), "year"))
    if not found:
        found = [Written(f"第{int(m.group(1))}期", m.group(0), "count") for m in _TERM.finditer(text)]
    return tuple(found)


def _keys(written) -> tuple[str, ...]:
    return tuple(sorted({w.key for w in written}))


def _name_written(name: str) -> tuple[Written, ...]:
    """Years a file name gives on their own: 「R5」「令和5年度」「2023年度」「決算書2023」 → 「2023」."""
    found = []
    for m in _NAME_YEAR.finditer(name):
        year = _year(m.group(1), m.group(2), m.group(3))
        if year and 1989 <= year <= 2100:
            shown = m.group(0)
            shown = shown[0].upper() + shown[1:] if shown[0] in "rh" else shown
            suffix = re.match(r"年度|年", name[m.end():])
            found.append(Written(f"{year:04d}", shown + (suffix.group(0) if suffix else ""), "name"))
    return tuple(found)


def fiscal_periods(attachments) -> tuple[str, ...]:
    """The distinct fiscal periods of some attachments, one key per period: a year 「2023」
    (令和5年分) is the same period as one ending in December of it, 「2023-12」."""
    keys = {k for a in attachments for k in a.periods}
    return tuple(sorted(k for k in keys if not (len(k) == 4 and f"{k}-12" in keys)))


def period_label(key: str) -> str:
    """A period key as a person reads it: 「2024-03」→「2024年3月期」, 「2023」→「2023年」."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", key)
    if m:
        return f"{m.group(1)}年{int(m.group(2))}月期"
    return f"{key}年" if key.isdigit() else key


# --- names -------------------------------------------------------------------------------------

_LEGAL = lazy("|".join(re.escape(fold(w)) for w in sorted(LEGAL_FORMS, key=len, reverse=True)))


def member_key(name: str) -> str:
    """A name as looked for in a file: folded, its legal form left out (「株式会社 北陸精機」→「北陸精機」)."""
    return _LEGAL.sub("", fold(name or ""))
