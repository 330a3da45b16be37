"""Plans as data: a 事業計画書 as JSON, and back. One job per module:

* :mod:`~planvalidator.plans.shape` — the shape of a plan (one key per sheet, records, computed cells) and
  where each of its values goes in the version's official blank workbook (:func:`form`);
* :mod:`~planvalidator.plans.export` — :func:`export`: a read workbook as a JSON-plain dict;
* :mod:`~planvalidator.plans.load` — :func:`load_json`: a JSON plan read from a file, bounded;
* :mod:`~planvalidator.plans.fill` — :func:`fill_workbook`: such a dict written into the blank workbook
  (its formulas kept); :func:`fill_with_places` also says where each value went;
* :mod:`~planvalidator.plans.check` — :func:`check_json`: a JSON plan filled into a workbook in memory,
  checked by the same rules, every finding located at the JSON path of what it is about;
* :mod:`~planvalidator.plans.json_schema` — :func:`json_schema`: the JSON Schema (draft 2020-12) of a
  version's plans (``scripts/plan_schema.py`` writes ``schemas/<版>/plan.schema.json``).
"""

from planvalidator.plans.check import check_json, pointed
from planvalidator.plans.export import export, export_file, plain
from planvalidator.plans.fill import Places, fill_with_places, fill_workbook
from planvalidator.plans.json_schema import (
    SCHEMA_FILE,
    json_schema,
    schema_path,
    schema_text,
)
from planvalidator.plans.load import MAX_PLAN_BYTES, load_json
from planvalidator.plans.shape import (
    MAX_OPEN_RECORDS,
    SheetForm,
    TableForm,
    form,
    layout_named,
    pointer,
    pointer_join,
)

__all__ = [
    "MAX_OPEN_RECORDS", "MAX_PLAN_BYTES", "SCHEMA_FILE", "Places", "SheetForm", "TableForm", "check_json",
    "export", "export_file", "fill_with_places", "fill_workbook", "form", "json_schema", "layout_named",
    "load_json", "plain", "pointed", "pointer", "pointer_join", "schema_path", "schema_text",
]
