"""Program profiles (schemas/programs/): each one loads, `planvalidator programs` lists them, and every
limit a profile defines is tested at and just past its document's own figure, on the 記入例 checked
under that program (`--program`)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from support.helpers import EXAMPLE, edit, hits
from planvalidator.cli import main
from planvalidator.engine import Options, check, check_file
from planvalidator.profiles import ProfileError, load_profile, profiles, resolve
from planvalidator.reader import read
from planvalidator.rules.applicant_figures import price_increase

F7, F8 = "計画様式7", "計画様式8"
SEEDS = {"shinseihin": "001_c24a302fdf321092.txt", "challenge-special": "000_428af712e10b4501.txt",
         "kengai-monozukuri": "002_47dc9becd1ac5996.txt", "kofukakachi": "004_51a784fa24e7dd2f.txt",
         "kanazawa-shinseihin": "003_43386e5738d85651.txt", "kanazawa-kaigai": "003_43386e5738d85651.txt"}
# every row of the 記入例's expense table but the first emptied: a plan of one line (row 6) of 1 × I6 円
ONE_LINE = {F7: {f"{col}{row}": None for row in range(7, 18) for col in "CDEFGHIKLM"}}


def limited(report, name: str) -> set:
    """The PV213 findings of one kind of expense (by its name in the message)."""
    return {(f.sheet, f.cell, f.severity.value) for f in report.findings if f.rule == "PV213" and name in f.message}


def under(program, edits=None, tmp_path=None, **kw):
    """The 記入例 (with ``edits``) checked under ``program``."""
    path = EXAMPLE if not edits else edit(EXAMPLE, tmp_path / "plan.xlsx", edits)
    return check(read(path), Options(course=program), **kw)


def test_every_profile_loads_with_a_source_for_every_figure():
    known = profiles()
    assert set(SEEDS) <= set(known)
    for profile in known.values():
        assert profile.courses and profile.document.endswith(".txt") and profile.title
        for course in profile.courses.values():
            assert {"rate", "cap"} <= set(course.sources) and all(course.sources.values())
            assert all(limit.source for limit in course.item_limits)
    for pid, seed in SEEDS.items():
        assert known[pid].document == seed


def test_the_programs_command_lists_each_profile_with_its_figures_and_document():
    result = CliRunner().invoke(main, ["programs"])
    assert result.exit_code == 0
    for pid in SEEDS:                               # each profile by its id and its document's title (not the file)
        assert pid in result.output and f"資料: {profiles()[pid].title}" in result.output
    assert ".txt" not in result.output
    data = json.loads(CliRunner().invoke(main, ["programs", "--format", "json"]).output)
    assert {p["id"]: p["document"] for p in data} == SEEDS      # the machine's JSON keeps the source file
    assert "--program kofukakachi:main" in result.output and "EC・HP制作費 500,000 円 まで" in result.output
    data = json.loads(CliRunner().invoke(main, ["programs", "--format", "json"]).output)
    kofu = next(p for p in data if p["id"] == "kofukakachi")["courses"][0]
    assert (kofu["rate"], kofu["cap"]) == ([2, 3], 1000000)


def test_the_default_course_is_the_one_the_workbook_names():
    report = check_file(EXAMPLE)
    assert report.context.course.id == "shinseihin:7" and report.findings == []


def test_an_unknown_program_or_course_is_one_line_and_exit_2():
    for name, words in (("nope", "制度「nope」はありません"), ("challenge-special", "4 のコースがあります"),
                        ("kofukakachi:x", "コース「x」はありません")):
        result = CliRunner().invoke(main, ["check", "--program", name, str(EXAMPLE)])
        assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output


def test_a_wrong_profile_is_one_line_naming_the_file_and_key(tmp_path):
    source = profiles()["kofukakachi"].path.read_text(encoding="utf-8")
    bad = tmp_path / "kofukakachi.yaml"
    bad.write_text(source.replace("rate: {value: [2, 3]", 'rate: {value: "2/3"', 1), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(bad)
    assert "kofukakachi.yaml の courses.main.rate.value" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_validated_profile_is_remembered_and_a_damaged_entry_made_again(tmp_path, monkeypatch):
    """pydantic runs once per profile content (planvalidator.program.store): the second load reads the values
    it validated; a damaged cache entry is validated and written again, a changed file validated (and refused)."""
    from planvalidator import profiles as module

    path = tmp_path / "kofukakachi.yaml"
    path.write_bytes(profiles()["kofukakachi"].path.read_bytes())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fresh = load_profile(path)
    entries = list((tmp_path / "cache" / "planvalidator").glob("profile-*.json"))
    assert len(entries) == 1
    with monkeypatch.context() as m:
        m.setattr(module, "_models", lambda: pytest.fail("validated again"))
        assert load_profile(path) == fresh
    for damaged in ("{", '{"values": {}}', '{"__file__": "x", "values": {}}', "[]"):
        entries[0].write_text(damaged, encoding="utf-8")
        assert load_profile(path) == fresh
        assert entries[0].read_text(encoding="utf-8") != damaged           # made again
    path.write_text(path.read_text(encoding="utf-8").replace("rate: {value: [2, 3]", 'rate: {value: "2/3"', 1),
                    encoding="utf-8")
    with pytest.raises(ProfileError, match="courses.main.rate.value"):
        load_profile(path)


WARM_CHECK = """
import sys
import planvalidator.profiles as profiles
loaded = []
load = profiles.load_profile
profiles.load_profile = lambda path: (loaded.append(path.stem), load(path))[1]
from planvalidator.engine import check_file
report = check_file(sys.argv[1])
print(len(report.findings), ",".join(loaded), "pydantic" in sys.modules)
"""


def test_a_check_with_a_warm_cache_imports_no_pydantic_and_loads_only_its_templates_profile(tmp_path):
    """A second process checking the 記入例 (no --program) takes program.yaml and its profile from the cache:
    pydantic is not imported, and no profile but the template's (shinseihin, r7) is loaded."""
    import os
    import subprocess
    import sys

    import planvalidator

    root = str(Path(planvalidator.__file__).parent.parent)               # this checkout, not another install
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}
    runs = [subprocess.run([sys.executable, "-c", WARM_CHECK, str(EXAMPLE)], capture_output=True, text=True,
                           env=env, check=True).stdout.split() for _ in range(2)]
    assert runs[0][0] == runs[1][0]                                       # the same findings
    assert runs[0][2] == "True"                                           # the first validates …
    assert runs[1][1:] == ["shinseihin", "False"]                         # … the second does not


