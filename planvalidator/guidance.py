"""What a finding says to the applicant beyond its message: the field's Japanese name, the cell as they wrote
it, what to change — and, for the file, what comes next. Every output (text, JSON, the results sheet, the
Excel button, the check page) reads these from the findings and the report, so they all say the same.

- :func:`described`: the findings with ``label`` (「計画様式7 経費明細 No.1 発注予定日」, from the layout's
  labels and the row's No), ``written`` (「令和7年7月1日」) and ``advice`` (the rule's, rendered for the program);
- :func:`next_steps`: the 提出書類 this applicant attaches, how to submit, what only the reviewers judge
  (program data: program.yaml ``documents``, ``attachments.required`` and ``next_steps``; a profile's document
  for another program).
"""

from __future__ import annotations

import datetime as dt

from planvalidator.address import col_letter, parse_a1
from planvalidator.context import Context
from planvalidator.findings import Finding
from planvalidator.plan import Plan
from planvalidator.structs import replace
from planvalidator.wareki import wareki_date

MAX_WRITTEN = 200          # characters of a cell's text quoted as what was written


def described(findings: list[Finding], plan: Plan, context: Context) -> list[Finding]:
    """``findings`` with their field's name, the value as written and the rule's advice filled in."""
    from planvalidator import rules

    advice: dict[str, str] = {}
    out = []
    for f in findings:
        if f.rule not in advice:
            rule = rules.get(f.rule)
            advice[f.rule] = rule.rendered(context.program, plan.layout).advice if rule is not None else ""
        out.append(replace(f, label=field_label(plan, f.sheet, f.cell, f.field), written=written(plan, f.sheet, f.cell),
                           advice=advice[f.rule]))
    return out


def field_label(plan: Plan, sheet: str | None, cell: str | None, key: str | None) -> str | None:
    """The Japanese name of the field a layout key names: 「計画様式1 申請者 郵便番号」 for a field,
    「計画様式7 経費明細 No.1 発注予定日」 for a table cell (the record from its fixed column, else its row);
    None when the key is not the layout's."""
    if not key:
        return None
    parts = key.split(".")
    try:
        spec = plan.layout.sheet(parts[0])
    except StopIteration:
        return None
    name = sheet or plan.actual(spec.key)
    if len(parts) == 2:
        found = next((f for f in spec.fields if f.name == parts[1]), None)
        if found is None:
            return None
        return " ".join([name, *found.section[:1], found.labels[0]])
    if len(parts) != 3:
        return None
    table = next((t for t in spec.tables if t.name == parts[1]), None)
    column = table and next((c for c in table.columns if c.name == parts[2]), None)
    if column is None:
        return None
    title = table.title or (table.section[0] if table.section else None)
    return " ".join(x for x in (name, title, _record(plan, spec.key, table, cell), column.labels[0]) if x)


def _record(plan: Plan, sheet_key: str, spec, cell: str | None) -> str | None:
    """Which record of a table a cell is in, as the template names it: 「No.1」, 「1年目」, 「合計」, else 「12行目」."""
    rc = parse_a1(cell) if cell else None
    t = plan.table(sheet_key, spec.name)
    if rc is None or t is None:
        return None
    number = rc[0] if t.records == "rows" else rc[1]
    if number == t.total_record:
        return "合計"
    grid = plan.grid.sheets.get(plan.actual(sheet_key))
    fixed = next((c for c in spec.columns if c.fixed and c.name in t.positions), None)
    if grid is not None and fixed is not None:
        position = t.positions[fixed.name]
        value = grid.shown(number, position) if t.records == "rows" else grid.shown(position, number)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
            return f"No.{int(value)}"
        if isinstance(value, str) and value.strip():
            return value.strip()
    return f"{number}行目" if t.records == "rows" else f"{col_letter(number)}列"


def written(plan: Plan, sheet: str | None, cell: str | None) -> str | None:
    """What the cell shows as the applicant wrote it: their text as typed, a date in 和暦 (as the template and
    the 公募要領 write them), a whole number with its thousands separator; None for an empty cell or no cell."""
    rc = parse_a1(cell) if cell else None
    grid = plan.grid.sheets.get(sheet) if sheet else None
    if rc is None or grid is None:
        return None
    typed = plan.typed_as_text.get((sheet, cell))
    value = typed if typed is not None else grid.shown(*rc)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return wareki_date(value.date()) if value.time() == dt.time() else f"{wareki_date(value.date())} {value:%H:%M}"
    if isinstance(value, dt.date):
        return wareki_date(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.15g}"
    text = str(value).strip()
    return text if len(text) <= MAX_WRITTEN else text[:MAX_WRITTEN - 1] + "…"


def next_steps(plan: Plan, context: Context) -> dict:
    """{"documents": [...], "submit": "...", "reviewers": [...]} — what this applicant does after the check."""
    from planvalidator.rules.documents import to_attach

    documents = to_attach(plan, context)
    course = context.course
    own = context.program.spec.get("profile")
    if course is not None and own and course.profile != own:          # another program: its own document says
        from planvalidator import profiles

        profile = profiles.profile(course.profile)
        issuer = profile.issuer if profile is not None and profile.issuer else "制度の窓口"
        title = profile.title if profile is not None else course.profile
        return {"documents": documents,
                "submit": f"提出方法・提出先・期限は {issuer} の資料（{title}）で確かめて、その方法で提出します。",
                "reviewers": [f"採否と助成額は {issuer} が資料（{title}）の審査の基準で判断します。"
                              "planvalidator は記入と金額と要件を確かめるだけです。"]}
    steps = context.program.next_steps
    if steps is None:
        return {"documents": documents,
                "submit": f"提出方法は {context.program.name} の公募要領で確かめてください。", "reviewers": []}
    return {"documents": documents, "submit": steps.submit, "reviewers": list(steps.reviewers)}
