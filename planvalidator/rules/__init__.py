"""The rule catalogue: each rule one small unit with a stable code, a name, a severity and a doc.

Codes group by family, like ruff's:

| family     | codes  | what                                                       |
|------------|--------|------------------------------------------------------------|
| form       | PV0xx  | the workbook's form: required, types, choices, formats     |
| expenses   | PV1xx  | each row of 計画様式7                                       |
| money      | PV2xx  | arithmetic, rates and caps                                  |
| applicant  | PV3xx  | who may apply                                               |
| documents  | PV4xx  | required documents                                          |
| content    | PV5xx  | what the plan says                                          |
| internal   | PV9xx  | the checker itself (a rule that failed)                     |
"""

from __future__ import annotations

from planvalidator.rules.base import (  # noqa: F401 (the catalogue's names, as callers know them)
    FAMILIES,
    IMPLEMENTATIONS,
    MAX_MESSAGE,
    REGISTRY,
    RULE_FAILED,
    SCHEMA_RULES,
    Rule,
    define,
    implements,
    run,
)


def load_all() -> None:
    """Import every family module so that their rules register (once: a check asks through :func:`get`
    and :func:`all_rules` some 60 times, and each import statement looks its 11 names up again)."""
    global _loaded
    if _loaded:
        return
    from planvalidator.rules import (  # noqa: F401
        applicant,
        applicant_figures,
        attachment_periods,
        attachments,
        cells,
        content,
        documents,
        expense_limits,
        expenses,
        form,
        money,
    )
    _loaded = True


_loaded = False


def get(code_or_name: str) -> Rule | None:
    load_all()
    key = code_or_name.strip()
    return REGISTRY.get(key.upper()) or next((r for r in REGISTRY.values() if r.name == key), None)


def all_rules() -> list[Rule]:
    load_all()
    return sorted(REGISTRY.values(), key=lambda r: r.code)