# --- the 記入例 under other programs (the "done when") --------------------------------------

def test_the_example_under_kofukakachi_shows_the_cap_overrun():
    report = under("kofukakachi")
    (cap,) = [f for f in report.findings if f.rule == "PV208"]
    assert "2,593,000 円" in cap.message and "1,000,000 円" in cap.message and cap.cell == "D7"


def test_the_example_under_kengai_monozukuri_shows_the_rate_overrun():
    report = under("kengai-monozukuri")
    assert hits(report, "PV207") == {(F8, "D6", "error"), (F8, "D7", "error")}
    assert any("1/2" in f.message for f in report.findings if f.rule == "PV207")


# --- caps and rates at and past each document's figure ----------------------------------------

CAPS = [("challenge-special:crafts", 2000000), ("challenge-special:tourism", 2000000),
        ("challenge-special:overseas", 2000000), ("kofukakachi", 1000000), ("kengai-monozukuri", 5000000),
        ("shinseihin:8", 1500000)]


@pytest.mark.parametrize("program, cap", CAPS)
def test_the_cap_of_each_course_at_and_past_its_figure(tmp_path, program, cap):
    assert resolve(program).cap == cap
    at = under(program, {F8: {"D6": cap - 500000, "D7": 500000}}, tmp_path)
    assert hits(at, "PV208") == set()
    past = under(program, {F8: {"D6": cap - 500000, "D7": 500001}}, tmp_path)
    assert hits(past, "PV208") == {(F8, "D7", "error")}


