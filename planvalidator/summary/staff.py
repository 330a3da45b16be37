"""Staff's own columns of 申請一覧 (受付状態, 担当者, 連絡日, メモ), carried from run to run.

A batch that writes to a summary written before reads that summary first (:func:`read_previous`,
openpyxl, within :mod:`planvalidator.limits`: it is input too) and gives each application what
staff wrote on its row (:func:`carry`). An application is the same one by its name in the intake
(the folder, zip or workbook: ``Application.id``), or, when that name is new, by its applicant
when exactly one row that left the intake has that applicant (a folder renamed). Its files' digest
(``Application.fingerprint``, kept in the hidden column 照合用) tells whether it changed since: it
keeps its notes and is marked 変更あり. A row whose application left the intake is kept as it was,
marked 受付にない — nothing staff wrote is dropped. The 受付状態 values are data (schemas/staff.yaml).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from planvalidator import limits
from planvalidator.errors import CannotCheck
from planvalidator.structs import Struct, field
from planvalidator.summary import Application

SHEET = "申請一覧"
ID = "申請"
APPLICANT = "申請者"
STATUS, OFFICER, CONTACTED, MEMO = "受付状態", "担当者", "連絡日", "メモ"
STAFF_HEADERS = (STATUS, OFFICER, CONTACTED, MEMO)
SINCE = "前回から"                  # what changed since the summary written before
KEY = "照合用"                      # the hidden column of the application's files' digest
NEW, CHANGED, GONE = "新規", "変更あり", "受付にない"


@lru_cache(maxsize=1)
def statuses() -> tuple[str, ...]:
    """The 受付状態 values (schemas/staff.yaml), the first one a new application's."""
    import yaml

    from planvalidator.resources import schemas_dir

    path = schemas_dir() / "staff.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    values = data.get("statuses") if isinstance(data, dict) else None
    if not values or not all(isinstance(v, str) and v and "," not in v for v in values):
        raise CannotCheck("statuses: 受付状態の選択肢を「,」を含まない文字の並びで書いてください", file=str(path))
    return tuple(values)


class Row(Struct):
    """One row of a summary written before: its values by header."""
    values: dict

    @property
    def id(self) -> str | None:
        value = self.values.get(ID)
        return None if value is None else str(value)

    @property
    def applicant(self) -> str | None:
        value = self.values.get(APPLICANT)
        return None if value in (None, "") else str(value)

    @property
    def fingerprint(self) -> str | None:
        value = self.values.get(KEY)
        return str(value) if value else None

    def staff(self) -> dict:
        return {h: self.values.get(h) for h in STAFF_HEADERS}


class Previous(Struct):
    """The summary written before: its 申請一覧's rows."""
    path: str
    rows: list[Row] = field(default_factory=list)


class Carried(Struct):
    """One row of this run's 申請一覧: an application (None: one that left the intake, ``old`` as it was),
    what staff wrote for it, and what changed since (「」, 新規, 変更あり, 受付にない)."""
    app: Application | None
    staff: dict
    since: str = ""
    old: Row | None = None


HINT_FILE = "別の -o を指定するか、このファイルを移してください"
HINT_UPLOAD = "前回の一覧のブック（受付チェック.xlsx）を選び直してください"


def _refuse(path: Path, reason: str, sheet: str | None = None, hint: str = HINT_FILE):
    raise CannotCheck(f"{reason}（前回の一覧として読み、担当者の欄を引き継ぐファイルです。{hint}）", file=str(path), sheet=sheet)


def read_previous(path: Path, data: bytes | None = None) -> Previous | None:
    """The summary at ``path`` written before (None: there is none), or held in memory (``data``: the
    page's intake mode, ``path`` its name); a file that is not one, or is past the limits, is refused
    (:class:`CannotCheck`) — it is never overwritten."""
    import io
    import zipfile

    path = Path(path)
    hint = HINT_FILE if data is None else HINT_UPLOAD
    if data is None:
        if not path.exists():
            return None
        if not path.is_file():
            _refuse(path, "ファイルではありません", hint=hint)
        size = path.stat().st_size
    else:
        size = len(data)
    if size > limits.MAX_FILE_BYTES:
        _refuse(path, f"{limits.MAX_FILE_BYTES >> 20} MB を超えます", hint=hint)
    from planvalidator.package import open_zip
    from planvalidator.partxml import PackageError

    source = path if data is None else io.BytesIO(data)
    try:
        with open_zip(source) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, PackageError, OSError):
        _refuse(path, "Excel のブック（.xlsx）として読めません", hint=hint)
    if any(i.file_size > limits.MAX_PART_BYTES for i in infos) or \
            sum(i.file_size for i in infos) > limits.MAX_XML_BYTES + limits.MAX_FILE_BYTES:
        _refuse(path, "展開すると上限を超える大きさです", hint=hint)
    if data is not None:
        source.seek(0)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — whatever openpyxl raises of a file that is not a workbook: one line
        _refuse(path, "Excel のブック（.xlsx）として読めません", hint=hint)
    try:
        if SHEET not in wb.sheetnames:
            _refuse(path, f"planvalidator batch の一覧ではありません（「{SHEET}」のシートがありません）", hint=hint)
        rows = wb[SHEET].iter_rows(max_col=limits.MAX_SUMMARY_COLUMNS, values_only=True)
        header = [str(h) if h is not None else None for h in next(rows, ())]
        if ID not in header:
            _refuse(path, f"planvalidator batch の一覧ではありません（1 行目に「{ID}」の見出しがありません）", SHEET, hint)
        out = []
        for n, values in enumerate(rows, 2):
            if n > limits.MAX_SUMMARY_ROWS + 1:
                _refuse(path, f"行が {limits.MAX_SUMMARY_ROWS:,} を超えます", SHEET, hint)
            row = {h: v for h, v in zip(header, values) if h is not None and v not in (None, "")}
            if row:
                out.append(Row(row))
    finally:
        wb.close()
    return Previous(str(path), out)


def carry(applications: list[Application], previous: Previous | None) -> list[Carried]:
    """This run's rows: each application with what staff wrote for it before; then the rows whose
    application left the intake, as they were."""
    first = statuses()[0]
    if previous is None:
        return [Carried(app, {STATUS: first}) for app in applications]
    by_id: dict[str, Row] = {}
    for row in previous.rows:
        if row.id is not None:
            by_id.setdefault(row.id, row)
    ids = {app.id for app in applications}
    used: set[int] = set()
    out = []
    for app in applications:
        old = by_id.get(app.id)
        if old is None and app.applicant:        # renamed since: the one row of this applicant that left
            named = [r for r in previous.rows if id(r) not in used and r.id not in ids and r.applicant == app.applicant]
            old = named[0] if len(named) == 1 else None
        if old is None:
            out.append(Carried(app, {STATUS: first}, NEW))
            continue
        used.add(id(old))
        staff = old.staff()
        if staff.get(STATUS) in (None, ""):
            staff[STATUS] = first
        changed = old.fingerprint and app.fingerprint and old.fingerprint != app.fingerprint
        out.append(Carried(app, staff, CHANGED if changed else "", old))
    for row in previous.rows:
        if id(row) not in used:
            out.append(Carried(None, row.staff(), GONE, row))
    return out
