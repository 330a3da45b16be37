"""planvalidator annotate: every finding at its cell and on the results sheet, nothing lost, idempotent."""

import hashlib
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from support.helpers import EXAMPLE, R7, TEMPLATE, edit, finding_keys as keyset, make_xlsm, parts, write_parts
from support.package_diff import differences
from planvalidator.annotate import annotate_file, default_output
from planvalidator.annotate.file import COLORS, FileAnnotator
from planvalidator.cli import main
from planvalidator.engine import check_file

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
INVALID = R7 / "invalid"


def q(tag):
    return f"{{{MAIN}}}{tag}"


def sheet_part(path, sheet):
    book = openpyxl.load_workbook(path, read_only=True)
    index = book.sheetnames.index(sheet)
    book.close()
    # parts are found through the workbook rels, as Excel does
    from planvalidator.package import Package
    pkg = Package(path)
    return pkg, pkg.sheet_part(sheet), index


def highlights(path, sheet) -> dict[str, str]:
    """{cell: severity} from our conditional formats, with the fill colour each one really has."""
    pkg, part, _ = sheet_part(path, sheet)
    ws, styles = pkg.xml(part), pkg.xml("xl/styles.xml")
    dxfs = list(styles.find(q("dxfs")))
    colour_to_severity = {v: k for k, v in COLORS.items()}
    out = {}
    for cf in ws.findall(q("conditionalFormatting")):
        for rule in cf.findall(q("cfRule")):
            formula = rule.find(q("formula")).text
            if "planvalidator:" not in formula:
                continue
            fill = dxfs[int(rule.get("dxfId"))].find(f"{q('fill')}/{q('patternFill')}")
            colours = {el.get("rgb") for el in fill if el.get("rgb")}
            severity = {colour_to_severity[c] for c in colours if c in colour_to_severity}
            assert len(severity) == 1, f"our rule at {cf.get('sqref')} has no single severity colour"
            for cell in cf.get("sqref").split():
                out[cell] = next(iter(severity))
    return out


def notes(path, sheet) -> dict[str, str]:
    book = openpyxl.load_workbook(path)
    return {c.coordinate: c.comment.text for row in book[sheet].iter_rows() for c in row if c.comment}


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def wrong(tmp_path):
    path = tmp_path / "ineligible-expenses.xlsx"
    shutil.copy(INVALID / "ineligible-expenses.xlsx", path)
    return path


