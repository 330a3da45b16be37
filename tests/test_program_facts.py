"""The program owns its facts: rates, caps, dates, places, organisation names, year labels and sheet
names come from schemas/<version>/ (program.yaml, layout.yaml), never from a literal in a rule.

(a) no rule module writes a fact of program.yaml (or a sheet name of layout.yaml) as a literal;
(b) every rule's summary, doc and clause render with the r7 program and layout, nothing left open;
(c) ``planvalidator rules PV207`` shows the program's current rate and cap;
(d) a program.yaml with a misspelt key or a wrong type stops with one line naming the file and key;
(e) a program with another 審査結果通知 month or prefecture changes the docs and the messages.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from support.helpers import EXAMPLE, ROOT, edit, hits
from planvalidator import rules
from planvalidator.errors import CannotCheck
from planvalidator.facts import facts
from planvalidator.layout import load_layout
from planvalidator.program import load_program
from planvalidator.wareki import wareki_date, wareki_year

R7 = ROOT / "schemas" / "r7"
PROGRAM = load_program(R7)
LAYOUT = load_layout(R7)
RULE_FILES = sorted((ROOT / "planvalidator" / "rules").glob("*.py"))


# --- (a) no program fact as a literal -----------------------------------------------------------

def _amount_forms(amount: int) -> list[str]:
    """3000000 → 3,000,000 / 3000000 / 3,000千円 / 300万円 / 3百万円 …, as regexes."""
    forms = [f"{amount:,}", str(amount)]
    if amount % 1000 == 0:
        forms.append(rf"{amount // 1000:,}\s*千円")
    if amount % 10_000 == 0:
        forms.append(rf"{amount // 10_000:,}\s*万円")
    if amount % 100_000_000 == 0:
        forms.append(rf"{amount // 100_000_000}\s*億円")
    elif amount % 10_000_000 == 0 and amount < 100_000_000:
        forms.append(rf"{amount // 10_000_000}\s*千万円")
    return [rf"(?<![\d,]){f}(?![\d,])" for f in forms]


def _ratio_forms(value) -> list[str]:
    n, d = value.numerator, value.denominator
    return [rf"(?<![\d/]){n}\s*/\s*{d}(?![\d/])", rf"(?<!\d){d}\s*分の\s*{n}(?!\d)"]


def program_facts() -> dict[str, list[str]]:
    """{what: [regex]} for the facts program.yaml holds, in the forms a text would write them."""
    p = PROGRAM
    found: dict[str, list[str]] = {}
    for c in p.categories.values():
        found[f"区分{c.code} の助成率"] = _ratio_forms(c.rate)
        found[f"区分{c.code} の助成限度額"] = _amount_forms(c.cap)
        found[f"事業区分 {c.code}"] = [rf"区分\s*{re.escape(c.code)}(?![\d])"]
        if c.max_employees is not None:
            found[f"区分{c.code} の従業員数"] = [rf"(?<![\d,]){c.max_employees}\s*(名|人)以下"]
    d = p.deemed_large
    for name, share in (("みなし大企業 ①", d.single_owner_share), ("みなし大企業 ②", d.combined_share),
                        ("みなし大企業 ③", d.officer_share), ("委託費の割合", p.whole_outsourcing_share)):
        found.setdefault(name, []).extend(_ratio_forms(share))
    found["取得財産の価格"] = _amount_forms(p.asset_register_price)
    for industry, limit in p.sme_industries.items():
        found[f"中小企業者の基準（{industry}）"] = _amount_forms(limit.capital) + [
            rf"(?<![\d,]){limit.employees:,}\s*人"]
    grant = p.earliest_grant_date
    found["最も早い交付決定日"] = [grant.isoformat(), f"{grant.year}/{grant.month}/{grant.day}(?!\\d)",
                                   f"{grant.year}年{grant.month}月{grant.day}日"]
    found["審査結果通知"] = [re.escape(p.grant_notice), f"{wareki_year(grant)}{grant.month}月"]
    for n in range(1, p.max_years + 1):
        found[f"{n}年目の年度"] = [re.escape(p.fiscal_year_name(n))]
    found["事業実施期間の年数"] = [rf"(?<![\d,]){p.max_years}\s*年以内"]
    found["都道府県"] = [re.escape(p.region.prefecture)]
    found["市町"] = [re.escape(m) for m in p.region.municipalities]
    org = p.organisation
    found["実施主体"] = [re.escape(org.name), re.escape(org.short),
                        re.escape(org.name.removeprefix("公益財団法人")), "（公財）|\\(公財\\)"]
    found["プログラム名"] = [re.escape(p.name)]
    found["グループの構成員数"] = [rf"(?<![\d,]){p.group_min_members}\s*者"]
    found["計画の記述の長さ"] = [rf"(?<![\d,]){p.content.min_section_chars}\s*文字"]
    window = p.application_window
    found["募集期間"] = [form for day in (window.start, window.end)
                        for form in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日", re.escape(wareki_date(day)))]
    found["決算が確定するまでの月数"] = [rf"(?<![\d,]){p.attachments.closing_months}\s*(か|ヶ|ケ|カ|ヵ|箇)月"]
    return found


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def literals(path: Path):
    """(line, value) of every string and number literal of a module (f-string parts too), docstrings
    and comments left out: they explain the code, the program's words are data."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in skip and not isinstance(node.value, bool):
            if isinstance(node.value, (str, int)):
                yield node.lineno, node.value


