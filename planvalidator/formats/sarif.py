"""SARIF 2.1.0 (OASIS): one run for code-scanning tools (GitHub's upload-sarif, VS Code's SARIF viewer).

- ``tool.driver.rules``: the whole catalogue, its texts rendered with the program's values (as
  ``planvalidator rules`` shows them), each with its default level.
- one result per finding: ``ruleId``, ``level`` (error / warning / note), ``message.text`` (the
  Japanese message and where: 「…（計画様式7!J9）」), the workbook as ``artifactLocation.uri`` (the
  path as given, forward slashes) with ``region.startLine`` = the Excel row and ``startColumn`` = the
  column (line 1 for a finding without a cell: GitHub shows no alert without a region), and the cell
  as a logical location (「計画様式7!J9」, fully qualified as Excel writes it: 「'[book.xlsx]計画様式7'!J9」).
- ``partialFingerprints["planvalidator/v1"]``: see :func:`fingerprints` — not the cell, so a finding
  keeps its fingerprint when the applicant inserts rows above it.
- accepted (確認済み) findings are results with a suppression (``kind`` inSource: the reviewer's mark is
  in the workbook's チェック結果 sheet; ``justification``: the note).
- a finding's fix (``planvalidator fix``): ``fixes[0]``, one ``artifactChanges`` entry for the workbook whose
  ``replacements`` each replace one cell (``deletedRegion``: its row and column, as the result's region;
  ``insertedContent``: the new value or formula; the sheet in the replacement's properties), and whether it is
  safe in the fix's properties (``safety``).
- files that could not be checked: ``invocations[0].toolExecutionNotifications`` (level error, the
  Japanese line, the file) and ``executionSuccessful`` false (also when a rule failed, PV900).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import quote

from planvalidator.findings import Finding, Severity, plain

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "planvalidator/v1"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def write(outcomes, out: IO[str], *, color=None) -> None:
    out.write(json.dumps(sarif_log(outcomes), ensure_ascii=False, indent=2) + "\n")


def sarif_log(outcomes) -> dict:
    from planvalidator import __version__

    rules = rendered_rules(next((o.report for o in outcomes if o.report is not None), None))
    index = {r.code: i for i, r in enumerate(rules)}
    results, notifications = [], []
    for outcome in outcomes:
        if outcome.report is None:
            notifications.append({
                "level": "error",
                "message": {"text": outcome.error or "チェックできませんでした"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(outcome.file)}}}],
                "descriptor": {"id": "cannot-check"},
            })
            continue
        report = outcome.report
        prints = fingerprints(report.findings, report.template)
        for finding, fingerprint in zip(report.findings, prints):
            results.append(result(finding, report, fingerprint, index.get(finding.rule)))
    successful = not notifications and not any(o.report.incomplete for o in outcomes if o.report is not None)
    invocation = {"executionSuccessful": successful}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "planvalidator",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [descriptor(r) for r in rules],
            }},
            "invocations": [invocation],
            "results": results,
        }],
    }


def rendered_rules(report=None) -> list:
    """Every rule of the catalogue, its texts filled with the program's values: those of the checked
    workbook's program when there is one, else of the newest template version (as ``planvalidator rules``)."""
    from planvalidator import rules as catalogue
    from planvalidator.layout import known_layouts
    from planvalidator.program import load_program

    program = layout = None
    if report is not None and report.context is not None and report.plan is not None:
        program, layout = report.context.program, report.plan.layout
    else:
        layout = next((l for l in known_layouts() if report is None or l.template == report.template), None)
        if layout is not None:
            try:
                program = load_program(layout.folder)
            except Exception:  # noqa: BLE001 — the texts unrendered rather than no SARIF at all
                program = None
    rules = catalogue.all_rules()
    return [r.rendered(program, layout) for r in rules] if program is not None else rules


def descriptor(rule) -> dict:
    """A rule as a SARIF reportingDescriptor."""
    help_text = f"{rule.doc}\n\n出典: {rule.reference}"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.brief},
        "fullDescription": {"text": rule.doc},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"family": rule.family, "reference": rule.reference, "tags": ["planvalidator", rule.family]},
    }


def result(f: Finding, report, fingerprint: str, rule_index: int | None) -> dict:
    where = f.where
    location: dict = {"physicalLocation": {
        "artifactLocation": {"uri": artifact_uri(report.file)},
        # GitHub shows no alert without a region: a finding without a cell is put on line 1
        "region": {"startLine": f.row, "startColumn": f.column} if f.row and f.column else {"startLine": 1},
    }}
    if where:
        location["logicalLocations"] = [{"name": where, "kind": "element",
                                         "fullyQualifiedName": qualified(report.file, f)}]
    r = {
        "ruleId": f.rule,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.message}（{where}）" if where else f.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {"name": f.name, "sheet": f.sheet, "cell": f.cell, "field": f.field,
                       "reference": f.reference, "value": plain(f.value), "expected": plain(f.expected),
                       "attachment": f.attachment, "template": report.template},
    }
    if rule_index is not None:
        r["ruleIndex"] = rule_index
    if f.fix is not None:
        r["fixes"] = [fix(f, report)]
    if f.accepted is not None:
        # the reviewer's mark is in the workbook itself (its チェック結果 sheet; annotate --accept writes it
        # there too), so the suppression is in the analysed artifact: inSource, not external
        r["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": f.accepted}]
    return r


def fix(f: Finding, report) -> dict:
    """A finding's fix as a SARIF fix: each edited cell a replacement of that cell's region."""
    from planvalidator.address import parse_a1

    replacements = []
    for e in f.fix.edits:
        row, col = parse_a1(e.cell) or (1, 1)
        replacements.append({
            "deletedRegion": {"startLine": row, "startColumn": col, "endLine": row, "endColumn": col + 1},
            "insertedContent": {"text": e.formula if e.formula is not None else str(plain(e.value))},
            "properties": {"sheet": e.sheet, "cell": e.cell, "formula": e.formula is not None},
        })
    return {"description": {"text": f.fix.summary or "planvalidator fix"},
            "artifactChanges": [{"artifactLocation": {"uri": artifact_uri(report.file)}, "replacements": replacements}],
            "properties": {"safety": f.fix.safety}}


def fingerprints(findings: list[Finding], template: str) -> list[str]:
    """A stable identity for each finding: sha256 of the rule, the template version, the sheet, the
    field (the layout key, not the cell: a row inserted above moves the cell, not the finding), the
    attachment and the value read; findings alike in all of these (two empty rows of the same table)
    are told apart by their order."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        key = json.dumps([f.rule, template, f.sheet, f.field, f.attachment, plain(f.value)],
                         ensure_ascii=False, sort_keys=True, default=str)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(hashlib.sha256(f"{key}#{n}".encode()).hexdigest())
    return out


def artifact_uri(path: str) -> str:
    """The workbook as a URI reference: a relative path as given (forward slashes, percent-encoded
    where a URI needs it; an absolute path under the current folder made relative to it), another
    absolute path as a file: URI."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    text = str(PurePosixPath(*p.parts)) if p.parts else str(path)
    return quote(text.replace("\\", "/"), safe="/-._~!$&'()*+,;=:@")


def qualified(file: str, f: Finding) -> str:
    """The cell as Excel writes a reference into another workbook: 「'[book.xlsx]計画様式7'!J9」."""
    book = Path(file).name
    if f.sheet and f.cell:
        return f"'[{book}]{f.sheet}'!{f.cell}"
    return f"[{book}]{f.where}"