@pytest.mark.parametrize("program, rate", [("challenge-special:crafts", Fraction(3, 4)),
                                           ("challenge-special:sdgs-ai", Fraction(2, 3)),
                                           ("challenge-special:overseas", Fraction(1, 2)),
                                           ("kengai-monozukuri", Fraction(1, 2)), ("kofukakachi", Fraction(2, 3))])
def test_the_rate_of_each_course_at_and_past_its_figure(tmp_path, program, rate):
    assert resolve(program).rate == rate
    limit = int(2000000 * rate)                        # 1年目 助成対象経費 2,000,000 円
    assert hits(under(program, {F8: {"D6": limit}}, tmp_path), "PV207") - {(F8, "D7", "error")} == set()
    assert (F8, "D6", "error") in hits(under(program, {F8: {"D6": limit + 1}}, tmp_path), "PV207")


def test_kengai_yearly_guide_is_a_warning_just_past_it(tmp_path):
    course = resolve("kengai-monozukuri")
    assert course.yearly_caps == (2000000, 2000000, 1000000) and course.yearly_severity == "warning"
    assert hits(under("kengai-monozukuri", {F8: {"D6": 2000000}}, tmp_path), "PV211") == set()
    assert hits(under("kengai-monozukuri", {F8: {"D6": 2000001}}, tmp_path), "PV211") == {(F8, "D6", "warning")}


def test_kengai_minimum_subsidy_total_at_and_just_below_1_million(tmp_path):
    # 「補助金額の3カ年度合計が100万円未満の場合は、補助対象となりません」: the floor is on the 申請額
    assert resolve("kengai-monozukuri").min_requested == 1000000
    assert hits(under("kengai-monozukuri", {F8: {"D6": 600000, "D7": 400000}}, tmp_path), "PV212") == set()
    assert hits(under("kengai-monozukuri", {F8: {"D6": 600000, "D7": 399999}}, tmp_path), "PV212") == {(F8, "D7", "error")}


def test_kanazawa_foreign_language_site_needs_a_cost_of_300_thousand(tmp_path):
    assert resolve("kanazawa-kaigai:web").min_eligible == 300000
    at = under("kanazawa-kaigai:web", {F7: {**ONE_LINE[F7], "G6": 1, "I6": 300000}}, tmp_path)
    assert hits(at, "PV212") == set()
    below = under("kanazawa-kaigai:web", {F7: {**ONE_LINE[F7], "G6": 1, "I6": 299999}}, tmp_path)
    assert hits(below, "PV212") == {(F7, "J6", "error")}


@pytest.mark.parametrize("course, cap", [("expo-domestic", 500000), ("expo-overseas", 1000000), ("expo-online", 700000),
                                         ("web", 300000), ("ec", 1000000)])
def test_kanazawa_overseas_caps_at_and_past_each_figure(tmp_path, course, cap):
    program = f"kanazawa-kaigai:{course}"
    assert resolve(program).rate == Fraction(1, 2)
    assert hits(under(program, {F8: {"D6": cap, "D7": 0}}, tmp_path), "PV208") == set()
    assert hits(under(program, {F8: {"D6": cap, "D7": 1}}, tmp_path), "PV208") == {(F8, "D7", "error")}


def test_kanazawa_outsourcing_at_and_past_half_of_the_total(tmp_path):
    # row 12 is 外注加工費: the other rows come to 3,590,000 円, so X ≤ (3,590,000 + X) / 2
    program = "kanazawa-shinseihin:tandoku-priority"
    assert hits(under(program, {F7: {"G12": 1, "I12": 3590000}}, tmp_path), "PV213") == set()
    assert hits(under(program, {F7: {"G12": 1, "I12": 3590001}}, tmp_path), "PV213") == {(F7, "J12", "warning")}


