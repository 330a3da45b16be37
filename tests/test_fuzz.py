"""Property-based fuzzing of check and annotate on the 記入例, with hypothesis.

Each example changes a few cells of the valid filled example (templates/r7/kinyurei-r7.xlsx) —
mostly the input cells the layout finds, sometimes a heading or any address, far ones too — to
values of every kind an applicant's file can hold (numbers, huge and fractional ones, text in
Japanese with 全角 digits and 円, control characters XML allows, dates, booleans, empty cells,
formulas), saves it with openpyxl and holds the tools to four properties:

1. check never crashes: it returns a Report (every finding with a PVnnn code, a severity and an
   A1 address or none, and no PV900 — a rule that raised) or raises CannotCheck — never any other
   exception (a Rust panic in python-calamine included);
2. check(annotate(x)) == check(x);
3. annotate keeps every package part it does not mean to change (tests/support/package_diff.py);
4. annotate(annotate(x)) == annotate(x), part by part.

Bounded for CI: PV_FUZZ_EXAMPLES examples per test (25 unless set, e.g. 200 for a long local
run), no example database (and hypothesis' own cache outside the checkout), no "explain" phase,
and derandomized when CI=true so that a CI run is reproducible. A failure prints the changed
cells (``note``), shrunk to the fewest.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from copy import copy
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.indexed_list import IndexedList

from support.helpers import EXAMPLE, finding_keys, parts
from support.package_diff import differences
from planvalidator.annotate import annotate_file
from planvalidator.engine import Report, check_file
from planvalidator.errors import CannotCheck
from planvalidator.findings import Severity
from planvalidator.reader import read
from planvalidator.address import a1, parse_a1

# hypothesis keeps a cache (.hypothesis/constants) even without an example database: outside the
# checkout (it reads this when a test first runs)
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "planvalidator-hypothesis"))

settings.register_profile(
    "planvalidator-fuzz",
    max_examples=int(os.environ.get("PV_FUZZ_EXAMPLES", "25")),
    deadline=None,
    database=None,                                   # nothing written into the repository
    derandomize=os.environ.get("CI") == "true",      # CI runs the same examples every time
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],   # no "explain": minutes on a failure
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("planvalidator-fuzz")

MAX_ROW, MAX_COL = 1_048_576, 16_384


# --- where: the input cells of the 記入例, read once ------------------------------------------

def _read_layout():
    """From one reading of the 記入例: the (sheet, cell) of its fields, of its tables' filled
    records, of their blank records and total rows, of its labels (the text elsewhere: headings,
    column headers, the template's own notes); its sheets; the text in its input cells (choices
    such as 「1年目」「事業費」「法人」)."""
    plan = read(EXAMPLE)
    fields = {(plan.actual(sheet), f.cell) for sheet, fs in plan.fields.items() for f in fs.values()}
    texts = {f.value for fs in plan.fields.values() for f in fs.values()}
    filled, blank = set(), set()
    for sheet, tables in plan.tables.items():
        for table in tables.values():
            used = {table.number(label) for label in table.labels}
            extra = [] if table.total_record is None else [table.total_record]
            for record in [*table.all_records, *extra]:
                for column in table.positions:
                    (filled if record in used else blank).add((plan.actual(sheet), table.cell(record, column)))
            for values in table.columns.values():
                texts.update(values)
    inputs = fields | filled | blank
    labels = {(name, a1(*pos)) for name, sheet in plan.grid.sheets.items()
              for pos, value in sheet.values.items() if isinstance(value, str) and (name, a1(*pos)) not in inputs}
    label_texts = {plan.grid.sheets[name].values[parse_a1(ref)] for name, ref in labels}
    return (sorted(fields), sorted(filled), sorted(blank), sorted(labels), sorted(set(plan.sheet_names.values())),
            sorted(v for v in texts if isinstance(v, str)), sorted(label_texts))


FIELD_CELLS, FILLED_CELLS, BLANK_CELLS, LABEL_CELLS, SHEETS, EXAMPLE_TEXTS, LABEL_TEXTS = _read_layout()
INPUT_CELLS = FIELD_CELLS + FILLED_CELLS + BLANK_CELLS

near_cell = st.builds(lambda s, r, c: (s, f"{get_column_letter(c)}{r}"),
                      st.sampled_from(SHEETS), st.integers(1, 80), st.integers(1, 30))
far_cell = st.one_of(
    st.builds(lambda s, r, c: (s, f"{get_column_letter(c)}{r}"),
              st.sampled_from(SHEETS), st.integers(1, MAX_ROW), st.integers(1, MAX_COL)),
    st.builds(lambda s, a: (s, a), st.sampled_from(SHEETS),
              st.sampled_from(["XFD1048576", "A1048576", "XFD1", "A20000", "N20000", "CV300"])),
)
# mostly the cells that matter (the filled ones most); one draw in nine a label, one anywhere
# near, one anywhere at all
cells = st.one_of(*[st.sampled_from(FIELD_CELLS)] * 2, *[st.sampled_from(FILLED_CELLS)] * 3,
                  st.sampled_from(BLANK_CELLS), st.sampled_from(LABEL_CELLS), near_cell, far_cell)


# --- what: values of every kind ----------------------------------------------------------------

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})
XML_CONTROLS = "\t\n\r\x7f\x85"          # control characters XML 1.0 allows (openpyxl refuses the others)

japanese = st.one_of(
    st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),           # kana and 句読点
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),           # 漢字
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF65),           # 全角 ASCII, 半角カナ
    st.sampled_from("０１２３４５６７８９，．円年月日令和平成元株式会社有無－ー・（）　"),
)
any_char = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
text_char = st.one_of(japanese, japanese, any_char, st.sampled_from("0123456789,.-/ " + XML_CONTROLS))


@st.composite
def amount_text(draw) -> str:
    """「６，０００円」, "240,000", "¥ -12" …: a number as people type it."""
    n = draw(st.one_of(st.integers(-10**7, 10**9), st.sampled_from([0, 10**20, -1])))
    body = f"{n:,}" if draw(st.booleans()) else str(n)
    if draw(st.booleans()):
        body += draw(st.sampled_from([".5", ".0", ".999", "．５"]))
    if draw(st.booleans()):
        body = body.translate(FULL_WIDTH)
    return (draw(st.sampled_from(["", "", "¥", "￥", "約", " ", "\u3000"])) + body
            + draw(st.sampled_from(["", "", "円", "千円", "万円", " ", "\u3000", "円（税込）", "\n", "人", "%", "％"])))


@st.composite
def date_text(draw) -> str:
    """「令和7年10月1日」, "R7.10.1", "2025/6/2", "2025-13-45" …: a date as people type it."""
    y, m, d = draw(st.integers(-1, 2100)), draw(st.integers(0, 13)), draw(st.integers(0, 32))
    era_year = draw(st.sampled_from(["元", "0", "1", "7", "8", "99", str(y)]))
    text = draw(st.sampled_from([
        f"令和{era_year}年{m}月{d}日", f"R{era_year}.{m}.{d}", f"平成{era_year}年{m}月", f"{y}/{m}/{d}",
        f"{y}-{m:02d}-{d:02d}", f"{y}年{m}月", f"{y}.{m}", f"{m}月{d}日", "交付決定日", "交付決定日から",
    ]))
    return text.translate(FULL_WIDTH) if draw(st.booleans()) else text


@st.composite
def variant(draw) -> str:
    """A value (or a heading) the 記入例 has somewhere, as another applicant might type it."""
    text = draw(st.sampled_from(EXAMPLE_TEXTS + LABEL_TEXTS))
    how = draw(st.sampled_from(["same", "full", "spaces", "controls", "cut", "double"]))
    if how == "full":
        text = text.translate(FULL_WIDTH)
    elif how == "spaces":
        text = draw(st.sampled_from(["", " ", "\u3000"])) + text + draw(st.sampled_from([" ", "  ", "\u3000", "\t"]))
    elif how == "controls":
        text = text + draw(st.sampled_from(XML_CONTROLS)) + text
    elif how == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif how == "double":
        text = text * draw(st.integers(2, 50))
    return text


texts = st.one_of(
    st.text(text_char, max_size=40),
    st.text(japanese, min_size=1, max_size=400),
    amount_text(), date_text(), variant(), variant(),
    st.sampled_from(LABEL_TEXTS),                               # a heading where it does not belong
    st.sampled_from(["６，０００", "２４０，０００円", "円", "", " ", "\u3000", "有", "無", "法人", "個人",
                     "-", "－", "なし", "#N/A", "#REF!", "TRUE", "1e400", "NaN", "∞", "x" * 32_767,
                     "あ" * 40_000, "1年目 ", "事業費\n", "\x85", "\t\r\n"]),
)

numbers = st.one_of(
    st.integers(-10**7, 10**10),
    st.integers(0, 10_000).map(lambda n: n * 1000),             # amounts as the 記入例 has them
    st.sampled_from([0, -1, 1, 2**31, 2**53 + 1, 2**63, -2**63 - 1, 10**15, 10**20, -10**20, 10**300]),
    st.floats(-1e9, 1e9),                                     # fractional
    st.floats(allow_nan=True, allow_infinity=True),           # openpyxl writes nan and ±inf as <v></v>
    st.sampled_from([0.5, -0.0, 1e-300, 5e-324, 1.7976931348623157e308, 2400.0000001, 1 / 3]),
)

dates = st.one_of(
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)),
    st.sampled_from([dt.date(1899, 12, 30), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(1800, 1, 1),
                     dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2025, 6, 2), dt.date(2027, 3, 31)]),
    st.times(),
    st.timedeltas(dt.timedelta(days=-1000), dt.timedelta(days=100_000)),
)

formulas = st.one_of(
    st.sampled_from([
        "=1/0", "=A1", "='[x.xlsx]Sheet1'!A1", "=[1]Sheet1!A1", "=#REF!", "=NA()", "=\"text\"", "=TRUE",
        "=SUM(J6:J45)", "=計画様式7!J52", "=計画様式8!C9*2", "=H9*I9", "=1E+308*10", "=INDIRECT(\"A1\")",
        "=A1:B3", "=@A1", "=_xlfn.XLOOKUP(1,A:A,B:B)", "=", "==1", "=(", "=SUM(", "=\"" + "あ" * 300 + "\"",
        "=XFD1048576", "=R1C1", "=DATE(2025,6,2)", "=-1", "=1.5",
    ]),
    st.builds(lambda sheet, cell: f"='{sheet}'!{cell}", st.sampled_from(SHEETS),
              st.sampled_from([c for _s, c in INPUT_CELLS])),
)

values = st.one_of(numbers, numbers, texts, texts, dates, st.booleans(), st.none(), formulas)
edits = st.lists(st.tuples(cells, values), min_size=1, max_size=6)


# --- writing an example: the 記入例 loaded once, each example's cells put back after saving -------

@cache
def _book():
    book = openpyxl.load_workbook(EXAMPLE)
    book.save(io.BytesIO())          # openpyxl's first save fills in a few defaults; later saves are alike
    return book


def write_example(changes, target: Path) -> Path:
    """The 記入例 with ``changes`` [((sheet, cell), value)], saved by openpyxl to ``target``.

    Loading the 記入例 takes most of an example's time, so it is loaded once and each example
    puts it back: the changed cells (value, type and style: a date sets a number format) and the
    workbook's style lists, which a new number format or cell style only appends to
    (test_the_example_writer_puts_every_cell_back). Cells inside a merged range other than its
    first are left alone, as in Excel."""
    book = _book()
    lists = [(lst, len(lst)) for lst in vars(book).values() if isinstance(lst, IndexedList)]
    undo = []
    try:
        for (sheet, ref), value in changes:
            ws = book[sheet]
            col, row = coordinate_from_string(ref)
            key = (row, column_index_from_string(col))
            cell = ws._cells.get(key)
            if isinstance(cell, MergedCell):
                continue
            undo.append((ws, key, cell, None if cell is None else (cell._value, cell.data_type, cell._style)))
            if cell is not None:
                # a date sets the number format in place: on a copy, not on the style array the
                # workbook's list of cell styles may hold (and other cells share by value)
                cell._style = copy(cell._style)
            ws.cell(*key).value = value
        book.save(target)
    finally:
        for ws, key, cell, state in reversed(undo):
            if cell is None:
                ws._cells.pop(key, None)
            else:
                ws._cells[key] = cell
                cell._value, cell.data_type, cell._style = state
        for lst, size in lists:
            for value in lst[size:]:
                if lst._dict.get(value, -1) >= size:
                    del lst._dict[value]
            del lst[size:]
    return target


def _show(changes) -> None:
    for (sheet, ref), value in changes:
        note(f"{sheet}!{ref} = {value!r:.200}")


def _run(fn, *args, **kwargs):
    """``fn(*args)``, with a Rust panic in python-calamine (pyo3's PanicException, a BaseException
    that no ``except Exception`` catches) turned into a failure that hypothesis can shrink."""
    try:
        return fn(*args, **kwargs)
    except Exception:
        raise
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise AssertionError(f"{fn.__name__} raised {type(exc).__module__}.{type(exc).__name__}: {exc}") from exc


def _check(path: Path):
    """check_file's Report, or None when it raised CannotCheck (the only exception allowed)."""
    try:
        return _run(check_file, path)
    except CannotCheck as exc:
        assert str(exc).strip(), "CannotCheck without a message"
        return None


