"""The lazy regular expressions (planvalidator.patterns) answer as the compiled patterns they stand for."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from python_calamine import CalamineWorkbook

from planvalidator.patterns import LazyPattern, lazy

EXAMPLE = Path(__file__).resolve().parent.parent / "templates" / "r7" / "kinyurei-r7.xlsx"
MODULES = ["attachments", "datacache", "formula", "japanese", "keywords", "normalize", "places",
           "rules.cells", "xmltree"]


def _texts() -> list[str]:
    """Every cell of the 記入例 as text, and a few a clean check never has (dates, corporate forms)."""
    book = CalamineWorkbook.from_path(str(EXAMPLE))
    texts = {str(v) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python()
             for v in row if v not in ("", None)}
    return sorted(texts) + ["令和6年3月期 決算書", "2024年分 確定申告書", "第12期", "株式会社ノート PC（本体）、",
                            '=SUM(計画様式7!M9:M20)&"円"', "石川県能美郡川北町", "金沢市 1,234.5", "  "]


def _lazy_patterns():
    for name in MODULES:
        module = importlib.import_module(f"planvalidator.{name}")
        for attr, value in vars(module).items():
            if isinstance(value, LazyPattern):
                yield f"{name}.{attr}", value


def test_each_lazy_pattern_matches_as_its_compiled_pattern():
    texts = _texts()
    found = list(_lazy_patterns())
    assert len(found) >= 20
    for where, pattern in found:
        compiled = re.compile(*pattern._source)
        for text in texts:
            subject = text.encode("utf-8") if isinstance(compiled.pattern, bytes) else text
            assert ([m.span() for m in pattern.finditer(subject)] == [m.span() for m in compiled.finditer(subject)]), where
            assert bool(pattern.fullmatch(subject)) == bool(compiled.fullmatch(subject)), where
            assert pattern.sub("", subject) == compiled.sub("", subject), where
        assert (pattern.pattern, pattern.flags, pattern.groups) == (compiled.pattern, compiled.flags, compiled.groups)


def test_a_lazy_pattern_compiles_once_then_is_the_compiled_patterns_methods():
    pattern = lazy(r"第(\d{1,3})期")
    assert "match" not in vars(pattern)
    assert pattern.match("第3期").group(1) == "3"
    assert vars(pattern)["match"].__self__ is vars(pattern)["fullmatch"].__self__     # one compiled pattern
    assert isinstance(vars(pattern)["match"].__self__, re.Pattern)
