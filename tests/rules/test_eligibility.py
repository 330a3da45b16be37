"""Who may apply, under every course of every profile: each course's 対象者 (schemas/applicants.yaml, one
vocabulary for all programs) accepts a plainly eligible applicant of every kind its document names —
no PV301/PV303 error — and refuses a plainly ineligible one with the error, the course named by its
Japanese name, never by its id."""

from __future__ import annotations

import datetime as dt

import pytest

from support.helpers import EXAMPLE, edit
from planvalidator.eligibility import Applicant, judge, vocabulary
from planvalidator.engine import Options, check_file
from planvalidator.profiles import profiles

F1, F2 = "計画様式1", "計画様式2"
MAKER = "製造業、建設業、運輸業その他の業種"
KANAZAWA = "石川県金沢市片町二丁目2番2号"          # inside every profile's region, 金沢市 included

# the applicants, as the 記入例 edited on 計画様式1 (組織形態, 所在地) and 計画様式2 (資本金, 従業員数, 主たる業種)
KINDS = {
    "sme": {F1: {"D14": "法人", "D9": KANAZAWA}, F2: {"D9": MAKER, "D7": 10_000_000, "D8": 12}},
    "small": {F1: {"D14": "法人", "D9": KANAZAWA}, F2: {"D9": MAKER, "D7": 3_000_000, "D8": 3}},
    "sole": {F1: {"D14": "個人事業主", "D13": None, "D9": KANAZAWA}, F2: {"D9": MAKER, "D7": None, "D8": 2}},
    "coop": {F1: {"D14": "組合", "D13": None, "D9": KANAZAWA}, F2: {"D9": MAKER, "D7": 5_000_000, "D8": 4}},
    "large": {F1: {"D14": "法人", "D9": KANAZAWA}, F2: {"D9": MAKER, "D7": 5_000_000_000, "D8": 1_200}},
    "group": {F1: {"D14": "グループ（4者以上）", "G42": "有", "D9": KANAZAWA},
              F2: {"D9": MAKER, "D7": 10_000_000, "D8": 12},
              "別紙1": {f"{col}{row}": value for row, name in enumerate(
                  ["株式会社のと木工房", "加賀工芸株式会社", "金沢デザイン合同会社", "白山精機株式会社"], start=8)
                  for col, value in (("C", name), ("E", KANAZAWA), ("F", "代表 太郎"), ("G", "試作"), ("H", "該当"),
                                     ("I", dt.datetime(2025, 5, 20)))}},
}
# who each name of the vocabulary plainly takes in, and plainly leaves out
TAKES = {
    "全企業": ["sme", "small", "sole", "coop", "large", "group"],
    "中小企業者": ["sme", "small", "sole"],
    "中小企業": ["sme", "small", "sole"],
    "個人事業主": ["sole"],
    "組合": ["coop"],
    "中小企業団体": ["coop"],
    "グループ": ["group"],
    "小規模企業者": ["small", "sole"],
    "中小企業者及び中小企業団体以外": ["large"],
}


def _courses():
    for profile in profiles().values():
        for course in profile.courses.values():
            if course.org_types:
                yield pytest.param(course, id=course.id)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """Each kind of applicant's workbook, made once."""
    folder = tmp_path_factory.mktemp("kinds")
    return {kind: edit(EXAMPLE, folder / f"{kind}.xlsx", edits) for kind, edits in KINDS.items()}


def _check(books, course, kind):
    return check_file(books[kind], Options(course=course.id))


def _eligibility_findings(report):
    return [f for f in report.findings if f.rule in ("PV301", "PV303")]


@pytest.mark.parametrize("course", list(_courses()))
def test_every_course_takes_in_each_kind_its_document_names(course, books):
    kinds = sorted({kind for name in course.org_types for kind in TAKES[name]})
    assert kinds, course.id
    for kind in kinds:
        report = _check(books, course, kind)
        wrong = [(f.rule, f.severity.value, f.message) for f in _eligibility_findings(report)
                 if not (f.rule == "PV303" and course.max_employees is not None)]
        assert wrong == [], (course.id, kind)


