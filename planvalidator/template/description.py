"""The Japanese text of one change between two versions of a template (``Change.text()``).

A change is read by its fields (kind, cell, old, new, detail) only: this module is below
:mod:`planvalidator.template.changes`, which calls it."""

from __future__ import annotations

from openpyxl.utils.cell import column_index_from_string, get_column_letter

_STATE = {"visible": "表示", "hidden": "非表示", "veryHidden": "非表示（VBA のみ）"}

# rows / columns: the unit, how a place on the axis is named, the side toward the start, the far side
_AXIS_WORDS = {"rows": ("行", "行目", "上", "下"), "columns": ("列", "列", "左", "右")}

# cell contents: the noun, and how a content is shown between the words around it
_CONTENTS = {
    "label": ("見出し", lambda x: f"「{x}」"),
    "value": ("値", lambda x: f" {x!r} "),
    "formula": ("数式", lambda x: f" {x} "),
}

_CELL_SETS = {"input_cells": "入力欄", "unlocked_cells": "ロックしないセル"}


def _items(items) -> str:
    return "、".join(f"「{x}」" for x in items)


def describe(c) -> str:
    """One change in Japanese, without its sheet's name."""
    d = c.detail
    k = c.kind
    if k in ("rows_inserted", "rows_deleted", "columns_inserted", "columns_deleted"):
        return _describe_move(c) + _carried_text(d)
    if k == "sheet_added":
        return f"シートの追加（{d['index'] + 1} 番目、見出し {d['labels']} 個・数式 {d['formulas']} 個・入力欄 {d['inputs']} 個）"
    if k == "sheet_removed":
        return f"シートの削除（もとは {d['index'] + 1} 番目）"
    if k == "sheet_renamed":
        return f"シート名の変更「{c.old}」→「{c.new}」"
    if k == "sheet_reordered":
        return f"シートの順序の変更 {' / '.join(c.old)} → {' / '.join(c.new)}"
    if k == "sheet_state_changed":
        return f"シートの表示の変更 {_STATE.get(c.old, c.old)} → {_STATE.get(c.new, c.new)}"
    return _describe_cells(c) or _describe_rest(c)


def _carried_text(d: dict) -> str:
    bits = []
    if d.get("input_cells"):
        bits.append("入力欄 " + " ".join(d["input_cells"]))
    if d.get("unlocked_cells"):
        bits.append("ロックしないセル " + " ".join(d["unlocked_cells"]))
    if d.get("merges"):
        bits.append(f"セルの結合 {len(d['merges'])} 個")
    return f"［{'、'.join(bits)}］" if bits else ""


def _describe_move(c) -> str:
    d = c.detail
    axis, how = c.kind.split("_")
    unit, place, back, forth = _AXIS_WORDS[axis]
    n = d["count"]
    if how == "inserted":
        if d["before"] is None:
            return f"{unit}の追加 最後の{unit}の{forth}（{d['at']} {place}から）に {n} {unit}"
        return f"{unit}の挿入 {d['before']} {place}の{back}に {n} {unit}（以降のセルは {n} {unit}{forth}へ）"
    s = d["start"]
    last = s + n - 1 if axis == "rows" else get_column_letter(column_index_from_string(s) + n - 1)
    where = f"{s} {place}" if n == 1 else f"{s}〜{last} {place}"
    return f"{unit}の削除 {where}の {n} {unit}（以降のセルは {n} {unit}{back}へ）"


def _describe_cells(c) -> str | None:
    """A label, value or formula added, removed or changed; input or unlocked cells added or
    removed. None for any other kind."""
    subject, _, how = c.kind.rpartition("_")
    if subject in _CONTENTS and how in ("added", "removed", "changed"):
        noun, show = _CONTENTS[subject]
        if how == "added":
            return f"{noun}の追加{show(c.new)}({c.cell})"
        if how == "removed":
            return f"{noun}の削除{show(c.old)}(もとの {c.cell})"
        expected = (c.detail or {}).get("expected")
        if expected is not None and expected != c.old:      # the old formula, read where the new sheet has it
            if c.old == c.new:                               # written again as it was: it did not move
                return f"{noun}が行・列の挿入・削除に合わせて動いていません: {c.new}（見込まれる式 {expected}）({c.cell})"
            return f"{noun}の変更{show(expected)}→{show(c.new)}（もとの式 {c.old}、{c.detail['old_cell']}）({c.cell})"
        return f"{noun}の変更{show(c.old)}→{show(c.new)}({c.cell})"
    if subject in _CELL_SETS:
        verb = "追加" if how == "added" else "削除"
        return f"{_CELL_SETS[subject]}の{verb} {c.cell}（{c.detail['count']} セル）"
    return None