def _where(path: Path, line: int, value) -> str:
    text = str(value).strip().splitlines()
    return f"{path.relative_to(ROOT)}:{line}: {text[0][:60] if text else value!r}"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_no_program_fact_is_a_literal_in_a_rule(path):
    patterns = {what: re.compile("|".join(forms)) for what, forms in program_facts().items()}
    amounts = {c.cap for c in PROGRAM.categories.values()} | {PROGRAM.asset_register_price}
    found = []
    for line, value in literals(path):
        if isinstance(value, int):
            if value in amounts:
                found.append(f"{_where(path, line, value)} → 金額 {value:,}")
            continue
        for offset, text in enumerate(value.splitlines() or [value]):
            for what, pattern in patterns.items():
                m = pattern.search(text)
                if m:
                    found.append(f"{path.relative_to(ROOT)}:{line + offset}: 「{m.group(0)}」({what}) in {text.strip()[:60]}")
    assert found == [], "program.yaml の値が規則に直接書かれています（facts のプレースホルダか context.program から）:\n" \
        + "\n".join(found)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_no_sheet_name_is_a_literal_in_a_rule(path):
    names = {s.name for s in LAYOUT.sheets}
    pattern = re.compile("|".join(re.escape(n) + r"(?!\d)" for n in sorted(names, key=len, reverse=True)))
    found = []
    for line, value in literals(path):
        if not isinstance(value, str):
            continue
        for offset, text in enumerate(value.splitlines() or [value]):
            m = pattern.search(text)
            if m:
                found.append(f"{path.relative_to(ROOT)}:{line + offset}: 「{m.group(0)}」 in {text.strip()[:60]}")
    assert found == [], "シート名は layout のキー（\"expenses\"）か {sheet[expenses]} で:\n" + "\n".join(found)


def test_the_test_finds_a_fact():
    """The grep itself: each kind of fact is caught in the forms a rule would write it."""
    patterns = [re.compile("|".join(forms)) for forms in program_facts().values()]
    for text in ("助成率 2/3 以内", "限度額 3,000千円", "1,500,000 円", "50万円以上", "令和7年9月（予定）",
                 "2025-09-01", "1年目＝令和7年度", "石川県内", "金沢市鞍月", "ISICO に相談", "事業区分7 を選ぶ",
                 "区分8", "4 者以上", "従業員5名以下", "3億円・300人", "30 文字", "交付決定日より3年以内",
                 "令和7年6月13日まで", "2025-04-21", "期末から3か月以内"):
        assert any(p.search(text) for p in patterns), text
    for text in ("単価 350,000 円", "2025-10-01", "役員 4 名", "計画様式7", "1年目"):
        assert not any(p.search(text) for p in patterns), text


