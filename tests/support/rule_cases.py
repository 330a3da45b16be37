"""The per-rule test cases as data (tests/rules/cases/PVxxx.yaml, the format in tests/rules/README.md): loading
them, the template versions they run on, and building and checking each case's workbook.

A case is an edit of the official 記入例 ({sheet: {cell: value}}, in the official template's addresses) and
what one rule must report on it. On a revised version (tests/support/revisions.py) the same values are
written at the cells the revision moves them to (:func:`revisions.moved`), and the expected findings'
cells are moved the same way.
"""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import yaml

from support import revisions as R
from support.helpers import EXAMPLE, ROOT, TEMPLATE

CASES_DIR = ROOT / "tests" / "rules" / "cases"
S1, S2, S7, S8 = "計画様式1", "計画様式2", "計画様式7", "計画様式8"

# --- the template versions ---------------------------------------------------------------------------
# r7: the official 記入例 itself. The others: the official template revised as ISICO might revise it, filled
# with the 記入例's values at their moved cells (tests/support/revisions.py).
VERSIONS: dict[str, list] = {
    "r7": [],
    # cells move, nothing is reworded (read as r7 with no PV013): a sheet in front, rows inserted above the
    # applicant's and the expense tables' cells, a column inserted before 単価, 計画様式8 renamed
    "moved": [R.sheet_added_in_front("はじめに"), R.rows_inserted(S1, 5), R.rows_inserted(S7, 4, 3),
              R.column_added(S7, 9, (5, "型番")), R.sheet_renamed(S8, "様式8")],
    # labels reworded (one PV013 warning) and a row inserted in 計画様式2
    "reworded": [R.reworded(S1, "助成事業名", "助成事業の名称"), R.reworded(S7, "発注予定日", "発注予定年月日"),
                 R.reworded(S2, "主要取引先", "主な取引先"), R.rows_inserted(S2, 16)],
}
CASE_KEYS = {"name", "pass", "fail", "findings", "versions", "program", "figures", "attachments", "prepare",
             "builder", "file", "note"}
FILE_KEYS = {"rule", "cases", "versions", "program", "untriggerable", "note"}


class CaseError(Exception):
    """A case file that does not follow tests/rules/README.md."""


@dataclass
class Case:
    rule: str
    name: str
    passing: bool
    edits: dict
    findings: set = field(default_factory=set)        # {(rule, sheet, cell, severity)}
    versions: tuple = tuple(VERSIONS)
    program: str | None = None
    figures: dict | None = None
    attachments: list | None = None
    prepare: str | None = None
    builder: str | None = None
    file: str | None = None

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.name}"


@dataclass
class CaseFile:
    rule: str
    path: Path
    cases: list
    untriggerable: str | None = None


def _value(value):
    """A YAML value as written into a cell: a date is a datetime (as the tests write dates)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


def _edits(raw, where: str) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(cells, dict) for cells in raw.values()):
        raise CaseError(f"{where}: the edits are {{sheet: {{cell: value}}}}")
    from openpyxl.utils.cell import coordinate_from_string

    for cells in raw.values():
        for cell in cells:
            try:
                coordinate_from_string(str(cell))
            except ValueError:
                raise CaseError(f"{where}: {cell!r} is not a cell (a comma in a flow mapping needs quotes)") from None
    return {str(sheet): {str(cell): _value(v) for cell, v in cells.items()} for sheet, cells in raw.items()}


def load(path: Path) -> CaseFile:
    """One case file; :class:`CaseError` (or a YAML error) when it is not as the README says."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CaseError(f"{path.name}: not a mapping")
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise CaseError(f"{path.name}: unknown keys {sorted(unknown)}")
    rule = data.get("rule")
    if rule != path.stem:
        raise CaseError(f"{path.name}: rule {rule!r} is not the file's name")
    versions = tuple(data.get("versions") or VERSIONS)
    cases, names = [], set()
    for i, raw in enumerate(data.get("cases") or []):
        where = f"{path.name} case {i}"
        if not isinstance(raw, dict) or set(raw) - CASE_KEYS:
            raise CaseError(f"{where}: unknown keys {sorted(set(raw) - CASE_KEYS) if isinstance(raw, dict) else raw}")
        name = raw.get("name")
        if not name or name in names:
            raise CaseError(f"{where}: a case needs a name of its own ({name!r})")
        names.add(name)
        if ("pass" in raw) == ("fail" in raw):
            raise CaseError(f"{where} ({name}): exactly one of pass / fail")
        passing = "pass" in raw
        expected = set()
        if passing and raw.get("findings"):
            raise CaseError(f"{where} ({name}): a passing case expects no findings")
        if not passing:
            if not raw.get("findings"):
                raise CaseError(f"{where} ({name}): a failing case lists its findings")
            for f in raw["findings"]:
                if set(f) - {"rule", "sheet", "cell", "severity"} or "severity" not in f:
                    raise CaseError(f"{where} ({name}): a finding is {{sheet, cell, severity}} (rule optional)")
                if f.get("rule", rule) != rule:
                    raise CaseError(f"{where} ({name}): a finding of {f['rule']} in the cases of {rule}")
                expected.add((rule, f.get("sheet"), None if f.get("cell") is None else str(f["cell"]), f["severity"]))
        case_versions = tuple(raw.get("versions") or versions)
        if set(case_versions) - set(VERSIONS):
            raise CaseError(f"{where} ({name}): unknown versions {sorted(set(case_versions) - set(VERSIONS))}")
        if (raw.get("builder") or raw.get("file")) and case_versions != ("r7",):
            raise CaseError(f"{where} ({name}): a builder or a file runs on versions: [r7] only")
        cases.append(Case(rule, str(name), passing, _edits(raw.get("pass" if passing else "fail"), where), expected,
                          case_versions, raw.get("program", data.get("program")), raw.get("figures"),
                          raw.get("attachments"), raw.get("prepare"), raw.get("builder"), raw.get("file")))
    return CaseFile(rule, path, cases, data.get("untriggerable"))


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


