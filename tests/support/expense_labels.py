"""Precision and recall of the expense keyword rules (PV102–PV105) on a labelled list of expense rows.

The list is tests/data/expense_items.yaml: each row as an applicant writes it (経費区分, 経費内訳,
品名・内容, 備考) with the outcome the 公募要領 calls for. The rows are written into 計画様式7 of
the official 記入例 (40 input rows a workbook, so several workbooks), each workbook is checked with
``planvalidator.engine.check_file`` as a user's would be, and every finding of PV102–PV105 is
traced back to its row.

Two figures per rule:
  fired  — a row is positive when the label is error or warning; a finding of either severity on
           the row counts as a hit.
  exact  — a hit counts only when the severity matches the label too (precision: of the rows the
           rule flagged, how many at the right severity; recall: of the rows labelled, how many
           flagged at the right severity).

Used by tests/test_expense_labels.py (floors) and scripts/expense_labels.py (the table in docs/checks.md).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from support.helpers import EXAMPLE

DATA = Path(__file__).resolve().parents[1] / "data" / "expense_items.yaml"
RULES = ("PV102", "PV103", "PV104", "PV105")
SEVERITIES = ("error", "warning")
SHEET = "計画様式7"
FIRST_ROW, ROWS_PER_BOOK = 6, 40          # the input rows of 計画様式7 in the r7 記入例 (6–45)
TEXT_COLUMNS = {"経費区分": "D", "経費内訳": "E", "品名・内容": "F", "備考": "N"}
ROW_KEYS = set(TEXT_COLUMNS) | {"expect", "why", "category_fit"}
# the columns the labels say nothing about, the same on every row: a plain eligible order
FIXED = {"C": "1年目", "G": 1, "H": "式", "I": 100000, "K": "見積取得先", "L": dt.datetime(2025, 10, 1), "M": "有"}


@dataclass(frozen=True)
class Item:
    number: int                     # 1-based position in the list
    category: str
    item: str
    description: str
    note: str | None
    expect: dict[str, str]          # rule → "error" / "warning"; a rule not named: no finding
    why: str = ""
    category_fit: str = ""

    def expected(self, rule: str) -> str | None:
        return self.expect.get(rule)

    def text(self) -> str:
        return self.description + (f" ／備考「{self.note}」" if self.note else "")


def load_items(path: Path = DATA) -> list[Item]:
    """The labelled rows; a misspelt key, rule or severity is a ValueError naming the row."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["rows"]
    items = []
    for number, row in enumerate(rows, 1):
        where = f"{path.name} row {number} ({row.get('品名・内容')!r})"
        unknown = set(row) - ROW_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if not all(isinstance(row.get(k), str) and row[k] for k in ("経費区分", "経費内訳", "品名・内容")):
            raise ValueError(f"{where}: 経費区分, 経費内訳 and 品名・内容 are required")
        expect = row.get("expect") or {}
        for rule, severity in expect.items():
            if rule not in RULES or severity not in SEVERITIES:
                raise ValueError(f"{where}: expect {rule}: {severity} (rules {RULES}, severities {SEVERITIES})")
        items.append(Item(number, row["経費区分"], row["経費内訳"], row["品名・内容"], row.get("備考"),
                          dict(expect), row.get("why", ""), row.get("category_fit", "")))
    return items


def build_workbooks(items: list[Item], folder: Path) -> list[tuple[Path, list[Item]]]:
    """The 記入例 with its expense rows replaced by ``items``, 40 to a workbook (row 6 onwards)."""
    import openpyxl

    book = openpyxl.load_workbook(EXAMPLE)
    ws = book[SHEET]
    books = []
    for start in range(0, len(items), ROWS_PER_BOOK):
        chunk = items[start:start + ROWS_PER_BOOK]
        for offset in range(ROWS_PER_BOOK):
            r = FIRST_ROW + offset
            item = chunk[offset] if offset < len(chunk) else None
            for column, value in FIXED.items():
                ws[f"{column}{r}"] = value if item else None
            for key, column in TEXT_COLUMNS.items():
                ws[f"{column}{r}"] = None
            if item:
                ws[f"D{r}"], ws[f"E{r}"], ws[f"F{r}"] = item.category, item.item, item.description
                ws[f"N{r}"] = item.note
        path = folder / f"expense_labels_{start // ROWS_PER_BOOK + 1:02d}.xlsx"
        book.save(path)
        books.append((path, chunk))
    return books