def test_kanazawa_joint_research_only_in_the_university_courses(tmp_path):
    row = {F7: {"F10": "金沢大学との共同研究（試作品の評価）"}}
    assert hits(under("kanazawa-shinseihin:sangaku-basic", row, tmp_path), "PV213") == set()
    assert hits(under("kanazawa-shinseihin:tandoku-priority", row, tmp_path), "PV213") == {(F7, "J10", "error")}


def test_kanazawa_yearly_caps_at_and_past(tmp_path):
    course = resolve("kanazawa-shinseihin:sangaku-priority")
    assert course.yearly_caps[0] == 10000000 and course.cap == 30000000
    assert hits(under(course.id, {F8: {"D6": 10000000}}, tmp_path), "PV211") == set()
    assert hits(under(course.id, {F8: {"D6": 10000001}}, tmp_path), "PV211") == {(F8, "D6", "error")}


# --- limits per kind of expense (高付加価値化) --------------------------------------------------------

def test_ec_and_hp_costs_at_and_past_500_thousand(tmp_path):
    # row 15 of the 記入例 is 「ECサイト商品ページ制作」 1 件
    assert limited(under("kofukakachi", {F7: {"I15": 500000}}, tmp_path), "EC・HP") == set()
    report = under("kofukakachi", {F7: {"I15": 500001}}, tmp_path)
    assert limited(report, "EC・HP") == {(F7, "J15", "error")}
    assert "EC・HP制作費" in next(f.message for f in report.findings if f.rule == "PV213")


def test_outsourcing_at_and_past_500_thousand(tmp_path):
    # row 12 is 外注加工費 「量産試作品の塗装加工」
    assert limited(under("kofukakachi", {F7: {"G12": 1, "I12": 500000}}, tmp_path), "外注・委託費") == set()
    assert limited(under("kofukakachi", {F7: {"G12": 1, "I12": 500001}}, tmp_path), "外注・委託費") == {(F7, "J12", "error")}


def test_removal_costs_at_and_past_a_tenth_of_the_total(tmp_path):
    # row 17 becomes 「既存機械の撤去・処分」: the other rows come to 3,640,000 円, so X ≤ (3,640,000 + X) / 10
    row = {"F17": "既存機械の撤去・処分", "E17": "雑役務費"}
    assert limited(under("kofukakachi", {F7: {**row, "I17": 404444}}, tmp_path), "撤去") == set()
    assert (F7, "J17") in {h[:2] for h in hits(under("kofukakachi", {F7: {**row, "I17": 404445}}, tmp_path), "PV213")}


# --- the numeric eligibility test (高付加価値化) ---------------------------------------------------

def test_the_documents_worked_example_passes():
    example = profiles()["kofukakachi"].path
    import yaml

    data = yaml.safe_load(example.read_text(encoding="utf-8"))["courses"]["main"]["examples"][0]
    rise = price_increase(data["base"], data["target"])
    assert rise == Fraction(40, 150) and f"{float(rise) * 100:+.1f}%" == data["increase_shown"] == "+26.7%"
    report = under("kofukakachi", figures={"price": {"base": data["base"], "target": data["target"]},
                                           "gross_profit": {"bases": [1000000], "target": 950000}})
    assert hits(report, "PV308") == set()


@pytest.mark.parametrize("target_amount, passes", [(54000, True), (53999, False)])   # 300kg: 180 円/kg = +20.0%
def test_the_price_rise_at_and_just_below_20_percent(target_amount, passes):
    figures = {"price": {"base": {"amount": 75000, "quantity": 500}, "target": {"amount": target_amount, "quantity": 300}}}
    assert (hits(under("kofukakachi", figures=figures), "PV308") == set()) is passes