@pytest.mark.parametrize("course", list(_courses()))
def test_every_course_refuses_a_plainly_ineligible_applicant_and_names_the_course(course, books):
    taken = {kind for name in course.org_types for kind in TAKES[name]}
    outside = [kind for kind in ("coop", "large", "sme", "group") if kind not in taken]
    if not outside:
        pytest.skip(f"{course.id}: every kind may apply (全企業)")
    report = _check(books, course, outside[0])
    found = _eligibility_findings(report)
    assert found and all(f.severity.value == "error" for f in found), (course.id, outside[0], found)
    for f in found:
        assert course.key not in f.message or course.key.isdigit() or course.key in course.name
    pv303 = [f for f in found if f.rule == "PV303"]
    for f in pv303:
        assert course.name in f.message or course.as_category().called in f.message


def test_a_kanazawa_company_under_the_all_companies_course_is_not_refused(books):
    """The course whose 対象者 is 「全企業」 takes an ordinary 株式会社 and a large one alike."""
    course = profiles()["kanazawa-shinseihin"].courses["sangaku-priority"]
    for kind in ("sme", "large", "coop"):
        assert _eligibility_findings(_check(books, course, kind)) == []


def test_the_course_for_others_than_smes_refuses_an_sme(books):
    course = profiles()["kanazawa-shinseihin"].courses["sangaku-other"]
    found = _eligibility_findings(_check(books, course, "sme"))
    assert [(f.rule, f.severity.value) for f in found] == [("PV303", "error")]
    assert "中小企業者に当たる" in found[0].message and "産学連携コース" in found[0].message


def test_small_business_beyond_the_law_is_a_warning_where_the_document_does_not_define_it(tmp_path):
    """資料 003 says 「小規模企業者」 without defining it: 30 employees at a maker is past the law's 20 — a warning."""
    course = profiles()["kanazawa-shinseihin"].courses["tandoku-small"]
    path = edit(EXAMPLE, tmp_path / "thirty.xlsx", {F1: {"D9": KANAZAWA}, F2: {"D8": 30}})
    found = _eligibility_findings(check_file(path, Options(course=course.id)))
    assert [(f.rule, f.severity.value) for f in found] == [("PV303", "warning")]
    assert "20 人以下" in found[0].message


class _Program:
    """The 中小企業者 table of the r7 program (製造業その他: 3億円・300人)."""
    def sme_limit(self, industry):
        from planvalidator.program import load_program
        from planvalidator.resources import schemas_dir
        return load_program(schemas_dir() / "r7").sme_limit(industry)


@pytest.mark.parametrize("names, applicant, accepted", [
    (["中小企業者"], Applicant("corporation", "法人", MAKER, 500_000_000, 300), True),       # employees decide
    (["中小企業者"], Applicant("corporation", "法人", MAKER, 300_000_000, 900), True),       # capital decides
    (["中小企業者"], Applicant("corporation", "法人", MAKER, 500_000_000, 301), False),
    (["中小企業者"], Applicant("sole_proprietor", "個人事業主", MAKER, None, 12), True),
    (["中小企業者"], Applicant("cooperative", "組合", MAKER, 1_000_000, 3), False),
    (["中小企業者"], Applicant("corporation", "法人", None, 1_000_000, 3), None),            # no 業種: undecided
    (["中小企業者", "中小企業団体"], Applicant("cooperative", "組合", MAKER, 1_000_000, 3), True),
    (["小規模企業者"], Applicant("corporation", "法人", "小売業", 1_000_000, 6), False),     # 商業: 5 人
    (["小規模企業者"], Applicant("corporation", "法人", MAKER, 1_000_000, 20), True),
    (["全企業"], Applicant("group", "グループ（4者以上）", None, None, None), True),
    (["中小企業者及び中小企業団体以外"], Applicant("corporation", "法人", MAKER, 900_000_000, 2_000), True),
    (["中小企業者及び中小企業団体以外"], Applicant("cooperative", "組合", MAKER, 1_000_000, 3), False),
    (["グループ（4者以上）"], Applicant("group", "グループ（4者以上）", None, None, None), True),   # an alias
])
def test_the_vocabulary_means_the_same_in_every_program(names, applicant, accepted):
    assert judge(names, applicant, _Program()).accepted is accepted


def test_every_name_a_profile_uses_is_in_the_vocabulary():
    words = vocabulary()
    for profile in profiles().values():
        for course in profile.courses.values():
            for name in course.org_types:
                assert words.audience(name).source
