"""One outcome guard (planvalidator/outcome.py) behind every front door: the same bad file gets the same
one-line Japanese reason from the command line (exit 2, one line on stderr), batch (its row), the server
(its answer) and the Excel button and xlwings Lite (their message); an unexpected error is one
「内部エラー」 line, never a traceback.

The bad files are the hostile corpus's (tests/support/hostile.py) and the broken application of the sample
intake (templates/r7/intake/A009_壊れたファイル)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import xlwings
from click.testing import CliRunner

from support import hostile, server_work
from support.helpers import EXAMPLE, R7
from support.xl_payload import payload

from planvalidator.cli import main
from planvalidator.errors import CannotCheck
from planvalidator.outcome import INTERNAL, LITE, PIP, failure

ROOT = Path(__file__).resolve().parents[1]
BROKEN = R7 / "intake" / "A009_壊れたファイル" / "事業計画書.xlsx"
FILES = ["not-a-zip", "truncated", "zip-without-workbook", "sheet-part-missing", "control-characters-raw"]


def reason_of(path) -> str:
    """What the file's own check raises: the reason every front door must say."""
    from planvalidator.engine import check_file

    with pytest.raises(CannotCheck) as raised:
        check_file(path)
    reason = raised.value.reason
    assert reason and "\n" not in reason
    return reason


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    files = {name: hostile.build(name, folder) for name in FILES}
    target = folder / "A009" / BROKEN.name
    target.parent.mkdir()
    shutil.copyfile(BROKEN, target)
    files["A009"] = target
    return files


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("fastapi")
    from test_server import serving_app

    with serving_app(workers=1) as client:
        yield client


def stderr_line(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- the same bad file, the same line, at every door -----------------------------------------

@pytest.mark.parametrize("name", FILES + ["A009"])
def test_a_file_that_cannot_be_checked_gets_the_same_line_at_every_door(name, bad_files, client, tmp_path):
    path = bad_files[name]
    reason = reason_of(path)

    checked = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert checked.exit_code == 2 and "Traceback" not in checked.output
    assert stderr_line(checked) == f"planvalidator: {path}: {reason}"
    assert json.loads(checked.stdout)["error"] == reason

    annotated = CliRunner().invoke(main, ["annotate", "-o", str(tmp_path / "out.xlsx"), str(path)])
    assert annotated.exit_code == 2 and stderr_line(annotated) == f"planvalidator: {path}: {reason}"

    intake = tmp_path / "受付"
    intake.mkdir()
    shutil.copyfile(path, intake / "申請.xlsx")
    batched = CliRunner().invoke(main, ["batch", str(intake), "--format", "json", "--no-cache", "--jobs", "1"])
    assert batched.exit_code == 2 and "Traceback" not in batched.output
    (row,) = json.loads(batched.stdout)["applications"]
    assert row["error"] == reason

    upload = {"file": ("申請.xlsx", path.read_bytes(), "application/octet-stream")}
    page = client.post("/api/check", files=upload)
    assert page.status_code == (422 if path.read_bytes()[:4] == b"PK\x03\x04" else 415)
    assert page.json()["error"] == reason and page.json()["detail"] == f"申請.xlsx: {reason}"
    written = client.post("/api/annotate", files=upload)
    assert written.status_code == 400 and written.json()["detail"] == f"申請.xlsx: {reason}"


@pytest.fixture(scope="module")
def bad_book(bad_files) -> tuple[dict, str]:
    """A real broken workbook as Excel hands it to xlwings (its 計画様式7 part is missing: the book has
    no 計画様式7 sheet), and the reason its check raises."""
    from planvalidator.reader import read_grid
    from planvalidator.xl import grid_from_book

    book = payload(bad_files["sheet-part-missing"])
    with pytest.raises(CannotCheck) as raised:
        read_grid(grid_from_book(xlwings.Book(json=book)))
    return book, raised.value.reason


def lite_script():
    spec = importlib.util.spec_from_file_location("lite_main", ROOT / "xlwings_lite" / "main.py")
    lite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lite)
    return lite


def alerts(book) -> list[str]:
    return [a["args"][0] for a in book.json()["actions"] if a["func"] == "alert"]


def test_a_book_that_cannot_be_checked_gets_the_same_line_at_every_excel_door(bad_book, client, monkeypatch, capsys):
    data, reason = bad_book

    answer = client.post("/xlwings/check", json=data)
    assert answer.status_code == 400 and answer.json()["detail"] == reason

    from planvalidator import xl

    book = xlwings.Book(json=data)
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: book))
    xl.main()
    assert alerts(book) == [f"チェックできませんでした: {reason}"]

    lite_script().check_application(xlwings.Book(json=data))
    assert capsys.readouterr().out.splitlines() == [f"チェックできませんでした: {reason}"]


# --- an unexpected error: one 内部エラー line, no traceback ---------------------------------------

SECRET = "内部の秘密 /home/user/path\n  File \"engine.py\", line 1"


def _broken(*_args, **_kwargs):
    raise RuntimeError(SECRET)


def test_an_unexpected_error_is_one_internal_error_line_at_the_command_line(monkeypatch, tmp_path):
    import planvalidator.engine

    monkeypatch.setattr(planvalidator.engine, "check_file", _broken)
    monkeypatch.setattr(planvalidator.engine, "check", _broken)
    for args in (["check", str(EXAMPLE)], ["annotate", "-o", str(tmp_path / "out.xlsx"), str(EXAMPLE)]):
        result = CliRunner().invoke(main, args)
        line = stderr_line(result)
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert line.startswith(f"planvalidator: {EXAMPLE}: ") and INTERNAL in line and "RuntimeError" in line
        assert "予期しないエラー" in line