def test_every_rule_declares_keys_that_program_yaml_has():
    raw = PROGRAM.raw
    for rule in rules.all_rules():
        for key in rule.reads:
            node = raw
            for part in key.split("."):
                assert isinstance(node, dict) and part in node, f"{rule.code} reads {key}: not in program.yaml"
                node = node[part]


# --- (b) every rule renders ---------------------------------------------------------------------

@pytest.mark.parametrize("rule", rules.all_rules(), ids=lambda r: r.code)
def test_every_rule_renders_with_the_r7_program(rule):
    shown = rule.rendered(PROGRAM, LAYOUT)
    for text in (shown.brief, shown.doc, shown.reference):
        assert "{" not in text and "}" not in text, text
    assert shown.code == rule.code and shown.reads == rule.reads


def test_facts_are_words_of_the_program():
    f = facts(PROGRAM, LAYOUT)
    assert f["sheet"]["expenses"] == "計画様式7"
    assert f["sheet_range"] == "計画様式1〜9"
    assert f["rate"]["7"] == f["rate"][7] == "2/3" and f["cap"][8] == "1,500千円"
    assert f["grant_notice"] == "令和7年9月" and f["earliest_grant"] == "2025-09-01"
    assert f["fiscal_year"][1] == "令和7年度" and f["fiscal_year"][3] == "令和9年度"
    assert f["year_names"] == "1年目＝令和7年度、2年目＝令和8年度、3年目＝令和9年度"
    assert f["asset_price"] == "50万円"
    assert f["organisation"] == "公益財団法人石川県産業創出支援機構" and f["organisation_short"] == "ISICO"
    assert f["prefecture"] == "石川県" and f["municipality"][0] == "金沢市"
    assert f["small_category"] == "区分8" and f["small_max_employees"] == "5" and f["other_categories"] == "区分7"
    assert f["group_min_members"] == "4" and f["group_category"] == "区分7"
    assert "製造業、建設業、運輸業その他の業種 3億円・300人" in f["sme_limits"]
    assert "サービス業 5千万円・100人" in f["sme_limits"]
    assert f["deemed_single"] == "1/2" and f["deemed_combined"] == "2/3"


def test_the_r7_program_agrees_with_itself():
    """Facts written twice in program.yaml (the header's 年度, the 審査結果通知 month) agree with the dates."""
    assert PROGRAM.spec.fiscal_year == PROGRAM.fiscal_year_name(1)
    grant = PROGRAM.earliest_grant_date
    assert PROGRAM.grant_notice == f"{wareki_year(grant)}{grant.month}月"
    assert PROGRAM.region.prefecture in PROGRAM.region.prefectures
    assert set(PROGRAM.sme_judged_org_types) <= set(PROGRAM.org_types.values())


def test_wareki_years():
    assert wareki_year(dt.date(2025, 4, 1)) == "令和7年"
    assert wareki_year(dt.date(2019, 5, 1)) == "令和元年"


# --- (c) the CLI shows the program's values -----------------------------------------------------

def test_rules_command_shows_the_current_rate_and_cap():
    from planvalidator.cli import main

    result = CliRunner().invoke(main, ["rules", "PV207"])
    assert result.exit_code == 0, result.output
    assert "2/3" in result.output
    assert "3,000千円" in result.output or "3,000,000" in result.output
    assert "{" not in result.output


# --- (d) program.yaml validated when loaded -----------------------------------------------------

def _copy(tmp_path, change) -> Path:
    folder = tmp_path / "schemas" / "r7"
    shutil.copytree(R7, folder)
    path = folder / "program.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def _error(folder) -> str:
    with pytest.raises(CannotCheck) as caught:
        load_program(folder)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    assert str(folder / "program.yaml") in message
    return message