_A1 = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


def valid_a1(ref: str) -> bool:
    m = _A1.fullmatch(ref)
    return bool(m) and column_index_from_string(m.group(1)) <= MAX_COL and int(m.group(2)) <= MAX_ROW


# --- the properties --------------------------------------------------------------------------

def test_the_example_writer_puts_every_cell_back():
    """The fuzz examples share one loaded 記入例: after an example it saves as before."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        before = parts(write_example([], tmp / "before.xlsx"))
        write_example([(("計画様式7", "J9"), dt.date(2025, 6, 2)), (("計画様式7", "J9"), "=1/0"),
                       (("計画様式1", "D23"), dt.time(4, 28)),     # its style is shared with D24's
                       (("計画様式1", "D8"), None), (("計画様式2", "XFD1048576"), 1),
                       (("計画様式1", "E11"), "merged")], tmp / "changed.xlsx")
        after = parts(write_example([], tmp / "after.xlsx"))
        for saved in (before, after):
            saved.pop("docProps/core.xml")              # the time of saving
        assert after == before


@FUZZ
@given(changes=edits)
def test_check_returns_a_report_or_cannot_check(changes):
    _show(changes)
    with tempfile.TemporaryDirectory() as tmp:
        report = _check(write_example(changes, Path(tmp) / "申請書.xlsx"))
    if report is None:
        event("CannotCheck")
        return
    assert isinstance(report, Report)
    event(f"{min(len(report.findings), 5)}{'+' if len(report.findings) >= 5 else ''} findings")
    for rule in sorted({f.rule for f in report.findings}):
        event(f"rule {rule}")
    for f in report.findings:
        assert re.fullmatch(r"PV\d{3}", f.rule), f
        assert isinstance(f.severity, Severity), f
        assert f.cell is None or valid_a1(f.cell), f
        assert isinstance(f.message, str) and f.message, f
        assert f.rule != "PV900", f          # a rule raised: the check caught a crash of its own


@FUZZ
@given(changes=edits)
def test_annotate_changes_nothing_else_and_twice_is_once(changes):
    """Properties 2–4 on one fuzzed workbook x, sharing its annotated copy (an example costs half
    as much as three tests would). Each is its own assertion, so hypothesis reports and shrinks a
    failure of each separately."""
    _show(changes)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = write_example(changes, tmp / "申請書.xlsx")
        for folder in ("once", "twice"):
            (tmp / folder).mkdir()
        # the same file name each time: the results sheet names the file it checked
        once, twice = tmp / "once" / "申請書.xlsx", tmp / "twice" / "申請書.xlsx"
        report = _check(source)
        if report is None:
            with pytest.raises(CannotCheck):
                _run(annotate_file, source, once)
            return
        _run(annotate_file, source, once)

        # 2. check(annotate(x)) == check(x)
        assert finding_keys(_run(check_file, once)) == finding_keys(report)
        # 3. every part annotate does not mean to change is kept (as test_annotate's nothing-lost tests)
        assert differences(source, once) == []
        # 4. annotate(annotate(x)) == annotate(x), part by part
        _run(annotate_file, once, twice)
        a, b = parts(once), parts(twice)
        assert a.keys() == b.keys()
        assert [name for name in a if a[name] != b[name]] == []
