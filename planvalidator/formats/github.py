"""GitHub Actions workflow commands: an annotation per open finding, shown on the run and the pull request.

    ::error file=templates/r7/invalid/wrong-amount.xlsx,line=9,col=10,title=PV201 amount-mismatch::「金額…」… (計画様式7!J9, 計画様式7 助成対象経費明細…)

errors → ``::error``, warnings → ``::warning``, info → ``::notice``; line and col are the Excel row and
column (left out for a finding without a cell). Accepted (確認済み) findings do not count and are not
annotated. A file that could not be checked is one ``::error`` with the Japanese line.
Escaped as GitHub's runner expects: in the message % CR LF (%25 %0D %0A), in the properties also : and ,
(%3A %2C).
"""

from __future__ import annotations

from typing import IO

from planvalidator.findings import Severity

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{name} {props}::{escape_data(message)}" if props else f"::{name}::{escape_data(message)}"


def write(outcomes, out: IO[str], *, color=None) -> None:
    for outcome in outcomes:
        path = outcome.file.replace("\\", "/")
        if outcome.report is None:
            out.write(command("error", outcome.error or "チェックできませんでした", file=path,
                              title="チェックできません") + "\n")
            continue
        for f in outcome.report.open_findings:
            where = ", ".join(part for part in (f.where, f.reference) if part)
            message = f"{f.message} ({where})" if where else f.message
            out.write(command(COMMAND[f.severity], message, file=path, line=f.row, col=f.column,
                              title=f"{f.rule} {f.name}") + "\n")
