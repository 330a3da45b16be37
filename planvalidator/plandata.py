"""Plans as data: a 事業計画書 as JSON, and back.

* :func:`export` — a read :class:`~planvalidator.plan.Plan` as a JSON-plain dict;
* :func:`fill` — such a dict written into the version's official blank workbook (its formulas kept);
* :func:`check_json` — a JSON plan checked: filled into a temporary workbook, checked by the same
  rules, and every finding located at the JSON path of what it is about (``/expenses/3/amount``);
* :func:`json_schema` — the JSON Schema (draft 2020-12) of a version's plans, generated from the
  layout and the sheet schemas (``scripts/plan_schema.py`` writes ``schemas/<版>/plan.schema.json``).

The shape of a plan::

    {"template": "r7", "program": null,
     "applicant": {"name": "株式会社…", …, "documents": [{"document": "① 事業計画書…", "attached": "有"}, …]},
     "expenses": [{"year": "1年目", "category": "試作・開発費", …, "quantity": 40, "unit_price": 6000}, …],
     "sales": {"launch": "2027-04-01", "basis": "…", "sales_plan": [{"year": "1年目", "quantity": 3000, …}, …]},
     …}

* One key per sheet of the layout (its ASCII ``key``). A sheet is an object of its input fields
  (name → value, null when blank) and its tables (name → list of records). A sheet with no input
  field and one table (activities, schedule, expenses, consent) *is* that table's list.
* A record is an object of its columns (only those with a value). Records are in sheet order and
  only those with any input; record i goes into the table's i-th row (or column) of the template.
* Columns the template prints itself (No, 年度, 区分, 書類名 …: ``fixed`` in the layout) are left
  out — except the one that names a record, where the template names its records (計画様式1 書類名,
  計画様式2 区分 前々期/前期, 計画様式8 and 計画様式9 年度 1年目…): that label is kept in each
  record and places it (a record ``{"year": "2年目", …}`` goes into the 2年目 row whatever its index).
  計画様式9's records are the template's *columns* (one per year); in JSON they are a list like
  any other table.
* Cells the template computes (``computed``: 金額, 合計, 資金合計 …) are left out: the template's
  formula computes them. A computed cell the applicant overwrote with a number (or emptied) is
  kept, with that number (or null), so the checker still finds the overwritten total; a sheet that
  is a list gets the object form ``{"expenses": [...], "grand_total": 1234}`` for that.
* Values are as the applicant wrote them (text exactly as typed, 「約200」 and 「２４０，０００」
  included: the checker reports them as it would in the workbook); numbers as numbers, dates
  as ISO 「YYYY-MM-DD」.

Findings of a JSON plan (:func:`check_json`) carry the JSON pointer of what they are about in
``sheet`` (``/expenses/3/amount``, ``/applicant/postal_code``; ``/expenses`` for a computed total of a
sheet that is a list) and ``cell`` None, so every output that shows 「sheet!cell」 for a workbook
shows the path; ``field`` keeps the layout key as for a workbook.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from planvalidator.errors import CannotCheck
from planvalidator.layout import LabelIndex, Layout, SheetSpec, TableSpec, known_layouts
from planvalidator.normalize import is_blank, label_canon

MAX_PLAN_BYTES = 20 * 1024 * 1024      # one JSON plan as stored
MAX_OPEN_RECORDS = 1000                # records of a table the template does not end (no row below it)
SCHEMA_FILE = "plan.schema.json"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


# --- the template's form: where each field and record goes ---------------------------------------

@dataclass(frozen=True)
class TableForm:
    sheet: SheetSpec
    spec: TableSpec
    positions: dict            # column → column number (rows) or row number (columns), in the template
    numbers: tuple[int, ...]   # the record numbers (rows, or columns) records go into, in order
    bounded: bool              # the template ends the table (a row below it, or its last column)
    label_column: str | None   # the fixed column naming the records, where the template names them
    labels: tuple               # (label text, record number) of the template's named records
    total_record: int | None

    @property
    def by_rows(self) -> bool:
        return self.spec.records == "rows"

    def at(self, number: int, column: str) -> tuple[int, int]:
        p = self.positions[column]
        return (number, p) if self.by_rows else (p, number)

    def named(self, label) -> int | None:
        wanted = label_canon(str(label))
        return next((n for text, n in self.labels if label_canon(text) == wanted), None)


@dataclass(frozen=True)
class SheetForm:
    spec: SheetSpec
    name: str                               # the sheet's name in the template workbook
    fields: dict                            # field → (row, col)
    formulas: frozenset                     # (row, col) of the template's formula cells on this sheet
    tables: dict                            # table → TableForm

    @property
    def is_list(self) -> bool:
        """No input field and exactly one table: the sheet is that table's list of records."""
        return not any(not f.computed for f in self.spec.fields) and len(self.spec.tables) == 1


