"""``planvalidator template new r8 FROM.xlsx``: a starting ``schemas/r8/`` for a new template version.

The closest known version's data (layout.yaml, program.yaml, sheets/*.yaml) is copied, the new
workbook becomes the version's reference template (``templates/r8/``), and what
:func:`planvalidator.template.verify.verify` finds is applied where it is sure:

- a label reworded (its nearest text is close) → the layout lists the new wording first and keeps the
  old one (``[助成事業の名称, 助成事業名]``);
- a sheet renamed → its layout entry and its schema file take the new name;
- a signature label unique to the new workbook is added, so filled r7 and r8 workbooks are told apart.

Everything else — labels not found, changed drop-down lists, formulas, the program's figures — is
listed in ``schemas/r8/TODO.md`` for a person to finish. layout.yaml is edited with ruamel.yaml's
round trip, so its comments stay.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from planvalidator.structs import Struct, field
from planvalidator.template.verify import Verification, verify

_VERSION = re.compile(r"^r\d{1,3}$")


class NewVersionError(ValueError):
    """A version that cannot be written (one Japanese line)."""


class NewVersion(Struct):
    version: str
    based_on: str
    schemas: Path
    template: Path
    applied: list[str] = field(default_factory=list)     # Japanese: what was changed automatically
    todo: list[str] = field(default_factory=list)        # Japanese: what a person must finish


def new_version(version: str, source: str | Path, *, schemas_root: Path, templates_root: Path,
                based_on: str | None = None) -> NewVersion:
    from ruamel.yaml import YAML

    from planvalidator.layout import known_layouts, nearest_layout
    from planvalidator.workbook import load_grid

    if not _VERSION.match(version):
        raise NewVersionError(f"版の名前「{version}」は r と数字にしてください（例: r8）")
    target = Path(schemas_root) / version
    if target.exists():
        raise NewVersionError(f"{target} はもうあります（作り直すなら先に消してください）")
    source = Path(source)
    grid = load_grid(source)
    layouts = {layout.template: layout for layout in known_layouts()}
    if based_on is not None and based_on not in layouts:
        raise NewVersionError(f"元にする版「{based_on}」がありません（{', '.join(layouts)}）")
    base = layouts[based_on] if based_on else nearest_layout(grid)[0]
    result = verify(source, base)

    shutil.copytree(base.folder, target, ignore=shutil.ignore_patterns("__pycache__", "TODO.md"))
    template_dir = Path(templates_root) / version
    template_dir.mkdir(parents=True, exist_ok=True)
    reference = template_dir / source.name
    shutil.copyfile(source, reference)
    out = NewVersion(version, base.template, target, reference)

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    layout_file = target / "layout.yaml"
    data = yaml.load(layout_file.read_text(encoding="utf-8"))
    data["template"] = version
    data["reference"] = source.name
    _apply(result, data, target, out)
    _sign(grid, base, data, out)
    with layout_file.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    _write_todo(out, result, base)
    return out


def _labels_of(entry) -> list[str]:
    label = entry.get("label")
    return list(label) if isinstance(label, list) else [label]


def _apply(result: Verification, data, target: Path, out: NewVersion) -> None:
    sheets = data["sheets"]
    for item in result.items:
        if item.what.startswith("シート") and (item.detail == "renamed" or item.kind == "reworded"):
            if item.sheet in sheets and item.now:
                _rename_sheet(data, target, item.sheet, item.now)
                out.applied.append(f"シート「{item.sheet}」→「{item.now}」（layout.yaml と sheets/ のファイル名）")
        elif item.kind == "reworded" and item.nearest:
            entry = _entry(sheets.get(item.sheet), item.what)
            if entry is not None:
                new_text = item.nearest
                entry["label"] = [new_text] + [t for t in _labels_of(entry) if t != new_text]
                out.applied.append(f"{item.sheet}: {item.what} → 「{new_text}」（{item.now}。前の言い方も残しました）")
                continue
            out.todo.append(f"{item.sheet}: {item.line()}")
        elif item.breaks:
            out.todo.append(f"{item.sheet}: {item.line()}")


def _rename_sheet(data, target: Path, old: str, new: str) -> None:
    """The layout's sheet entry under its new name, in its place; its schema file and signature follow."""
    sheets = data["sheets"]
    keys = list(sheets)
    entries = [(new if k == old else k, sheets[k]) for k in keys]
    for k in keys:
        del sheets[k]
    for k, v in entries:
        sheets[k] = v
    schema = target / "sheets" / f"{old}.yaml"
    if schema.exists():
        schema.rename(target / "sheets" / f"{new}.yaml")
    for entry in data.get("signature", []):
        if entry.get("sheet") == old:
            entry["sheet"] = new


def _entry(sheet, what: str):
    """The layout entry (field or table column) an item names: 「欄「X」」 or 「表の見出し「X」」."""
    if sheet is None:
        return None
    label = what.split("「", 1)[1].rsplit("」", 1)[0]
    for entry in (sheet.get("fields") or {}).values():
        if label in _labels_of(entry):
            return entry
    for table in (sheet.get("tables") or {}).values():
        for entry in (table.get("header") or {}).values():
            if label in _labels_of(entry):
                return entry
    return None


def _sign(grid, base, data, out: NewVersion) -> None:
    """Add to the signature a text of the new workbook's first sheet that the base version's template
    does not have (usually the title with its year)."""
    from planvalidator.layout import find_sheet
    from planvalidator.normalize import label_canon
    from planvalidator.reference import reference_grid

    reference = reference_grid(base)
    first = base.sheets[0]
    mine, theirs = find_sheet(grid, first), find_sheet(reference, first) if reference else None
    if mine is None:
        out.todo.append("signature: 最初のシートが見つからないため、この版だけにある見出しを signature に足してください")
        return
    known = {label_canon(t) for _r, _c, t in reference.sheets[theirs].texts()} if theirs else set()
    for r, _c, text in grid.sheets[mine].texts():
        if r > 10:
            break
        if label_canon(text) not in known and 4 <= len(text.strip()) <= 60:
            sheet_name = next((e["sheet"] for e in data.get("signature", []) if e.get("sheet")), first.name)
            data["signature"].append({"sheet": sheet_name, "label": text.strip()})
            out.applied.append(f"signature: 「{text.strip()}」（{base.template} の様式にない見出し。{base.template} の記入済みの"
                               f"ブックと見分けます。確かめてください）")
            return
    out.todo.append(f"signature: {base.template} の様式にない見出しが見つかりません。この版だけにある見出し（表題の年度など）を"
                    f"signature に足さないと、{base.template} のブックと見分けられません")


def _write_todo(out: NewVersion, result: Verification, base) -> None:
    lines = [f"# {out.version}: 仕上げること（planvalidator template new が {base.template} から作りました）", "",
             f"様式: `templates/{out.version}/{out.template.name}`。`planvalidator template verify "
             f"templates/{out.version}/{out.template.name} --template {out.version}` が 0 で終わるまで直してください。", ""]
    if out.applied:
        lines += ["## 自動で直したこと", ""] + [f"- {a}" for a in out.applied] + [""]
    lines += ["## 人が直すこと", ""]
    lines += [f"- [ ] {t}" for t in out.todo] or ["- [ ] （見出し・表・計算式・選択肢で見つからないものはありません）"]
    lines += ["- [ ] program.yaml: 新しい公募要領の助成率・限度額・日付・提出書類（出典の条項も）",
              "- [ ] layout.yaml の title、templates/ の記入例と誤りのある例（scripts/build_examples.py）", ""]
    (out.schemas / "TODO.md").write_text("\n".join(lines), encoding="utf-8")