def observe(items: list[Item], folder: Path | None = None) -> list[dict[str, str]]:
    """For each item, the severity each of PV102–PV105 gave its row (the strongest finding of the
    rule on the row, in any column), or no entry when the rule found nothing there."""
    from planvalidator.engine import check_file
    from planvalidator.address import parse_a1

    with tempfile.TemporaryDirectory() as tmp:
        observed: list[dict[str, str]] = []
        for path, chunk in build_workbooks(items, Path(folder or tmp)):
            report = check_file(path)
            rows = [dict() for _ in chunk]
            for f in report.findings:
                if f.rule not in RULES:
                    continue
                row, _column = parse_a1(f.cell)
                index = row - FIRST_ROW
                if f.sheet != SHEET or not 0 <= index < len(chunk):
                    raise AssertionError(f"{f.rule} at {f.sheet}!{f.cell}: outside the labelled rows")
                severity = f.severity.value
                if rows[index].get(f.rule) != "error":
                    rows[index][f.rule] = severity
            observed.extend(rows)
    return observed


@dataclass
class Score:
    rule: str
    labelled: dict[str, int] = field(default_factory=dict)   # severity → rows so labelled
    flagged: int = 0            # rows with a finding of the rule
    hits: int = 0               # labelled and flagged
    exact: int = 0              # labelled and flagged at the labelled severity

    @property
    def positives(self) -> int:
        return sum(self.labelled.values())

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def precision(self) -> float:
        return self._ratio(self.hits, self.flagged)

    @property
    def recall(self) -> float:
        return self._ratio(self.hits, self.positives)

    @property
    def exact_precision(self) -> float:
        return self._ratio(self.exact, self.flagged)

    @property
    def exact_recall(self) -> float:
        return self._ratio(self.exact, self.positives)


def score(items: list[Item], observed: list[dict[str, str]]) -> dict[str, Score]:
    scores = {rule: Score(rule, {s: 0 for s in SEVERITIES}) for rule in RULES}
    for item, seen in zip(items, observed, strict=True):
        for rule, s in scores.items():
            want, got = item.expected(rule), seen.get(rule)
            if want:
                s.labelled[want] += 1
            if got:
                s.flagged += 1
            if want and got:
                s.hits += 1
                s.exact += want == got
    return scores


def clean_rows(items: list[Item], observed: list[dict[str, str]]) -> tuple[int, int, int]:
    """(valid rows, of them without any finding of PV102–PV105, of them without an error): how often a
    row that should pass is left alone — the applicant's cost of a false finding."""
    valid = [seen for item, seen in zip(items, observed, strict=True) if not item.expect]
    return len(valid), sum(not seen for seen in valid), sum("error" not in seen.values() for seen in valid)


def mistakes(items: list[Item], observed: list[dict[str, str]]) -> list[tuple[Item, str, str | None, str | None]]:
    """(item, rule, labelled, found) for every rule whose outcome on a row differs from the label."""
    wrong = []
    for item, seen in zip(items, observed, strict=True):
        for rule in RULES:
            if item.expected(rule) != seen.get(rule):
                wrong.append((item, rule, item.expected(rule), seen.get(rule)))
    return wrong


def label_counts(items: list[Item]) -> dict[str, int]:
    """Rows by label: each rule × severity, rows with no expected finding, and the total."""
    counts = {f"{rule} {sev}": sum(i.expected(rule) == sev for i in items) for rule in RULES for sev in SEVERITIES}
    counts["no finding expected"] = sum(not i.expect for i in items)
    counts["rows"] = len(items)
    return counts


def measure(path: Path = DATA):
    """(items, observed, scores) for the list at ``path``."""
    items = load_items(path)
    observed = observe(items)
    return items, observed, score(items, observed)


def markdown(scores: dict[str, Score], items: list[Item]) -> str:
    """The table in docs/checks.md: per rule, the rows labelled and the fired / exact-severity figures."""
    lines = ["| rule | rows labelled (error / warning) | rows flagged | precision (fired) | recall (fired) "
             "| precision (exact severity) | recall (exact severity) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in scores.values():
        lines.append(f"| {s.rule} | {s.positives} ({s.labelled['error']} / {s.labelled['warning']}) | {s.flagged} "
                     f"| {s.precision:.1%} | {s.recall:.1%} | {s.exact_precision:.1%} | {s.exact_recall:.1%} |")
    lines.append("")
    lines.append(f"{len(items)} labelled rows (tests/data/expense_items.yaml), "
                 f"{sum(not i.expect for i in items)} of them with no finding expected.")
    return "\n".join(lines)


def clean_text(items: list[Item], observed: list[dict[str, str]]) -> str:
    valid, silent, no_error = clean_rows(items, observed)
    return (f"valid rows left alone: {silent} / {valid} ({silent / valid:.1%}) without any finding, "
            f"{no_error} / {valid} ({no_error / valid:.1%}) without an error.")


def mistakes_text(wrong) -> str:
    def show(severity):
        return severity or "none"
    return "\n".join(f"{rule} #{item.number:>3} {item.category}/{item.item} 「{item.text()}」: "
                     f"labelled {show(want)}, found {show(got)}" for item, rule, want, got in wrong)