@lru_cache(maxsize=4)
def form(layout: Layout) -> dict[str, SheetForm]:
    """{sheet key: SheetForm}: where each field and record of the version goes in its blank workbook."""
    from planvalidator.locate import locate
    from planvalidator.reference import reference_grid

    grid = reference_grid(layout)
    if grid is None:
        raise CannotCheck(f"様式 {layout.template} の公式の空の様式（{layout.reference}）が見つかりません")
    placement = locate(grid, layout)
    out: dict[str, SheetForm] = {}
    for spec in layout.sheets:
        place = placement.sheets.get(spec.name)
        if place is None:
            continue
        sheet = grid.sheets[place.name]
        tables = {}
        for tname, tplace in place.tables.items():
            tables[tname] = _table_form(spec, tplace, sheet)
        out[spec.key] = SheetForm(spec, place.name, {n: (f.row, f.col) for n, f in place.fields.items()},
                                  frozenset(sheet.formulas), tables)
    return out


def _table_form(sheet_spec: SheetSpec, place, sheet) -> TableForm:
    spec = place.spec
    by_rows = spec.records == "rows"
    if by_rows:
        index = LabelIndex.of(sheet)
        bounded = any(index.find([label], min_row=place.first) for label in spec.end_before)
        numbers = range(place.first, place.last + 1) if bounded else range(place.first, place.first + MAX_OPEN_RECORDS)
    else:
        bounded, numbers = True, range(place.first, place.last + 1)

    def value(number, column):
        p = place.positions[column]
        return sheet.value(*((number, p) if by_rows else (p, number)))

    if bounded:     # where the template numbers its records (No 1…40) or computes them, those are its rows
        fixed = [c.name for c in spec.columns if (c.fixed or c.computed) and c.name in place.positions]
        ruled = [n for n in numbers if any(
            not is_blank(value(n, c)) or ((n, place.positions[c]) if by_rows else (place.positions[c], n))
            in sheet.formulas for c in fixed)]
        if ruled:
            numbers = range(ruled[0], ruled[-1] + 1)

    label_column, labels = None, ()
    for c in spec.columns:
        if not c.fixed or c.name not in place.positions:
            continue
        named = [(value(n, c.name), n) for n in numbers if not is_blank(value(n, c.name))]
        if any(isinstance(text, str) and not text.strip().isdigit() for text, _ in named):
            label_column, labels = c.name, tuple((str(text), n) for text, n in named)
            break
    return TableForm(sheet_spec, spec, dict(place.positions), tuple(numbers), bounded, label_column, labels,
                     place.total_record)


def layout_named(template) -> Layout | None:
    return next((layout for layout in known_layouts() if layout.template == template), None)


# --- export ---------------------------------------------------------------------------------------