def test_every_finding_at_its_cell_and_on_the_results_sheet(wrong):
    before = sha(wrong)
    report, out = annotate_file(wrong)
    assert out == wrong.with_name("ineligible-expenses_チェック結果.xlsx")
    assert sha(wrong) == before                                      # the input is only read
    marked = highlights(out, "計画様式7")
    texts = notes(out, "計画様式7")
    rank = ["info", "warning", "error"]                             # a cell with two findings shows the worse (L6: PV106, PV014)
    worst = {}
    for f in report.findings:
        worst[f.cell] = max(worst.get(f.cell, "info"), f.severity.value, key=rank.index)
    for f in report.findings:
        assert marked[f.cell] == worst[f.cell]
        assert f.rule in texts[f.cell] and f.message in texts[f.cell] and f.reference in texts[f.cell]
    assert set(marked) == {f.cell for f in report.findings}

    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "チェック結果" and book.active.title == "チェック結果"
    ws = book["チェック結果"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows, start=1) if r[:2] == ["重要度", "コード"])
    table = rows[header:header + len(report.findings)]
    assert [(r[1], r[2], r[3]) for r in table] == [(f.rule, f.sheet, f.cell) for f in report.findings]
    assert [r[0] for r in table] == [f.severity.label for f in report.findings]
    links = {c.coordinate: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    assert set(links.values()) == {f"'計画様式7'!{f.cell}" for f in report.findings}
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:I{header + len(report.findings)}"   # 重要度 … 確認済み・確認時の値・直し方
    flat = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "3,890,000" in flat or 3890000 in [v for r in rows for v in r]          # 助成対象経費
    assert 2593333 in [v for r in rows for v in r] and 2593000 in [v for r in rows for v in r]


def test_annotating_twice_equals_once_and_checking_is_unchanged(wrong, tmp_path):
    once = tmp_path / "once.xlsx"
    annotate_file(wrong, once)
    twice = tmp_path / "twice.xlsx"
    shutil.copy(once, twice)
    annotate_file(twice, in_place=True)
    a, b = parts(once), parts(twice)
    assert a.keys() == b.keys()
    changed = [name for name in a if a[name] != b[name]]
    # only the checked file's name written on the results sheet differs
    assert len(changed) <= 1
    for name in changed:
        assert a[name].replace("ineligible-expenses.xlsx".encode(), b"twice.xlsx") == b[name]
    assert keyset(check_file(once)) == keyset(check_file(wrong))


def test_in_place_twice_is_byte_identical(wrong):
    annotate_file(wrong, in_place=True)
    first = parts(wrong)
    annotate_file(wrong, in_place=True)
    assert parts(wrong) == first


@pytest.mark.parametrize("source", [TEMPLATE, EXAMPLE, INVALID / "form-errors.xlsx"],
                         ids=["official-template", "kinyurei", "form-errors"])
def test_nothing_lost_part_by_part(tmp_path, source):
    out = tmp_path / "annotated.xlsx"
    annotate_file(source, out)
    assert differences(source, out) == []


def test_nothing_lost_in_a_macro_enabled_workbook(tmp_path):
    xlsm = make_xlsm(INVALID / "wrong-amount.xlsx", tmp_path / "申請書.xlsm")
    report, out = annotate_file(xlsm)
    assert out.name == "申請書_チェック結果.xlsm"
    assert differences(xlsm, out) == []
    assert parts(out)["xl/vbaProject.bin"] == parts(xlsm)["xl/vbaProject.bin"]
    assert b"macroEnabled" in parts(out)["[Content_Types].xml"]
    assert highlights(out, "計画様式7") == {"J9": "error"}


def test_the_part_comparison_names_a_real_loss(tmp_path):
    """The comparison itself can fail: a dropped part and a changed cell are both named."""
    out = tmp_path / "annotated.xlsx"
    annotate_file(EXAMPLE, out)
    contents = parts(out)
    del contents["docProps/custom.xml"]
    sheet = contents["xl/worksheets/sheet7.xml"].replace(b"<v>80000</v>", b"<v>80001</v>")
    contents["xl/worksheets/sheet7.xml"] = sheet
    broken = write_parts(tmp_path / "broken.xlsx", contents)
    found = differences(EXAMPLE, broken)
    assert "docProps/custom.xml: missing from the annotated copy" in found
    assert any(d.startswith("xl/worksheets/sheet7.xml") for d in found)


def _with_applicant_notes(tmp_path):
    from openpyxl.comments import Comment

    def prepare(book):
        book["計画様式7"]["J9"].comment = Comment("金額は見積書どおり", "申請者")
        book["計画様式7"]["F6"].comment = Comment("板材は県産材", "申請者")
    return edit(EXAMPLE, tmp_path / "notes.xlsx", {"計画様式7": {"J9": 250000}}, prepare=prepare)


def test_applicant_notes_stay_and_ours_come_and_go(tmp_path):
    source = _with_applicant_notes(tmp_path)
    out = tmp_path / "annotated.xlsx"
    annotate_file(source, out)
    texts = notes(out, "計画様式7")
    assert texts["F6"] == "板材は県産材"                                  # untouched
    assert texts["J9"].startswith("金額は見積書どおり\n【planvalidator】") and "PV201" in texts["J9"]
    assert differences(source, out) == []

    cleared = tmp_path / "cleared.xlsx"
    annotator = FileAnnotator(out)
    annotator.clear()
    annotator.save(cleared)
    assert notes(cleared, "計画様式7") == {"J9": "金額は見積書どおり", "F6": "板材は県産材"}
    assert highlights(cleared, "計画様式7") == {}
    assert "チェック結果" not in openpyxl.load_workbook(cleared, read_only=True).sheetnames


def test_threaded_comments_and_unknown_parts_are_kept(tmp_path):
    """Parts openpyxl would drop (a threaded comment, a custom XML part) come through unchanged."""
    source = INVALID / "wrong-amount.xlsx"
    contents = parts(source)
    threaded = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
                '<threadedComment ref="J9" dT="2025-06-01T09:00:00.00" personId="{00000000-0000-0000-0000-000000000001}"'
                ' id="{00000000-0000-0000-0000-000000000002}"><text>単価を確認中</text></threadedComment>'
                '</ThreadedComments>').encode()
    contents["xl/threadedComments/threadedComment1.xml"] = threaded
    contents["customXml/item1.xml"] = b'<?xml version="1.0"?><data>applicant tool</data>'
    contents["xl/worksheets/_rels/sheet7.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.microsoft.com/'
        'office/2017/10/relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/>'
        '</Relationships>').encode()
    source = write_parts(tmp_path / "threaded.xlsx", contents)
    out = tmp_path / "annotated.xlsx"
    annotator = FileAnnotator(source)
    from planvalidator.annotate import annotate
    annotate(annotator, check_file(source))
    annotator.save(out)
    assert annotator.skipped_notes == [("計画様式7", "J9")]           # its finding is not written over it
    assert parts(out)["xl/threadedComments/threadedComment1.xml"] == threaded
    assert parts(out)["customXml/item1.xml"] == contents["customXml/item1.xml"]
    assert highlights(out, "計画様式7") == {"J9": "error"}           # still highlighted and listed
    assert differences(source, out) == []