def test_an_unexpected_error_is_one_internal_error_line_in_a_batch_row(monkeypatch):
    import planvalidator.engine
    from planvalidator.batch import check_application
    from planvalidator.intake import Source
    from planvalidator.summary import CANNOT_CHECK

    monkeypatch.setattr(planvalidator.engine, "check", _broken)
    row = check_application(Source(id="A001", path=EXAMPLE, kind="workbook"))
    assert row["verdict"] == CANNOT_CHECK and "\n" not in row["error"]
    assert INTERNAL in row["error"] and "RuntimeError" in row["error"] and "Traceback" not in row["error"]


def test_an_unexpected_error_is_one_internal_error_line_at_the_excel_doors(monkeypatch, capsys):
    import planvalidator.engine
    from planvalidator import xl

    monkeypatch.setattr(planvalidator.engine, "check", _broken)
    book = xlwings.Book(json=payload(EXAMPLE))
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: book))
    xl.main()
    (alert,) = alerts(book)
    assert alert.startswith("チェックできませんでした: ") and INTERNAL in alert and "\n" not in alert

    lite_script().check_application(xlwings.Book(json=payload(EXAMPLE)))
    (printed,) = capsys.readouterr().out.splitlines()
    assert printed == alert


def test_an_unexpected_error_in_the_server_is_one_internal_error_line_without_its_text():
    pytest.importorskip("fastapi")
    from test_server import serving_app
    from planvalidator.server import Work

    with serving_app(workers=1, work=Work(check=server_work.check_with_broken_engine,
                                          annotate=server_work.annotate_with_broken_engine,
                                          xlwings=server_work.broken)) as client:
        upload = {"file": ("申請.xlsx", EXAMPLE.read_bytes(), "application/octet-stream")}
        checked = client.post("/api/check", files=upload)
        annotated = client.post("/api/annotate", files=upload)
        book = client.post("/xlwings/check", json=payload(EXAMPLE))
    lines = [checked.json()["error"], annotated.json()["detail"], book.json()["detail"]]
    assert [checked.status_code, annotated.status_code, book.status_code] == [500, 500, 500]
    for line in lines:
        assert INTERNAL in line and "RuntimeError" in line and "\n" not in line
        assert "秘密" not in line and "/home" not in line


# --- the guard itself ------------------------------------------------------------------------

def test_a_missing_package_says_what_to_install_with_pip_or_in_xlwings_lite():
    missing = ModuleNotFoundError("No module named 'yaml'", name="yaml")
    assert "pip install PyYAML" in failure(missing).reason
    lite = failure(missing, install=LITE).reason
    assert "requirements.txt" in lite and "PyYAML" in lite and "pip" not in lite
    assert failure(ModuleNotFoundError("x", name="lxml.etree"), install=PIP).reason.startswith(
        "チェックに必要なパッケージ lxml がインストールされていません")


def test_the_line_names_the_file_and_an_error_is_never_more_than_one_line():
    cannot = CannotCheck("シート「計画様式7」が見つかりません", file="a.xlsx")
    assert failure(cannot, "b.xlsx").line == "a.xlsx: シート「計画様式7」が見つかりません"
    assert failure(CannotCheck("読めません"), "b.xlsx").line == "b.xlsx: 読めません"
    internal = failure(RuntimeError(SECRET), "b.xlsx", "書き込み")
    assert internal.internal and "\n" not in internal.line and internal.reason.startswith("書き込み中に")
    private = failure(RuntimeError(SECRET), private=True).reason
    assert INTERNAL in private and "RuntimeError" in private and "秘密" not in private


def test_the_excel_button_without_planvalidator_in_xlwings_lite_says_what_to_add(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "planvalidator.outcome", None)
    monkeypatch.setitem(sys.modules, "planvalidator.xl", None)
    lite_script().check_application(xlwings.Book(json=payload(EXAMPLE)))
    (printed,) = capsys.readouterr().out.splitlines()
    assert "planvalidator がインストールされていません" in printed and "requirements.txt" in printed


ADVICE_OF = {        # hostile case → words the applicant's advice must hold (planvalidator.outcome.advice)
    "encrypted": "パスワードを外して保存し直して",
    "old-xls": "「名前を付けて保存」で「Excel ブック (*.xlsx)」",
    "pdf-renamed": "PDF ではなく、記入した事業計画書の Excel ファイル",
    "truncated": "ファイルが壊れているか、保存の途中で切れています",
    "not-a-zip": "記入した事業計画書の Excel ファイル（.xlsx）を選んでください",
    "empty": "ファイルが壊れているか、保存の途中で切れています",
    "zip-bomb": "様式にない大きな画像",
    "sheet-part-missing": "ファイルが壊れているか",
}


@pytest.mark.parametrize("name", sorted(ADVICE_OF))
def test_a_file_that_cannot_be_checked_says_what_to_do(tmp_path, name):
    path = hostile.build(name, tmp_path)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert result.exit_code == 2
    data = json.loads(result.output[result.output.index("{"):])
    assert data["error"] and data["findings"] == []
    assert ADVICE_OF[name] in data["advice"], (data["error"], data["advice"])


def test_an_unknown_form_and_a_missing_file_and_our_own_errors_say_what_to_do(tmp_path):
    from planvalidator.outcome import advice

    blank = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(blank)
    assert "今年度の事業計画書の様式（計画様式1〜9）をダウンロード" in advice(reason_of(blank))
    assert "ファイルの場所と名前を確かめて" in advice(failure(CannotCheck("ファイルが見つかりません", file="a.xlsx")).reason)
    assert "申請書の誤りではありません" in failure(ModuleNotFoundError("x", name="python_calamine")).advice
    assert "planvalidator の不具合です" in failure(KeyError("x")).advice