def plain(value):
    """A cell's raw value as JSON holds it: dates as ISO text, whole floats as integers."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value
    return str(value)


def export(plan) -> dict:
    """The plan as data (see the module's docstring for the shape)."""
    layout = plan.layout
    shapes = form(layout)
    out: dict = {"template": layout.template, "program": None}
    for spec in layout.sheets:
        sheet_form = shapes.get(spec.key)
        actual = plan.sheet_names.get(spec.name)
        grid = plan.grid.sheets.get(actual) if actual else None
        fields, overrides = {}, {}
        for fspec in spec.fields:
            f = plan.fields.get(spec.name, {}).get(fspec.name)
            if f is None or grid is None:
                if not fspec.computed:
                    fields[fspec.name] = None
                continue
            if fspec.computed:
                if f.formula is None:
                    raw = grid.value(f.row, f.col)
                    there = sheet_form.fields.get(fspec.name) if sheet_form else None
                    if not is_blank(raw) or (there is not None and there in sheet_form.formulas):
                        overrides[fspec.name] = plain(raw)
                continue
            fields[fspec.name] = plain(grid.shown(f.row, f.col))
        tables = {}
        for tspec in spec.tables:
            table = plan.tables.get(spec.name, {}).get(tspec.name)
            shape = sheet_form.tables.get(tspec.name) if sheet_form else None
            formulas = sheet_form.formulas if sheet_form else frozenset()
            tables[tspec.name] = [] if table is None or grid is None else _export_table(table, tspec, shape, grid,
                                                                                         formulas)
        if sheet_form is not None and sheet_form.is_list or (sheet_form is None and not fields and len(tables) == 1):
            (name, records), = tables.items()
            out[spec.key] = {name: records, **overrides} if overrides else records
        else:
            out[spec.key] = {**fields, **overrides, **tables}
    return out


def _export_table(table, spec: TableSpec, shape: TableForm | None, grid, formulas: frozenset) -> list[dict]:
    fixed = {c.name for c in spec.columns if c.fixed}
    computed = {c.name for c in spec.columns if c.computed}
    label_column = shape.label_column if shape else None
    records = []
    for i, label in enumerate(table.labels):
        record = {}
        if label_column and label_column in table.positions:
            record[label_column] = plain(grid.value(*table.rowcol(label, label_column)))
        target = None
        if shape is not None:
            target = shape.named(record[label_column]) if label_column and record.get(label_column) is not None \
                else (shape.numbers[i] if i < len(shape.numbers) else None)
        for column in table.positions:
            if column in fixed:
                continue
            r, c = table.rowcol(label, column)
            if column in computed:
                if grid.is_formula(r, c):
                    continue
                raw = grid.value(r, c)
                template_formula = (shape is not None and target is not None and column in shape.positions
                                    and shape.at(target, column) in formulas)
                if not is_blank(raw) or template_formula:
                    record[column] = plain(raw)
                continue
            value = plain(grid.shown(r, c))
            if value is not None and not (isinstance(value, str) and value == ""):
                record[column] = value
        records.append(record)
    return records


def export_file(path) -> dict:
    from planvalidator.reader import read
    return export(read(path))


# --- reading a JSON plan -------------------------------------------------------------------------

def load_json(path) -> object:
    """A JSON file, bounded in size; anything unreadable is one Japanese line (CannotCheck)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise CannotCheck(f"開けません（{exc.strerror or type(exc).__name__}）", file=str(path)) from None
    if len(raw) > MAX_PLAN_BYTES:
        raise CannotCheck(f"JSON の計画データが大きすぎます（{MAX_PLAN_BYTES // (1024 * 1024)} MB まで）", file=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CannotCheck(f"UTF-8 のテキストではありません（{exc.start + 1} バイト目）", file=str(path)) from None

    def constant(name):
        raise ValueError(f"{name} は JSON の数値ではありません")
    try:
        return json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise CannotCheck(f"JSON として読めません（{exc.lineno} 行 {exc.colno} 列: {exc.msg}）", file=str(path)) from None
    except ValueError as exc:
        raise CannotCheck(f"JSON として読めません（{exc}）", file=str(path)) from None
    except RecursionError:
        raise CannotCheck("JSON の入れ子が深すぎます", file=str(path)) from None


def pointer(*parts) -> str:
    """A JSON pointer (RFC 6901) of the parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _unknown(where: str, name: str, known, file) -> CannotCheck:
    close = difflib.get_close_matches(str(name), list(known), n=1)
    hint = f"（{close[0]} の書き間違いではありませんか）" if close else f"（{', '.join(known)}）"
    return CannotCheck(f"{pointer_join(where, name)}: 知らない項目です{hint}", file=file)


def pointer_join(base: str, name) -> str:
    return base + pointer(name)


_KIND_JA = {dict: "オブジェクト", list: "配列", str: "文字", bool: "真偽値", int: "数値", float: "数値", type(None): "null"}


def _type_error(where: str, value, wanted: str, file) -> CannotCheck:
    return CannotCheck(f"{where or '/'}: {wanted}にしてください（{_KIND_JA.get(type(value), type(value).__name__)}です）",
                       file=file)


@dataclass
class Places:
    """Where the values of a JSON plan went in the filled workbook, to point findings back."""
    cells: dict = field(default_factory=dict)      # (sheet name, row, col) → JSON pointer
    sheets: dict = field(default_factory=dict)     # sheet name → its JSON pointer
    areas: list = field(default_factory=list)      # (sheet name, TableForm, pointer of its list)

    def pointer(self, sheet: str | None, cell: str | None) -> str | None:
        from planvalidator.address import parse_a1

        if sheet is None:
            return None
        rc = parse_a1(cell) if cell else None
        if rc is not None:
            found = self.cells.get((sheet, *rc))
            if found is not None:
                return found
            for name, shape, where in self.areas:
                if name != sheet:
                    continue
                number, position = rc if shape.by_rows else (rc[1], rc[0])
                if position in shape.positions.values() and (
                        number in shape.numbers or number == shape.total_record):
                    return where
        return self.sheets.get(sheet, sheet)


def _fill(data, target, file: str | None = None) -> tuple[Layout, Places]:
    """Write ``data`` into the blank workbook of its version, saved at ``target``; where each value went."""
    import warnings

    import openpyxl

    from planvalidator.resources import templates_dir
    from planvalidator.schema import schemas_for

    if not isinstance(data, dict):
        raise _type_error("", data, "計画データの一番外側はオブジェクト（{\"template\": \"r7\", …}）", file)
    versions = [layout.template for layout in known_layouts()]
    if "template" not in data:
        raise CannotCheck(f"/template がありません（様式の版: {', '.join(versions)}）", file=file)
    layout = layout_named(data["template"])
    if layout is None:
        raise CannotCheck(f"/template: 様式の版「{data['template']}」はありません（{', '.join(versions)}）", file=file)
    if data.get("program") is not None and not isinstance(data["program"], str):
        raise _type_error("/program", data["program"], "文字か null ", file)
    if data.get("figures") is not None and not isinstance(data["figures"], dict):
        raise _type_error("/figures", data["figures"], "オブジェクトか null ", file)
    shapes = form(layout)
    keys = ["template", "program", "figures", "$schema", *shapes]
    for key in data:
        if key not in keys:
            raise _unknown("", key, keys, file)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # (openpyxl: data validation extensions it does not keep)
        book = openpyxl.load_workbook(templates_dir() / layout.template / layout.reference)
    places = Places()
    schemas = schemas_for(layout)
    for key, sheet_form in shapes.items():
        spec = sheet_form.spec
        sheet = book[sheet_form.name]
        places.sheets[sheet_form.name] = pointer(key)
        value = data.get(key)
        frames = schemas.get(spec.name, {})
        as_list = sheet_form.is_list and isinstance(value, list)
        if value is None:
            value = [] if sheet_form.is_list else {}
            as_list = sheet_form.is_list
        if as_list:
            (tname, shape), = sheet_form.tables.items()
            _fill_table(sheet, shape, value, pointer(key), frames.get(tname), places, file)
            for rc in sheet_form.fields.values():
                places.cells[(sheet_form.name, *rc)] = pointer(key)
            continue
        if not isinstance(value, dict):
            raise _type_error(pointer(key), value, "オブジェクト" + ("か配列" if sheet_form.is_list else ""), file)
        names = [f.name for f in spec.fields] + [t.name for t in spec.tables]
        for name in value:
            if name not in names:
                raise _unknown(pointer(key), name, names, file)
        fields_frame = frames.get("fields")
        for fspec in spec.fields:
            rc = sheet_form.fields.get(fspec.name)
            if rc is None:
                continue
            where = pointer(key, fspec.name)
            places.cells[(sheet_form.name, *rc)] = where
            if fspec.name not in value or (fspec.computed is False and value[fspec.name] is None):
                continue
            _write(sheet, rc, value[fspec.name], _column(fields_frame, fspec.name), where, file)
        for tname, shape in sheet_form.tables.items():
            records = value.get(tname, [])
            _fill_table(sheet, shape, records, pointer(key, tname), frames.get(tname), places, file)
    try:
        if hasattr(target, "write"):
            book.save(target)
        else:
            from planvalidator.atomic import write_file
            write_file(target, book.save)
    except OSError as exc:
        raise CannotCheck(f"{target}: 書き出せません（{exc.strerror or type(exc).__name__}）") from None
    return layout, places


def _column(frame, name):
    return frame.columns.get(name) if frame is not None else None


def _fill_table(sheet, shape: TableForm, records, where: str, frame, places: Places, file) -> None:
    if records is None:
        records = []
    if not isinstance(records, list):
        raise _type_error(where, records, "配列", file)
    places.areas.append((sheet.title, shape, where))
    if len(records) > len(shape.numbers):
        raise CannotCheck(
            f"{where}: {len(records)} 件ありますが、様式の{'表' if shape.bounded else '表に書けるの'}は "
            f"{len(shape.numbers)} {'行' if shape.by_rows else '列'}です（{pointer_join(where, len(shape.numbers))} から後が入りません）",
            file=file)
    columns = [c.name for c in shape.spec.columns if c.name in shape.positions]
    fixed = {c.name for c in shape.spec.columns if c.fixed}
    used: dict[int, int] = {}
    for i, record in enumerate(records):
        at = pointer_join(where, i)
        if not isinstance(record, dict):
            raise _type_error(at, record, "オブジェクト", file)
        for name in record:
            if name not in columns:
                raise _unknown(at, name, columns, file)
        number = shape.numbers[i]
        label = record.get(shape.label_column) if shape.label_column else None
        if label is not None:
            number = shape.named(label)
            if number is None:
                names = "、".join(text for text, _ in shape.labels)
                raise CannotCheck(f"{pointer_join(at, shape.label_column)}: 「{label}」は様式の表にありません（{names}）",
                                  file=file)
        if number in used:
            raise CannotCheck(f"{at}: {pointer_join(where, used[number])} と同じ行（列）に入ります", file=file)
        used[number] = i
        for column in columns:
            rc = shape.at(number, column)
            places.cells[(sheet.title, *rc)] = pointer_join(at, column)
            if column in fixed or column not in record:
                continue
            _write(sheet, rc, record[column], _column(frame, column), pointer_join(at, column), file)


def _date_like(column) -> bool:
    return column is not None and (column.kind == "date" or any(c.name == "date_or" for c in column.checks))


def _write(sheet, rc: tuple[int, int], value, column, where: str, file) -> None:
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils.exceptions import IllegalCharacterError

    if isinstance(value, (dict, list)):
        raise _type_error(where, value, "文字・数値・真偽値か null ", file)
    if isinstance(value, float) and not math.isfinite(value):
        raise CannotCheck(f"{where}: 数値ではありません", file=file)
    if isinstance(value, str) and _date_like(column):
        try:
            if _ISO_DATE.fullmatch(value):
                value = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
            elif _ISO_DATETIME.fullmatch(value):
                value = dt.datetime.fromisoformat(value)
        except ValueError:
            pass                                   # 「2025-02-30」: kept as text, the checker reports it
    cell = sheet.cell(*rc)
    if isinstance(cell, MergedCell):
        for rng in sheet.merged_cells.ranges:
            if cell.coordinate in rng:
                cell = sheet.cell(rng.min_row, rng.min_col)
                break
    try:
        cell.value = value
    except IllegalCharacterError:
        raise CannotCheck(f"{where}: Excel のセルに書けない制御文字があります", file=file) from None
    except (ValueError, TypeError) as exc:
        raise CannotCheck(f"{where}: セルに書けません（{exc}）", file=file) from None
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"                       # text the applicant wrote, never a formula
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        cell.number_format = "yyyy/m/d"


def fill(data, target, *, file: str | None = None) -> Path:
    """Write a plan (the dict of :func:`export`, or read from JSON) into its version's official blank
    workbook at ``target``: each value into its cell, the template's formulas kept. Anything that
    cannot be placed (not an object, an unknown version or key, more records than the table has
    rows) is a CannotCheck naming the JSON path."""
    target = Path(target)
    _fill(data, target, file)
    return target


# --- checking a JSON plan ------------------------------------------------------------------------

def check_json(path, options=None):
    """Check a JSON plan: filled into a temporary workbook and checked like one; each finding's
    ``sheet`` is the JSON pointer of what it is about (``/expenses/3/amount``) and ``cell`` is None
    (``field`` keeps the layout key). The report's file is the JSON file."""
    import tempfile

    from planvalidator.engine import check_file

    data = load_json(path)
    options = _with_program(data, options, str(path))
    with tempfile.TemporaryDirectory(prefix="planvalidator-") as tmp:
        book = Path(tmp) / "plan.xlsx"
        _layout, places = _fill(data, book, str(path))
        report = check_file(book, options, file=str(path), figures=data.get("figures"))
    report.findings = [pointed(f, places) for f in report.findings]
    return report


def _with_program(data, options, file: str):
    """The plan's ``program`` (``"ID[:COURSE]"``, as ``--program``) when the command line names none."""
    from planvalidator.engine import Options

    options = options or Options()
    program = data.get("program") if isinstance(data, dict) else None
    if not isinstance(program, str) or not program or getattr(options, "program", "") is not None:
        return options                  # none given, --program given, or no programs in this version
    try:
        from planvalidator.profiles import profile_of
    except ImportError:
        return options
    try:
        profile_of(program)
    except Exception as exc:  # noqa: BLE001 — the profile's own one-line reason
        raise CannotCheck(f"/program: {exc}", file=file) from None
    return replace(options, program=program)


def pointed(finding, places: Places):
    """A finding of the filled workbook at the JSON pointer of its cell."""
    if finding.sheet is None:
        return finding
    return replace(finding, sheet=places.pointer(finding.sheet, finding.cell), cell=None)


# --- the JSON Schema -----------------------------------------------------------------------------

def _value_schema(column, *, title: str | None = None) -> dict:
    kind = column.kind if column is not None else "text"
    out: dict = {"title": title or (column.title if column is not None else None)}
    if out["title"] is None:
        del out["title"]
    choices = next((list(c.statistics["allowed_values"]) for c in column.checks if c.name == "isin"), None) \
        if column is not None else None
    if kind == "date":
        out.update(type=["string", "null"], format="date")
    elif kind == "int":
        out["type"] = ["integer", "null"]
    elif kind == "number":
        out["type"] = ["number", "null"]
    elif choices:
        out["enum"] = [*choices, None]
    else:
        out["type"] = ["string", "number", "null"]
    if column is not None and kind in ("int", "number"):
        for check in column.checks:
            s = check.statistics
            if check.name == "greater_than_or_equal_to":
                out["minimum"] = s["min_value"]
            elif check.name == "greater_than":
                out["exclusiveMinimum"] = s["min_value"]
            elif check.name == "less_than_or_equal_to":
                out["maximum"] = s["max_value"]
            elif check.name == "less_than":
                out["exclusiveMaximum"] = s["max_value"]
            elif check.name == "in_range":
                out["minimum" if s.get("include_min", True) else "exclusiveMinimum"] = s["min_value"]
                out["maximum" if s.get("include_max", True) else "exclusiveMaximum"] = s["max_value"]
    date_or = next((c.statistics for c in column.checks if c.name == "date_or"), None) if column is not None else None
    if date_or:
        words = next(iter(date_or.values()))
        out.pop("type", None)
        out["anyOf"] = [{"type": "string", "format": "date"}, {"enum": list(words)}, {"type": ["string", "null"]}]
    return out


_COMPUTED = "計算式の欄。ふつうは書きません（様式の計算式が計算します）。書くと、計算式を上書きした値としてチェックします。"


def json_schema(layout: Layout) -> dict:
    """The JSON Schema (draft 2020-12) of the plans of a template version."""
    from planvalidator.schema import schemas_for

    schemas = schemas_for(layout)
    shapes = form(layout)
    sheets: dict = {}
    for spec in layout.sheets:
        frames = schemas.get(spec.name, {})
        fields_frame = frames.get("fields")
        sheet_form = shapes.get(spec.key)
        props: dict = {}
        computed_props: dict = {}
        for fspec in spec.fields:
            s = _value_schema(_column(fields_frame, fspec.name))
            if fspec.computed:
                s["description"] = _COMPUTED
                computed_props[fspec.name] = s
            else:
                props[fspec.name] = s
        tables = {}
        for tspec in spec.tables:
            shape = sheet_form.tables.get(tspec.name) if sheet_form else None
            frame = frames.get(tspec.name)
            columns: dict = {}
            for c in tspec.columns:
                if c.fixed and not (shape and shape.label_column == c.name):
                    continue
                s = _value_schema(_column(frame, c.name))
                if c.fixed:
                    s.pop("type", None)
                    s["enum"] = [text for text, _ in shape.labels]
                    s["description"] = "様式が印刷している見出し。この行（列）に入ります。"
                if c.computed:
                    s["description"] = _COMPUTED
                columns[c.name] = s
            table = {"type": "array", "title": _table_title(spec, tspec),
                     "items": {"type": "object", "properties": columns, "additionalProperties": False}}
            if shape is not None:
                table["maxItems"] = len(shape.numbers)
            tables[tspec.name] = table
        obj = {"type": "object", "title": spec.name, "properties": {**props, **computed_props, **tables},
               "additionalProperties": False}
        if sheet_form is not None and sheet_form.is_list:
            (only,) = tables.values()
            sheets[spec.key] = {"title": spec.name, "anyOf": [only, obj]}
        else:
            sheets[spec.key] = obj
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:planvalidator:plan:{layout.template}",
        "title": f"{layout.title} の計画データ",
        "description": ("planvalidator export が書き、planvalidator check / fill が読む事業計画書の内容。"
                        "必須の欄・選択肢・書式・金額の計算は planvalidator check が様式と同じ規則で確かめます。"),
        "type": "object",
        "required": ["template"],
        "properties": {"$schema": {"type": "string"},
                       "template": {"const": layout.template, "description": "様式の版"},
                       "program": {"type": ["string", "null"],
                                   "description": "助成制度とコース（planvalidator programs の ID、例 kofukakachi:main。null: 事業区分から）"},
                       "figures": {
                           "type": ["object", "null"],
                           "description": "数値で判定する対象者の要件（制度のプロファイルの eligibility、規則 PV308）",
                           "properties": {
                               "price": {"type": "object", "description": "主要原材料等の平均仕入価格: 比較月 base と対象月 target",
                                         "properties": {side: {"type": "object", "properties": {
                                             "month": {"type": "string"}, "amount": {"type": "number"},
                                             "quantity": {"type": "number"}, "unit": {"type": "string"}}}
                                             for side in ("base", "target")}},
                               "gross_profit": {"type": "object", "description": "粗利益: 比較する年の同月 bases と対象月 target",
                                                "properties": {"bases": {"type": "array", "items": {"type": "number"}},
                                                               "target": {"type": "number"}}}}},
                       **sheets},
        "additionalProperties": False,
    }


def _table_title(sheet: SheetSpec, table: TableSpec) -> str:
    return f"{sheet.name} {table.name}"


def schema_path(layout: Layout) -> Path:
    return layout.folder / SCHEMA_FILE


def schema_text(layout: Layout) -> str:
    return json.dumps(json_schema(layout), ensure_ascii=False, indent=2) + "\n"