@pytest.mark.parametrize("base, target, shown", [
    ((75000, 500), (53999, 300), "+19.9%"),       # 19.998%: never 「+20.0% が要件の 20% に届きません」
    ((75000, 500), (45000, 300), "+0.0%"),
    ((75000, 500), (44000, 300), "-2.2%"),        # a fall: 146.7 円/kg (-2.22%)
])
def test_a_rise_that_falls_short_is_shown_below_the_requirement(base, target, shown):
    figures = {"price": {"base": {"amount": base[0], "quantity": base[1]},
                         "target": {"amount": target[0], "quantity": target[1]}}}
    report = under("kofukakachi", figures=figures)
    [finding] = [f for f in report.findings if f.rule == "PV308"]
    assert f"上昇率 {shown} が要件の 20% 以上に届きません" in finding.message


@pytest.mark.parametrize("target, passes", [(970000, True), (970001, False)])          # 3% of 1,000,000
def test_the_gross_profit_fall_at_and_just_below_3_percent(target, passes):
    figures = {"gross_profit": {"bases": [1000000, 900000], "target": target}}
    assert (hits(under("kofukakachi", figures=figures), "PV308") == set()) is passes


# --- a plan as JSON checked under a program of its own (no workbook of that program exists) -----------

def test_a_json_plan_names_its_program_and_figures_and_gets_findings_at_json_paths(tmp_path):
    out = tmp_path / "plan.json"
    assert CliRunner().invoke(main, ["export", str(EXAMPLE), "-o", str(out)]).exit_code == 0
    plan = json.loads(out.read_text(encoding="utf-8"))
    plan["program"] = "kofukakachi"
    plan["figures"] = {"price": {"base": {"amount": 75000, "quantity": 500}, "target": {"amount": 50000, "quantity": 300}}}
    out.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(out)])
    assert result.exit_code == 1
    found = {(f["rule"], f["sheet"]) for f in json.loads(result.output)["findings"]}
    assert ("PV308", "/figures/price") in found                     # 166.7 円/kg: +11.1%
    assert any(rule == "PV208" and sheet.startswith("/funding/") for rule, sheet in found)


# --- the years of a course, the questions, the targets, the municipality ----------------------------

def test_a_one_year_course_has_no_second_year(tmp_path):
    assert resolve("challenge-special:overseas").years == 1
    report = under("challenge-special:overseas")            # the 記入例 runs over 2 years
    assert (F7, "C12", "error") in hits(report, "PV214") and (F8, "D7", "error") in hits(report, "PV214")
    assert {cell for _, cell, _ in hits(report, "PV214")} >= {f"C{r}" for r in range(12, 18)}
    assert hits(under("challenge-special:crafts"), "PV214") == set()             # 2 years: the 記入例 fits


@pytest.mark.parametrize("course, cap, years", [("sdgs-ai", 10000000, 3), ("tourism", 2000000, 2)])
def test_the_other_challenge_courses(tmp_path, course, cap, years):
    c = resolve(f"challenge-special:{course}")
    assert (c.cap, c.years) == (cap, years)
    limit = int(2000000 * c.rate)
    assert (F8, "D6", "error") in hits(under(c.id, {F8: {"D6": limit + 1}}, tmp_path), "PV207")
    assert hits(under(c.id, {F8: {"D6": limit}}, tmp_path), "PV207") - {(F8, "D7", "error")} == set()


def test_kanazawa_questions_are_asked_and_a_wrong_answer_is_an_error():
    report = under("kanazawa-kaigai:expo-overseas")
    asked = [f for f in report.findings if f.rule == "PV309"]
    assert asked and all(f.severity.value == "info" for f in asked)
    answers = {"expo-venue-overseas": True, "expo-once-a-year": True}
    report = under("kanazawa-kaigai:expo-overseas", figures={"answers": answers})
    errors = [f for f in report.findings if f.rule == "PV309" and f.severity.value == "error"]
    assert len(errors) == 1 and "今年度" in errors[0].message


def test_kanazawa_needs_an_office_in_kanazawa(tmp_path):
    assert hits(under("kanazawa-shinseihin:kairyo"), "PV308") == {("計画様式1", "D9", "warning")}   # 七尾市
    inside = under("kanazawa-shinseihin:kairyo", {"計画様式1": {"D9": "石川県金沢市鞍月2丁目20番地"}}, tmp_path)
    assert hits(inside, "PV308") == set()


