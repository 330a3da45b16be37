"""The rule catalogue itself: every rule documented like ruff's, tested, and the program data in step
with the sheet schemas (so that a revised template or program.yaml that drifts apart fails CI)."""

import re

import yaml

from support.helpers import ROOT
from planvalidator import rules
from planvalidator.program import load_program

R7 = ROOT / "schemas" / "r7"
PROGRAM = load_program(R7)


def sheet(name):
    return yaml.safe_load((R7 / "sheets" / f"{name}.yaml").read_text(encoding="utf-8"))


def test_every_rule_has_code_name_severity_doc_and_clause():
    catalogue = rules.all_rules()
    assert len(catalogue) >= 40
    families = {"form", "expenses", "money", "applicant", "documents", "content", "internal"}
    assert {r.family for r in catalogue} == families
    for r in catalogue:
        assert re.fullmatch(r"PV\d{3}", r.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.name), r.name
        assert r.reference.strip(), r.code
        assert "何を" in r.doc and "なぜ" in r.doc and "例" in r.doc, r.code


def test_every_rule_is_exercised_by_a_test():
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py")
                   if p.name not in ("test_catalogue.py", "test_cases.py"))
    text += "".join(p.read_text(encoding="utf-8") for p in (ROOT / "templates" / "r7" / "invalid").glob("*.json"))
    untested = [r.code for r in rules.all_rules() if f'"{r.code}"' not in text]
    assert untested == []


def test_program_data_and_sheet_schemas_agree():
    expense = sheet("計画様式7")["expenses"]["columns"]
    assert set(expense["category"]["isin"]) == set(PROGRAM.expense_items)
    assert set(sheet("計画様式2")["fields"]["columns"]["industry"]["isin"]) == set(PROGRAM.raw["sme"]["industries"])
    org_types = sheet("計画様式1")["fields"]["columns"]["org_type"]["isin"]
    assert set(org_types) == set(PROGRAM.raw["org_types"].values())
    from planvalidator.eligibility import vocabulary
    words = vocabulary()
    for category in PROGRAM.categories.values():        # 対象者 in the one vocabulary, its 組織形態 the template's
        for name in category.org_types:
            assert set(words.audience(name).org_types) <= set(PROGRAM.raw["org_types"])
    codes = {c.split()[0] for c in sheet("計画様式1")["fields"]["columns"]["category"]["isin"]}
    assert codes == set(PROGRAM.categories)
    years = set(expense["year"]["isin"])
    assert years == {f"{n}年目" for n in range(1, PROGRAM.max_years + 1)}


def test_every_keyword_family_names_its_clause_and_only_words_of_the_one_vocabulary():
    from planvalidator.expense_vocabulary import vocabulary
    words = vocabulary()
    for family, spec in PROGRAM.raw["keywords"].items():
        if isinstance(spec, dict):
            assert spec["source"].startswith("公募要領"), family
            for key in spec["categories"]:
                category = words.category(key)
                assert category.get("terms") or category.get("models"), key
                assert category.get("severity", "error") in ("error", "warning"), key


def test_what_a_rule_reads_is_shown_in_words_a_user_knows():
    """`rules PVxxx` names the program data a rule reads by their Japanese names (schemas/program_keys.yaml),
    never by internal keys; every key any rule reads has its name, and no name is left for a key none reads."""
    import yaml
    from click.testing import CliRunner

    from planvalidator.cli import main

    names = yaml.safe_load((ROOT / "schemas" / "program_keys.yaml").read_text(encoding="utf-8"))
    read = {key for r in rules.all_rules() for key in r.reads}
    assert read == set(names)
    assert all(re.search(r"[ぁ-んァ-ヶ一-龠]", text) for text in names.values())
    shown = CliRunner().invoke(main, ["rules", "PV207"]).output
    line = next(x for x in shown.splitlines() if x.startswith("読む値: "))
    assert "period.first_fiscal_year" not in line and "profile" not in line.split("（")[0]
    assert names["period.first_fiscal_year"] in line
    listed = CliRunner().invoke(main, ["programs"]).output
    assert ".txt" not in listed and "資料: 令和7年度 新商品・新サービス開発支援事業助成金 公募要領" in listed