def test_cli_annotate_writes_a_copy_and_exits_like_check(tmp_path, wrong):
    result = CliRunner().invoke(main, ["annotate", str(wrong)])
    assert result.exit_code == 1
    assert "ineligible-expenses_チェック結果.xlsx" in result.output
    clean = tmp_path / "記入例.xlsx"
    shutil.copy(EXAMPLE, clean)
    assert CliRunner().invoke(main, ["annotate", str(clean)]).exit_code == 0
    annotated = default_output(clean)
    # annotating the annotated copy would overwrite it: only with --in-place
    refused = CliRunner().invoke(main, ["annotate", str(annotated)])
    assert refused.exit_code == 2 and "--in-place" in refused.output
    not_a_book = tmp_path / "メモ.xlsx"
    not_a_book.write_text("hello")
    bad = CliRunner().invoke(main, ["annotate", str(not_a_book)])
    assert bad.exit_code == 2 and "Traceback" not in bad.output and "メモ.xlsx" in bad.output


def test_an_applicants_own_sheet_named_like_ours_is_kept(tmp_path):
    def prepare(book):
        book.create_sheet("チェック結果")["A1"] = "自分用のチェックリスト"
    source = edit(EXAMPLE, tmp_path / "own.xlsx", {}, prepare=prepare)
    out = tmp_path / "annotated.xlsx"
    annotate_file(source, out)
    again = tmp_path / "again.xlsx"
    annotate_file(out, again)
    book = openpyxl.load_workbook(again, read_only=True)
    assert book.sheetnames[0] == "チェック結果（planvalidator）"
    assert book["チェック結果"]["A1"].value == "自分用のチェックリスト"
    assert book.sheetnames.count("チェック結果（planvalidator）") == 1


def test_cli_annotate_json_names_each_output(tmp_path):
    import json
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    shutil.copy(EXAMPLE, first)
    shutil.copy(INVALID / "wrong-amount.xlsx", second)
    result = CliRunner().invoke(main, ["annotate", "--format", "json", str(first), str(second)])
    assert result.exit_code == 1
    files = json.loads(result.output)["files"]
    assert [f["output"] for f in files] == [str(tmp_path / "a_チェック結果.xlsx"), str(tmp_path / "b_チェック結果.xlsx")]
    assert [f["summary"]["error"] for f in files] == [0, 1]
    assert files[1]["findings"][0]["cell"] == "J9"
