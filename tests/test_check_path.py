"""Nothing on the check path that the check does not need (issue 24): a clean check imports neither
rich nor python-stdnum nor japanera, and what replaced them computes what they did."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import subprocess
import sys

import pytest

from support.helpers import EXAMPLE, ROOT
from planvalidator import normalize, predicates, wareki
from planvalidator.engine import Report
from planvalidator.findings import Finding, Severity
from planvalidator.formats import Outcome, text

HEAVY = ("rich", "stdnum", "japanera", "ssl", "pydoc")   # (socket: pydantic imports importlib.metadata)

# a fresh process: the CLI's check, then which of HEAVY it imported
PROBE = f"""
import sys
from planvalidator.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("MODULES", " ".join(sorted({{name.split('.')[0] for name in sys.modules}} & {set(HEAVY)!r})))
"""


def _modules_after(*args: str) -> tuple[str, set[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)
    out, _, last = done.stdout.rpartition("MODULES")
    return out, set(last.split())


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_clean_check_imports_no_rich_stdnum_or_japanera(fmt):
    out, heavy = _modules_after("check", "--format", fmt, str(EXAMPLE))
    assert heavy == set(), heavy
    if fmt == "json":
        assert json.loads(out)["summary"] == {"error": 0, "warning": 0, "info": 0}
    else:
        assert out.strip().endswith("問題は見つかりませんでした")


def test_a_table_is_still_drawn_by_rich():
    f = Finding("PV503", "thin-section", Severity.INFO, "計画様式3", "B5", "[/] 済", "3.(1)")
    out = io.StringIO()
    text.write([Outcome("a.xlsx", Report(file="a.xlsx", template="r7", findings=[f]))], out, color=False)
    assert "[/] 済" in out.getvalue() and "PV503" in out.getvalue()
    assert "rich" in sys.modules


@pytest.mark.parametrize("report", [
    Report(file="templates/r7/kinyurei-r7.xlsx", template="r7", findings=[]),
    Report(file="申請/" + "長い名前" * 30 + ".xlsx", template="r7", findings=[]),        # wider than 160: rich wraps it
    Report(file="a\tb.xlsx", template="r7", findings=[]),
    Report(file="[bold]x[/].xlsx", template="r7", findings=[]),
])
@pytest.mark.parametrize("color", [None, False, True])
def test_the_plain_lines_are_what_rich_printed(report, color, monkeypatch):
    outcomes = [Outcome(report.file, report)]
    fast = io.StringIO()
    text.write(outcomes, fast, color=color)
    monkeypatch.setattr(text, "_plain_lines", lambda outcomes, columns: None)
    drawn = io.StringIO()
    text.write(outcomes, drawn, color=color)
    assert fast.getvalue() == drawn.getvalue()


# --- 法人番号 --------------------------------------------------------------------

def _numbers() -> list[str]:
    rng = random.Random(24)
    bases = [f"{rng.randrange(10 ** 12):012d}" for _ in range(3000)] + ["200001012345", "000000000000", "999999999999"]
    return ["1200001012345", "1200001012346", "120000101234", "12000010123456", "１２００００１０１２３４５",
            "1200-0010-1234-5", "12000010a2345"] + [str(d) + b for b in bases[:300] for d in range(10)] + bases


def test_the_corporate_check_digit_is_stdnums():
    cn = pytest.importorskip("stdnum.jp.cn")
    for number in _numbers():
        if len(number) == 12:
            assert predicates.corporate_check_digit(number) == cn.calc_check_digit(number), number
        else:
            compact = number.replace("-", "")
            expected = len(normalize.canon(compact)) == 13 and cn.is_valid(normalize.canon(compact))
            assert predicates.is_corporate_number(number) == expected, number
    assert predicates.is_corporate_number("1200001012345") and not predicates.is_corporate_number("1200001012346")


# --- 和暦 --------------------------------------------------------------------

def _japanera_era(text: str, formats) -> dt.date | None:
    """normalize._era as it was: japanera alone."""
    return normalize._japanera(normalize._era_text(text), formats)


def _era_texts() -> list[str]:
    years = ["0", "00", "1", "01", "元", "2", "7", "07", "14", "15", "16", "30", "31", "32", "63", "64", "65", "99",
             "007"]
    months = ["0", "1", "01", "4", "5", "7", "12", "13", "010"]
    days = ["0", "1", "01", "7", "8", "24", "25", "29", "30", "31", "32"]
    rng = random.Random(24)
    texts = []
    for era in ("令和", "平成", "昭和", "大正", "明治", "R", "H", "r", "h", "S", "T"):
        for y in years:
            for m in months:
                for d in rng.sample(days, 4):
                    texts.append(f"{era}{y}年{m}月{d}日")
                    if era.isascii():
                        sep = rng.choice("./-")
                        texts += [f"{era}{y}{sep}{m}{sep}{d}", f"{era}{y}.{m}/{d}"]
    return texts + ["令和7年10月1日x", "2025年10月1日", "R6.3", "令和6年3月", "R7年10月1日", "H31.4.30", "H31.5.1",
                    "S64.1.7", "S64.1.8", "T15.12.24", "大正15年12月25日", "昭和64年1月8日"]


def test_the_era_dates_are_japaneras_but_a_letter_means_a_modern_era():
    """The same dates as japanera, except where japanera took 「R」「H」 for an era of centuries ago
    (「R1.12.30」: 霊亀元年, 715) although the day is one of 令和 or 平成: that day is meant."""
    pytest.importorskip("japanera")
    full = normalize._ERA_KANJI + normalize._ERA_LETTER
    modern = 0
    for raw in _era_texts():
        text = normalize.nfkc(raw)
        ours, theirs = normalize._era(text, normalize._ERA_FULL), _japanera_era(text, full)
        if ours != theirs:
            assert raw[0] in "RHrh" and theirs.year < 1912 and ours.year >= 1989, (raw, ours, theirs)
            modern += 1
    assert modern and normalize.to_date("R1.12.30") == dt.date(2019, 12, 30)
    assert normalize.to_date("R元/5/7") == dt.date(2019, 5, 7) == normalize.to_date("令和元年5月7日")


def test_the_era_year_of_a_day_is_japaneras():
    from japanera import EraDate

    days = [dt.date(1912, 7, 30) + dt.timedelta(days=n) for n in range(0, 43000, 37)]
    for first, _name, _letter in wareki.ERAS:
        days += [first - dt.timedelta(days=1), first, first + dt.timedelta(days=1)]
    days += [dt.date(1900, 1, 1), dt.date(1912, 7, 29)]
    for day in days:
        era = EraDate.from_date(day)
        number = int(era.strftime("%-y"))
        assert wareki.wareki_year(day) == f"{era.strftime('%-K')}{'元' if number == 1 else number}年", day


def test_xml_unescape_is_saxutils():
    from xml.sax.saxutils import unescape

    from planvalidator.sheetxml import _CHAR_REF, _xml_unescape

    for raw in ["a &lt;b&gt; &amp;amp; &quot;c&quot; &apos;d&apos;", "&#38;lt;", "&amp;lt;", "&#x41;&#66;&#0;", "&foo;",
                "&lt;&gt;&amp;&quot;&apos;" * 3]:
        chars = _CHAR_REF.sub(lambda m: chr(int(m.group(1)[1:], 16) if m.group(1)[0] in "xX" else int(m.group(1)))
                              if 0 < (int(m.group(1)[1:], 16) if m.group(1)[0] in "xX" else int(m.group(1))) < 0x110000
                              else m.group(0), raw)
        assert _xml_unescape(raw) == unescape(chars, {"&quot;": '"', "&apos;": "'"}), raw


def test_a_keyword_set_answers_the_same_before_and_after_its_alternation_is_compiled():
    from planvalidator.expense_vocabulary import vocabulary
    from planvalidator.keywords import _ASKED_BEFORE_COMPILING, KeywordSet
    from planvalidator.program import load_program

    spec = load_program(ROOT / "schemas" / "r7").spec.keywords.general_purpose
    words = KeywordSet.of(vocabulary(), spec.categories)         # (a set of its own: not yet asked)
    literals = [t for g in words.groups for t in g.terms + g.models][:15]
    texts = (["", "会場費", "外注 デザイン費", "ノートパソコン 1台", "ﾉｰﾄﾊﾟｿｺﾝ", "展示会の出展料"] + literals
             + [t.upper() + " の購入" for t in literals] + [t[:-1] for t in literals if len(t) > 1])
    texts = (texts * (_ASKED_BEFORE_COMPILING // len(texts) + 1))[:_ASKED_BEFORE_COMPILING]
    one_by_one = [words.could_match(t) for t in texts]
    assert words.literals._any is None and any(one_by_one) and not all(one_by_one)
    words.could_match("")                                   # the alternation is compiled now
    assert words.literals._any is not None and [words.could_match(t) for t in texts] == one_by_one


def test_literals_found_by_their_first_two_characters_are_those_found_one_by_one():
    """Before the alternation is compiled, only the literals beginning with two characters of the text
    that follow each other are looked for: the same answer as each literal looked for in it, for literals
    shorter than two characters too (an empty one is in every text)."""
    from planvalidator.keywords import Literals, bare

    texts = ["", "a", "ab", "ノートパソコン", "のーとぱそこん 2台", "パソ", "x会場費", "費", "abcabd", "ｂｃ"]
    for literals in (["ノートパソコン", "パソコン", "会場", "bc", "cab"], ["a", "会場費"], ["", "zz"], []):
        one_by_one = [any(literal in bare(t) for literal in literals) for t in texts]
        assert [Literals.of(literals)._found_by_start(bare(t)) for t in texts] == one_by_one, literals