def _describe_rest(c) -> str:
    d, k = c.detail, c.kind
    if k == "label_reworded":
        at = c.cell if d["old_cell"] == c.cell else f"{d['old_cell']} → {c.cell}"
        return f"見出し「{c.old}」→「{c.new}」({at})"
    if k == "label_moved":
        return f"見出し「{c.old}」の移動 ({d['old_cell']} → {c.cell})"
    if k == "validation_changed":
        return f"入力規則の変更 ({c.cell}): {'、'.join(_validation_bits(d)) or '設定'}"
    if k == "validation_added":
        return f"入力規則の追加 ({c.cell}): {_dv_text(c.new)}"
    if k == "validation_removed":
        return f"入力規則の削除 (もとの {c.detail['old_sqref']}): {_dv_text(c.old)}"
    if k == "merge_added":
        return f"セルの結合の追加 {c.cell}"
    if k == "merge_removed":
        return f"セルの結合の削除 (もとの {c.cell})"
    if k == "protection_changed":
        return f"シートの保護 {'あり' if c.old else 'なし'} → {'あり' if c.new else 'なし'}"
    if k == "protected_range_added":
        return f"範囲の編集の許可の追加「{c.new}」{c.cell}"
    if k == "protected_range_removed":
        return f"範囲の編集の許可の削除「{c.old}」(もとの {c.cell})"
    if k == "protected_range_changed":
        return f"範囲の編集の許可「{d['name']}」の範囲 {c.old} → {c.new}"
    if k == "defined_name_added":
        return f"名前の定義の追加「{d['name']}」{c.new}"
    if k == "defined_name_removed":
        return f"名前の定義の削除「{d['name']}」{c.old}"
    if k == "defined_name_changed":
        return f"名前の定義の変更「{d['name']}」{c.old} → {c.new}"
    return k  # pragma: no cover


def _validation_bits(d: dict) -> list[str]:
    bits = []
    if "items_added" in d:
        bits.append(f"選択肢の追加 {_items(d['items_added'])}")
    if "items_removed" in d:
        bits.append(f"選択肢の削除 {_items(d['items_removed'])}")
    if d.get("items_reordered"):
        bits.append("選択肢の順序")
    if "cells_added" in d or "cells_removed" in d:
        expected = d.get("expected_sqref")
        if expected and expected != d["old_sqref"] and d["old_sqref"] == d["new_sqref"]:
            bits.append(f"範囲 {d['new_sqref']} が行・列の挿入・削除に合わせて動いていません（見込まれる範囲 {expected}）")
        elif expected and expected != d["old_sqref"]:
            bits.append(f"範囲 {expected} → {d['new_sqref']}（もとの範囲 {d['old_sqref']}）")
        else:
            bits.append(f"範囲 {d['old_sqref']} → {d['new_sqref']}")
    if "type" in d:
        bits.append(f"種類 {d['type'][0]} → {d['type'][1]}")
    for key in ("formula1", "formula2", "operator", "allow_blank"):
        if key in d:
            before, after = d[key]
            expected = d.get(f"expected_{key}")
            if expected is not None and expected != before:
                bits.append(f"{key} {expected} → {after}（もとの {before}）" if before != after else
                            f"{key} {after} が行・列の挿入・削除に合わせて動いていません（見込まれる式 {expected}）")
            else:
                bits.append(f"{key} {before} → {after}")
    return bits


def _dv_text(summary: dict) -> str:
    if summary.get("type") == "list" and summary.get("items") is not None:
        return f"リスト {_items(summary['items'])}"
    f = summary.get("formula1")
    return f"{summary.get('type') or '任意'}" + (f" {summary.get('operator') or ''} {f}" if f else "")