@pytest.mark.parametrize("change, key, reason", [
    (lambda t: t.replace("earliest_grant_date:", "earliest_grant_dat:"), "period.earliest_grant_dat",
     "earliest_grant_date の書き間違い"),
    (lambda t: t.replace("organisation:", "organization:"), "organization", "organisation の書き間違い"),
    (lambda t: t.replace("profile: shinseihin", "profile: shinseihin-r9"), "profile", "shinseihin-r9.yaml がありません"),
    (lambda t: t.replace("min_members: 4", "min_members: four"), "group.min_members", "整数にしてください"),
    (lambda t: t.replace("earliest_grant_date: 2025-09-01", "earliest_grant_date: 9月上旬"),
     "period.earliest_grant_date", "日付"),
    (lambda t: t.replace("categories: [pc, ", "categories: [pcx, ", 1), "keywords.general_purpose.categories",
     "経費の言葉「pcx」"),
    (lambda t: t.replace("  prefecture: 石川県\n", ""), "region.prefecture", "必須の項目がありません"),
])
def test_a_wrong_program_yaml_is_one_line_naming_the_key(tmp_path, change, key, reason):
    folder = _copy(tmp_path, change)
    message = _error(folder)
    assert f"program.yaml の {key}: " in message, message
    assert reason in message, message


def test_a_program_yaml_that_is_not_yaml(tmp_path):
    folder = _copy(tmp_path, lambda t: t.replace("program: ", "program: [", 1))
    assert "YAML として読めません" in _error(folder)


def test_the_shipped_program_is_named_as_the_shipped_file(tmp_path, monkeypatch):
    from planvalidator import program as module

    folder = _copy(tmp_path, lambda t: t.replace("max_years: 3", "max_years: 0"))
    monkeypatch.setattr("planvalidator.resources.schemas_dir", lambda: tmp_path / "schemas")
    with pytest.raises(CannotCheck) as caught:
        module.load_program(folder)
    assert str(caught.value) == "schemas/r7/program.yaml の period.max_years: 1 以上にしてください"


def test_a_validated_file_is_remembered_and_a_changed_one_validated_again(tmp_path, monkeypatch):
    """pydantic runs once per file content: the second load reads the values it validated, and
    the same file with a mistake added is validated (and refused) although a good copy was cached."""
    from planvalidator import program as module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = _copy(tmp_path, lambda t: t)
    fresh = module.load_program(folder)
    assert len(list((tmp_path / "cache" / "planvalidator").glob("program-*.json"))) == 1
    module.load_program.cache_clear()
    monkeypatch.setattr("planvalidator.program.spec.validate", lambda raw, path: pytest.fail("validated again"))
    cached = module.load_program(folder)
    for name in ("categories", "earliest_grant_date", "grant_notice", "deemed_large", "region", "org_types",
                 "documents", "expense_items", "content", "whole_outsourcing_share", "asset_register_price"):
        assert getattr(cached, name) == getattr(fresh, name), name
    assert cached.keywords("general_purpose").find("ノートPC") is not None
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for damaged in ('{"program": 1}', "{", '{"__raw__": "x", "values": {}}'):   # a broken cache: validated again
        for entry in (tmp_path / "cache" / "planvalidator").glob("program-*.json"):
            entry.write_text(damaged, encoding="utf-8")
        module.load_program.cache_clear()
        assert module.load_program(folder).categories == fresh.categories
    module.load_program.cache_clear()
    path = folder / "program.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("max_years: 3", "max_years: 0"), encoding="utf-8")
    assert "period.max_years" in _error(folder)


# --- (e) another program's facts reach the docs and the messages --------------------------------