KENGAI_RULES = "kengai-monozukuri"


@pytest.mark.parametrize("now, goal, procurement, reached", [
    ({"県内": 60, "県外": 40}, {"県内": 50, "県外": 50}, None, True),               # ① 40% → 50%
    ({"県内": 60, "県外": 40}, {"県内": 51, "県外": 49}, None, False),              # ① 40% → 49%
    ({"県内": 60, "海外": 40}, {"県内": 50, "海外": 50}, None, True),               # 海外 is 県外
    ({"県内": 60, "県外": 40}, {"県内": 40, "石川県外に本社がある企業の石川県内の事業所": 60}, None, False),
    ({"県内": 40, "県外": 60}, {"県内": 40, "県外": 90}, None, True),               # ② 60 → 90 = ×1.5
    ({"県内": 40, "県外": 60}, {"県内": 40, "県外": 89}, None, False),              # ② ×1.48
    ({"県内": 40, "県外": 60}, {"県内": 40, "県外": 60}, {"県内": 50, "県外": 50}, True),     # ③ 50%
    ({"県内": 40, "県外": 60}, {"県内": 40, "県外": 60},
     {"県内": 49, "石川県外に本社がある企業の石川県内の事業所": 2, "県外": 49}, False),        # 49%: not 県内 調達
])
def test_kengai_targets_from_the_documents_formulas(now, goal, procurement, reached):
    figures = {"sales": {"now": now, "goal": goal}}
    if procurement:
        figures["procurement"] = {"goal": procurement}
    found = hits(under(KENGAI_RULES, figures=figures), "PV310")
    assert (found == set()) is reached, found


def test_kengai_meeting_food_and_phone_bills_are_not_funded(tmp_path):
    """The phone bill is a word of the one expense vocabulary (通信費) that the template's own rule already
    reports (PV103): the profile's exclusion names the same category and does not report it twice."""
    edits = {F7: {"E13": "会議費", "F13": "検討会の弁当代", "E16": "通信運搬費", "F16": "携帯電話料（打合せ用）"}}
    report = under("kengai-monozukuri", edits, tmp_path)
    assert hits(report, "PV213") == {(F7, "J13", "error")}
    assert (F7, "F16", "error") in hits(report, "PV103")
    assert hits(under("kengai-monozukuri"), "PV213") == set()


def test_kofukakachi_second_hand_goods_are_a_warning_and_consumables_an_error(tmp_path):
    edits = {F7: {"F8": "中古の薄挽き加工機", "F9": "試験用消耗品一式"}}
    report = under("kofukakachi", edits, tmp_path)
    assert limited(report, "中古") | limited(report, "消耗品") == {(F7, "J8", "warning"), (F7, "J9", "error")}


# --- --program without a course: the workbook's 事業区分 decides ------------------------------------------

def test_a_program_without_its_course_takes_the_one_the_workbooks_category_names(tmp_path):
    """`--program shinseihin` on a 区分8 workbook checks it under 区分8; only a workbook whose 事業区分 names no
    course of the program is asked for one (exit 2, one line listing the courses)."""
    cat8 = "8 小規模企業者による社会課題解決に向けた新商品・新サービスの開発・販路開拓支援"
    report = under("shinseihin", {"計画様式1": {"D18": cat8}, "計画様式2": {"D8": 3}}, tmp_path)
    assert report.context.course.key == "8"
    assert under("shinseihin").context.course.key == "7"
    from click.testing import CliRunner

    from planvalidator.cli import main
    result = CliRunner().invoke(main, ["check", "--program", "shinseihin", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    blank = edit(EXAMPLE, tmp_path / "blank.xlsx", {"計画様式1": {"D18": None}})
    result = CliRunner().invoke(main, ["check", "--program", "shinseihin", str(blank)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "事業区分がありません" in result.output and "7、8" in result.output
