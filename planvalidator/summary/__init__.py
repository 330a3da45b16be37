"""What a batch (``planvalidator batch``) leaves for ISICO staff: one row per application, every
finding, counts by rule — as a workbook (openpyxl) or as csv / json / jsonl. A registry of
writers, one module each, like :mod:`planvalidator.formats`.

:class:`Application` is the one shape every writer reads, and what the batch cache stores (JSON).
"""

from __future__ import annotations

import json as _json      # (the name json is the json writer's module once it is imported)
import math
import sys
from importlib import import_module
from pathlib import Path

from planvalidator.structs import Struct, asdict, field

FORMATS = {
    "xlsx": "planvalidator.summary.xlsx",     # 受付チェック.xlsx: 申請一覧, 指摘一覧, 規則別件数 (with a chart)
    "csv": "planvalidator.summary.csv",       # 申請一覧 as CSV (UTF-8 with BOM, so Excel reads the Japanese)
    "json": "planvalidator.summary.json",     # {"applications": [...], "rules": [...]}
    "jsonl": "planvalidator.summary.jsonl",   # one application per line
}


CANNOT_CHECK = "チェックできません"       # the verdict of an application that could not be checked


class Application(Struct):
    """What one application of an intake came to. Plain data (JSON round-trips it)."""
    id: str                                   # its name in the intake: the subfolder, the zip or the workbook file
    source: str                               # the folder / zip / workbook it came from
    workbook: str | None = None               # the 事業計画書 inside it (None: none found)
    attachments: list[str] = field(default_factory=list)     # the other files (PDFs …), names inside the application
    error: str | None = None                  # why it could not be checked (one Japanese line); None when checked
    template: str | None = None               # r7 …
    verdict: str | None = None                # 要修正 / 確認してください / 問題は見つかりませんでした / チェック未完了 / チェックできません
    applicant: str | None = None              # 名称（法人名・屋号）
    city: str | None = None                   # 所在地の市町 (「金沢市」), None when the address does not say
    category: str | None = None               # 事業区分 as written
    project_name: str | None = None           # 助成事業名
    eligible: float | None = None             # 助成対象経費 (計算し直した値)
    requested: float | None = None            # 助成金申請額
    cap: int | None = None                    # the category's 限度額
    limit: int | None = None                  # the most that can be requested (対象経費 × 助成率, up to the cap)
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    accepted: int = 0
    missing_documents: list[str] = field(default_factory=list)   # names of the required documents not found
    findings: list[dict] = field(default_factory=list)           # Finding.to_dict() each (open and accepted)
    annotated: str | None = None              # the annotated copy written (--annotate DIR)
    reused: bool = False                      # taken from the cache of an earlier run (not stored in it)
    fingerprint: str | None = None            # a digest of the application's files (names and bytes), this run's:
                                              # staff notes carried over are marked 変更あり when it changed

    @property
    def top_findings(self) -> list[dict]:
        """The three most serious open findings (errors first, then in the workbook's order)."""
        order = {"error": 0, "warning": 1, "info": 2}
        open_ = [f for f in self.findings if not f.get("accepted")]
        return sorted(open_, key=lambda f: order.get(f["severity"], 3))[:3]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Application":
        names = cls.__struct_fields__
        return cls(**{k: v for k, v in d.items() if k in names})


# what is only the run's (not the application's result): left out of the JSON and of the cache
RUN_FIELDS = ("reused", "fingerprint")


class Run(Struct):
    """What the summary says of the run itself (its cover, 受付の概要): when, over which intake, under
    which program; what a summary of the same intake written before holds (staff's notes)."""
    started: object = None                    # datetime (aware); None: now
    intake: str | None = None                 # the intake folder as given
    program: str | None = None                # the program (and course) the applications were checked under
    skipped: list[str] = field(default_factory=list)     # files of the intake that are not applications
    previous: object = None                   # planvalidator.summary.staff.Previous: the summary written before


def program_text(program: str | None, applications) -> str:
    """The program and course the applications were checked under (``program``: --program), as the cover names them."""
    from planvalidator.profiles import of_template, profile_of

    if program:
        profile = profile_of(program)
        key = program.partition(":")[2]
        course = f"（{profile.courses[key].name}）" if key else "（コースは申請ごとの事業区分から）"
        return f"{profile.name}{course}（--program {program}）"
    names = []
    for template in sorted({a.template for a in applications if a.template}):
        for found in of_template(template):
            if found.name not in names:
                names.append(found.name)
    return "、".join(names) + "（コースは申請ごとの事業区分から）" if names else "—"


def rule_counts(applications: list[Application]) -> list[dict]:
    """Open findings counted by rule, the most frequent first: {rule, name, severity, findings, applications}."""
    counts: dict[str, dict] = {}
    for app in applications:
        seen = set()
        for f in app.findings:
            if f.get("accepted"):
                continue
            c = counts.setdefault(f["rule"], {"rule": f["rule"], "name": f["name"], "severity": f["severity"],
                                              "findings": 0, "applications": 0})
            c["findings"] += 1
            if f["rule"] not in seen:
                seen.add(f["rule"])
                c["applications"] += 1
    return sorted(counts.values(), key=lambda c: (-c["findings"], c["rule"]))


# --- the JSON shape shared by the json and jsonl writers ------------------------------------

# JSON allows these raw inside strings, but they end lines for some readers (str.splitlines, JavaScript)
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def application_object(app: Application) -> dict:
    """One application as the JSON writers give it: its fields, its three most serious findings."""
    d = app.to_dict()
    d.pop("fingerprint", None)                # the run's, not the result's: the JSON stays as it was
    d["top_findings"] = app.top_findings
    return finite(d)


def finite(value):
    """NaN and infinities (not JSON) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value, **kwargs) -> str:
    """JSON text, UTF-8 not escaped, with the characters some readers take for line ends escaped."""
    text = _json.dumps(value, ensure_ascii=False, allow_nan=False, default=str, **kwargs)
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)      # only ever inside strings
    return text


def emit(text: str, out: Path | None) -> None:
    """``text`` to ``out`` (atomically, UTF-8), or to stdout when ``out`` is None."""
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from planvalidator.atomic import write_bytes

        write_bytes(out, text.encode("utf-8"))


def write(name: str, applications: list[Application], out: Path | None, run: Run | None = None) -> None:
    """Write the summary in format ``name`` to ``out`` (a path; None = stdout for the text formats);
    ``run``: what the workbook's cover says of the run (the other formats are the applications alone)."""
    import_module(FORMATS[name]).write(applications, out, run)
