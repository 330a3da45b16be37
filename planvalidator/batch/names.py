"""The names of an application's annotated copy: from the application's name, unique in the intake, and safe
as a file name on every system."""

from __future__ import annotations

from pathlib import Path

from planvalidator.intake import Source


def annotated_stems(sources: list[Source]) -> dict[str, str]:
    """The name each application's annotated copy starts with: its name without .zip / .xlsx, or, when two
    applications would share it (a folder 「A社」 and 「A社.zip」), its whole name."""
    from collections import Counter

    stems = {s.id: file_name(Path(s.id).stem if s.kind in ("workbook", "zip") else s.id) for s in sources}
    twice = {stem for stem, n in Counter(stems.values()).items() if n > 1}
    return {id: file_name(id).replace(".", "_") if stem in twice else stem for id, stem in stems.items()}


def file_name(text: str) -> str:
    """A name as a file can carry it on every system: control characters and 「\\ / : * ? " < > |」 as 「_」."""
    import re
    return re.sub(r'[\x00-\x1f\x7f\\/:*?"<>|]', "_", text).strip(" .") or "_"


def annotated_name(stem: str, workbook: str) -> str:
    """The annotated copy's file name: the application's stem, then _チェック結果, the workbook's suffix."""
    from planvalidator.annotate import SUFFIX

    return f"{stem}{SUFFIX}{Path(workbook).suffix.lower()}"
