"""A plan of data written into its version's official blank workbook (its formulas kept).

* :func:`fill_workbook` — a plan (the dict of :func:`~planvalidator.plans.export.export`, or read from
  JSON) written into the blank workbook, saved at a path;
* :func:`fill_with_places` — the same into a path or a binary stream, with :class:`Places`: where each
  value went, to point the findings of the filled workbook back at JSON paths.

Anything that cannot be placed (not an object, an unknown version or key, more records than the
table has rows) is a CannotCheck naming the JSON path.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from pathlib import Path

from planvalidator.errors import CannotCheck
from planvalidator.layout import Layout, known_layouts
from planvalidator.plans.shape import (
    TableForm,
    column_of,
    form,
    layout_named,
    pointer,
    pointer_join,
)
from planvalidator.structs import Struct, field

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def _unknown(where: str, name: str, known, file) -> CannotCheck:
    close = difflib.get_close_matches(str(name), list(known), n=1)
    hint = f"（{close[0]} の書き間違いではありませんか）" if close else f"（{', '.join(known)}）"
    return CannotCheck(f"{pointer_join(where, name)}: 知らない項目です{hint}", file=file)


_KIND_JA = {dict: "オブジェクト", list: "配列", str: "文字", bool: "真偽値", int: "数値", float: "数値", type(None): "null"}


def _type_error(where: str, value, wanted: str, file) -> CannotCheck:
    return CannotCheck(f"{where or '/'}: {wanted}にしてください（{_KIND_JA.get(type(value), type(value).__name__)}です）",
                       file=file)


class Places(Struct):
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


def fill_with_places(data, target, file: str | None = None) -> tuple[Layout, Places]:
    """Write ``data`` into the blank workbook of its version, saved at ``target`` (a path, or a binary
    stream such as :class:`io.BytesIO`: nothing written to disk); where each value went."""
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
            _write(sheet, rc, value[fspec.name], column_of(fields_frame, fspec.name), where, file)
        for tname, shape in sheet_form.tables.items():
            records = value.get(tname, [])
            _fill_table(sheet, shape, records, pointer(key, tname), frames.get(tname), places, file)
    try:
        if hasattr(target, "write"):
            from planvalidator.xlsx_memory import save_workbook
            save_workbook(book, target)
        else:
            from planvalidator.atomic import write_file
            write_file(target, book.save)
    except OSError as exc:
        raise CannotCheck(f"{target}: 書き出せません（{exc.strerror or type(exc).__name__}）") from None
    return layout, places


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
            _write(sheet, rc, record[column], column_of(frame, column), pointer_join(at, column), file)


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


def fill_workbook(data, target, *, file: str | None = None) -> Path:
    """Write a plan (the dict of :func:`~planvalidator.plans.export.export`, or read from JSON) into its version's official blank
    workbook at ``target``: each value into its cell, the template's formulas kept. Anything that
    cannot be placed (not an object, an unknown version or key, more records than the table has
    rows) is a CannotCheck naming the JSON path."""
    target = Path(target)
    fill_with_places(data, target, file)
    return target
