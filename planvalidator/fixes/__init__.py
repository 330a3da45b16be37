"""``planvalidator fix``: the corrections the findings carry, written into a copy (as ``ruff --fix`` does).

A finding's rule may give it a fix (:class:`planvalidator.findings.Fix`): *safe* (one right answer, nothing
else changes — a template formula typed over, a number stored as text) or *unsafe* (a judgement the applicant
confirms — applied only when asked). :func:`fix_file` checks the workbook, chooses the fixes, writes them into
a copy (``<name>_修正案.xlsx`` beside it by default; :mod:`planvalidator.fixes.write`), and checks the copy;
``diff`` only lists them (「シート!セル: 前 → 後」). Accepted (確認済み) findings are not fixed.
"""

from __future__ import annotations

from pathlib import Path

from planvalidator.engine import Report
from planvalidator.findings import Edit, Finding
from planvalidator.structs import Struct, field

SUFFIX = "_修正案"


class Change(Struct):
    finding: Finding
    edit: Edit
    before: str          # what the cell held (its formula, or its value as text; 「空欄」)


class FixResult(Struct):
    before: Report                       # the check of the input
    changes: list[Change]                # the fixes chosen (written unless ``diff``)
    target: Path | None = None           # the fixed copy (None: --diff, nothing written)
    after: Report | None = None          # the check of the fixed copy
    unsafe_left: list[Finding] = field(default_factory=list)   # findings with an unsafe fix not applied

    @property
    def report(self) -> Report:
        return self.after or self.before


def chosen(findings, *, unsafe: bool = False) -> tuple[list[tuple[Finding, Edit]], list[Finding]]:
    """The (finding, edit) pairs to write — open findings' safe fixes (and unsafe ones with ``unsafe``), each cell
    once (the first finding's fix wins) — and the findings whose unsafe fix is left out."""
    pairs, left, cells = [], [], set()
    for f in findings:
        if f.fix is None or f.accepted is not None:
            continue
        if not f.fix.safe and not unsafe:
            left.append(f)
            continue
        if any((e.sheet, e.cell) in cells for e in f.fix.edits):
            continue
        for e in f.fix.edits:
            cells.add((e.sheet, e.cell))
            pairs.append((f, e))
    return pairs, left


def default_output(path) -> Path:
    """<name>_修正案.xlsx beside the input (.xlsm stays .xlsm); a fixed copy fixed again keeps its name."""
    path = Path(path)
    stem = path.stem[: -len(SUFFIX)] if path.stem.endswith(SUFFIX) else path.stem
    return path.with_name(f"{stem}{SUFFIX}{path.suffix}")


def shown(grid, sheet: str, cell: str) -> str:
    """What a cell holds, as the applicant sees it in the formula bar (「空欄」 when nothing)."""
    from planvalidator.address import parse_a1
    from planvalidator.findings import plain

    g = grid.sheets.get(sheet)
    pos = parse_a1(cell)
    if g is None or pos is None:
        return "空欄"
    if pos in g.formulas:
        return g.formulas[pos]
    value = g.values.get(pos)
    if value is None or value == "":
        return "空欄"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    text = str(plain(value))
    return f"「{text}」" if isinstance(value, str) else text


def fix_file(path, output=None, *, in_place: bool = False, unsafe: bool = False, diff: bool = False,
             options=None, stream=None) -> FixResult:
    """Check ``path``, write its fixes into a copy (``output``, else <name>_修正案.xlsx; ``in_place``: the input
    itself; ``stream``: a binary stream, the check page's answer) and check the copy. ``diff``: write nothing.
    A file that cannot be checked raises :class:`planvalidator.errors.CannotCheck`, as ``check`` refuses it."""
    from planvalidator.engine import check_file
    from planvalidator.errors import CannotCheck
    from planvalidator.partxml import PackageError

    from planvalidator.workbook import InMemory

    held = isinstance(path, InMemory)          # an upload of the check page: written to ``stream`` only
    path = path if held else Path(path)
    target = None if held else path if in_place else Path(output) if output else default_output(path)
    if stream is None and held and not diff:
        raise ValueError("a workbook held in memory is fixed into a stream")
    if stream is None and not held and not diff and not in_place and target.resolve() == path.resolve():
        raise CannotCheck("出力先が入力ファイルと同じです（上書きするなら --in-place、別名なら -o を指定）",
                          file=path.name)
    before = check_file(path, options)
    if before.plan is None:
        return FixResult(before, [])
    try:
        data, changes, after, left = _passes(path, before, target, unsafe, options)
    except PackageError as exc:             # a part the check read but lxml will not rewrite
        from planvalidator.workbook import part_reason
        raise CannotCheck(part_reason(exc), file=path.name) from None
    result = FixResult(before, changes, unsafe_left=left)
    if diff:
        return result
    if stream is not None:
        stream.write(data)
        return result
    from planvalidator.atomic import write_file
    try:
        write_file(target, lambda out: out.write(data), mode_from=path)
    except OSError as exc:
        raise CannotCheck(f"書き出せません（{exc.strerror or type(exc).__name__}）", file=str(target)) from None
    result.target, result.after = target, after
    return result


MAX_PASSES = 5      # as ruff: a fix may bring up a finding of its own (a lower 単価 → a request over the rate), fixed next


def _passes(path, before: Report, target, unsafe: bool, options):
    """Fix in memory until no fix is left (at most :data:`MAX_PASSES` times): the fixed package's bytes, the
    changes (each cell once: what it held first, what it holds last), the check of the result and the
    findings whose unsafe fix was left out."""
    import io

    from planvalidator.engine import check_file
    from planvalidator.fixes.write import write_fixes
    from planvalidator.workbook import InMemory

    name = str(target) if target is not None else str(path)
    merged: dict[tuple[str, str], Change] = {}
    source, report = path, before
    pairs, left = chosen(before.open_findings, unsafe=unsafe)
    data = None
    for _ in range(MAX_PASSES):
        buffer = io.BytesIO()
        written = write_fixes(source, buffer, [e for _f, e in pairs], report.plan.grid)
        data = buffer.getvalue()
        for f, e in pairs:
            if e in written:
                first = merged.get((e.sheet, e.cell))
                merged[(e.sheet, e.cell)] = Change(f, e, first.before if first else shown(report.plan.grid, e.sheet, e.cell))
        if not written:
            break
        source = InMemory(name, data)
        report = check_file(source, options)
        if report.plan is None:
            break
        pairs, left = chosen(report.open_findings, unsafe=unsafe)
        done = {(c.edit.sheet, c.edit.cell): c.edit for c in merged.values()}
        if all(done.get((e.sheet, e.cell)) == e for _f, e in pairs):
            break                    # nothing new to write (a fix that did not settle its finding is not retried)
    changes = [c for c in merged.values() if c.before != c.edit.shown or c.edit.formula is not None]
    return data, changes, report, left


def diff_lines(result: FixResult) -> list[str]:
    """「シート!セル: 前 → 後」 for each change, with its rule and whether it is safe."""
    return [f"{c.edit.sheet}!{c.edit.cell}: {c.before} → {c.edit.shown}"
            f"（{c.finding.rule}{'' if c.finding.fix.safe else '・確認が必要'}）" for c in result.changes]