@pytest.fixture
def schemas_copy(tmp_path, monkeypatch):
    """schemas_copy(change) → the r7 folder copied with program.yaml changed (``change(raw)``) and
    used for reading workbooks: the layout is found in the copy, so its program is the copy's."""
    from planvalidator import layout

    def make(change):
        folder = tmp_path / "schemas" / "r7"
        shutil.copytree(R7, folder)
        raw = yaml.safe_load((folder / "program.yaml").read_text(encoding="utf-8"))
        change(raw)
        (folder / "program.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
        monkeypatch.setattr(layout, "schemas_dir", lambda: tmp_path / "schemas")
        layout.known_layouts.cache_clear()
        return folder

    yield make
    layout.known_layouts.cache_clear()


def _toyama(raw):
    raw["period"]["grant_notice"] = "令和8年9月"
    raw["region"]["prefecture"] = "富山県"
    raw["region"]["municipalities"] = ["富山市", "高岡市", "射水市"]


def test_another_program_changes_the_docs(schemas_copy):
    folder = schemas_copy(_toyama)
    program, layout = load_program(folder), load_layout(folder)
    before = rules.get("PV106").rendered(program, layout)
    assert "令和8年9月" in before.doc and "令和8年9月" in before.reference and "令和7年9月" not in before.doc
    region = rules.get("PV304").rendered(program, layout)
    assert region.brief == "富山県内に事務所・事業所がありません"
    assert "「富山県高岡市…」「富山市…」→ 正しい" in region.doc and "石川県" not in region.doc
    assert "「新潟県…」で富山県内の事業所が空欄" in region.doc          # the neighbour before it in the list
    # and the original program is untouched
    assert "令和7年9月" in rules.get("PV106").rendered(PROGRAM, LAYOUT).doc


def test_another_program_changes_the_messages(schemas_copy, tmp_path):
    from planvalidator.engine import check_file

    schemas_copy(_toyama)
    book = edit(EXAMPLE, tmp_path / "case.xlsx", {"計画様式7": {"L6": dt.datetime(2025, 7, 1)}})
    report = check_file(book)
    assert report.plan.layout.folder == tmp_path / "schemas" / "r7"
    by_rule = {f.rule: f for f in report.findings}
    assert "審査結果通知は令和8年9月の予定" in by_rule["PV106"].message
    assert "令和8年9月" in by_rule["PV106"].reference
    assert by_rule["PV106"].field == "expenses.expenses.order_date"
    assert by_rule["PV106"].value == dt.date(2025, 7, 1)
    assert by_rule["PV106"].expected == dt.date(2025, 9, 1)
    # the 記入例's 石川県 address is outside 富山県: its office field is asked for
    assert hits(report, "PV304") == {("計画様式2", "D14", "error")}
    assert "は富山県外です。富山県内の事務所" in by_rule["PV304"].message
    assert by_rule["PV304"].field == "company.office_in_region"


def test_the_r7_messages_quote_the_r7_program(example_with):
    report = example_with({"計画様式7": {"L6": dt.datetime(2025, 7, 1)}, "計画様式1": {"D9": "富山県高岡市末広町1-7"}})
    by_rule = {f.rule: f for f in report.findings}
    assert "審査結果通知は令和7年9月の予定" in by_rule["PV106"].message
    assert "は石川県外です" in by_rule["PV304"].message
    assert "{" not in by_rule["PV106"].reference and "令和7年9月" in by_rule["PV106"].reference


def test_a_broken_program_stops_the_check_with_one_line(schemas_copy, tmp_path):
    from planvalidator.cli import main

    schemas_copy(lambda raw: raw["group"].update(min_members="four"))
    book = shutil.copy(EXAMPLE, tmp_path / "記入例.xlsx")
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if "program.yaml" in line]
    assert lines and "schemas/r7/program.yaml の group.min_members: 整数にしてください" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("change, says", [
    (lambda t: t.replace("    severity: error\n", "    severity: eror\n", 1), "severity: error か warning"),
    (lambda t: t.replace("    label: パソコン\n", "    labal: パソコン\n", 1), "「labal」という項目はありません"),
    (lambda t: t.replace("categories:\n", "categoris:\n", 1), "categories がありません"),
])
def test_a_wrong_expense_vocabulary_is_one_line_naming_the_key(tmp_path, change, says):
    from planvalidator.expense_vocabulary import ExpenseVocabularyError, vocabulary
    from planvalidator.resources import schemas_dir

    path = tmp_path / "expenses.yaml"
    path.write_text(change((schemas_dir() / "expenses.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ExpenseVocabularyError) as caught:
        vocabulary(path)
    assert says.split(":")[0] in str(caught.value) and "\n" not in str(caught.value)