# --- building a case's workbook ------------------------------------------------------------------------

_BOOKS: dict[str, bytes] = {}         # version → its filled workbook, pickled (openpyxl loads in ~2 s, unpickles in 0.1)


def _book(version: str):
    if version not in _BOOKS:
        if version == "r7":
            book = openpyxl.load_workbook(EXAMPLE)
        else:
            book = openpyxl.load_workbook(TEMPLATE)
            for e in VERSIONS[version]:
                e.apply(book)
            for (sheet, cell), value in R.example_inputs().items():
                target_sheet, target = R.moved(VERSIONS[version], sheet, cell)
                book[target_sheet][target].value = value
        _BOOKS[version] = pickle.dumps(book)
    return pickle.loads(_BOOKS[version])


def moved(version: str, sheet: str | None, cell: str | None) -> tuple:
    """Where a cell of the official template is in ``version`` (a finding without a cell stays as it is)."""
    if sheet is None or cell is None or version == "r7":
        return sheet, cell
    return R.moved(VERSIONS[version], sheet, cell)


def expected(case: Case, version: str) -> set:
    return {(rule, *moved(version, sheet, cell), severity) for rule, sheet, cell, severity in case.findings}


def build(case: Case, version: str, directory: Path) -> Path:
    """The case's workbook in ``version``, saved in ``directory``."""
    from support import case_builders

    if case.file:
        return ROOT / case.file
    if not case.edits and not case.prepare and version == "r7":
        path = EXAMPLE                                         # the 記入例 as ISICO saved it (cached values)
    else:
        book = _book(version)
        if case.prepare:
            getattr(case_builders, case.prepare)(book)
        for sheet, cells in case.edits.items():
            for cell, value in cells.items():
                target_sheet, target = moved(version, sheet, cell)
                book[target_sheet][target].value = value
        path = directory / f"case-{version}.xlsx"
        book.save(path)
    if case.builder:
        path = getattr(case_builders, case.builder)(path, directory)
    return path


# --- the attachments --------------------------------------------------------------------------------------

COMPANY = "株式会社のと木工房"          # the 記入例's applicant
OWNER = "能登 太郎"
_FILES: dict[str, list] = {}


def attachments(specs) -> list | None:
    """The submitted files a case lists (tests/rules/README.md), read as ``planvalidator batch`` reads them."""
    if specs is None:
        return None
    out = []
    for spec in specs:
        key = repr(spec)
        if key not in _FILES:
            _FILES[key] = _attachment(spec)
        out += _FILES[key]
    return out


def _attachment(spec) -> list:
    from planvalidator.attachments import read_attachment
    from planvalidator.program import load_program
    from support import pdfs

    vocab = load_program(ROOT / "schemas" / "r7").attachments

    def attach(name, data):
        return read_attachment(name, data, vocab)

    if spec == "certificate":            # ④ 経営革新計画の承認書 (the 記入例 declares the plan 「有」)
        spec = {"document": "innovation_certificate", "name": "経営革新計画承認通知.pdf"}
    if not isinstance(spec, dict):
        raise CaseError(f"attachment {spec!r}: a mapping or 'certificate'")
    company = spec.get("company", COMPANY)
    month = spec.get("month", 3)
    if "statements" in spec:             # one 決算書 PDF per fiscal year ending in ``month`` of each year
        kinds = tuple(spec.get("kinds") or pdfs.CORPORATION)
        return [attach(f"{company}_決算書_{y}年{month}月期.pdf" if spec.get("named") else f"決算書_{y}年{month}月期.pdf",
                       pdfs.financial_statements(company, *pdfs.fiscal_year(y, month), kinds))
                for y in spec["statements"]]
    if "document" in spec:               # one document (a program.yaml attachments.kinds id) of one period
        year = spec.get("year", 2024)
        lines = pdfs.document_lines(spec["document"], company, *pdfs.fiscal_year(year, month))
        return [attach(spec.get("name") or f"{spec['document']}_{year}.pdf", pdfs.text_pdf(lines))]
    if "tax_returns" in spec:            # a 個人事業主's 確定申告書 and 青色申告決算書 per 「…年分」
        owner = spec.get("owner", OWNER)
        return [a for y in spec["tax_returns"] for a in (attach(f"確定申告書_{y}年分.pdf", pdfs.tax_return(owner, y)),
                                                         attach(f"青色申告決算書_{y}年分.pdf", pdfs.blue_return(owner, y)))]
    if "scan" in spec:
        return [attach(spec["scan"], pdfs.scan_pdf())]
    if "encrypted" in spec:
        return [attach(spec["encrypted"], pdfs.encrypted_pdf(["x"]))]
    if "broken" in spec:
        return [attach(spec["broken"], pdfs.broken_pdf())]
    raise CaseError(f"attachment {spec!r}: unknown kind")


# --- checking --------------------------------------------------------------------------------------------

def check_case(case: Case, version: str, directory: Path):
    """The report of the case's workbook in ``version`` (with its program, figures and attachments)."""
    from planvalidator.engine import Options, check
    from planvalidator.reader import read

    path = build(case, version, directory)
    return check(read(path), Options(course=case.program), file=str(path),
                 attachments=attachments(case.attachments), figures=case.figures)
