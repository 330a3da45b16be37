"""The check page and its JSON API (no browser: FastAPI's TestClient). The page in a real browser:
test_browser.py.

/api/check answers what ``planvalidator check --format json`` prints, /api/annotate the workbook
``planvalidator annotate`` writes; bad input gets one Japanese line; the upload stays in memory
(nothing spooled, written or logged); the page loads nothing from elsewhere and needs no xlwings
licence."""

import json
import os
import re
import tempfile
from urllib.parse import unquote

import pytest

from support import server_work
from support.helpers import EXAMPLE, R7
from test_server import LOCAL, nothing_but_the_fork_server, recorded_writes, serving_app

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from planvalidator import server  # noqa: E402
from planvalidator.server import Work  # noqa: E402
from planvalidator.engine import check_file  # noqa: E402
from planvalidator.formats import Outcome  # noqa: E402
from planvalidator.formats.json import outcome_dict  # noqa: E402
from planvalidator.server import create_app  # noqa: E402
from planvalidator.workbook import load_grid  # noqa: E402

WRONG = R7 / "invalid" / "wrong-amount.xlsx"
BUTTON = R7 / "jigyo-keikakusho-r7-button.xlsm"
PLANTED = ("PV201", "計画様式7", "J9")


@pytest.fixture(scope="module")
def client():
    with serving_app() as client:
        yield client


def upload(path, name=None, data=None):
    return {"file": (name or path.name, data if data is not None else path.read_bytes(), "application/octet-stream")}


def found(report_or_dict) -> set[tuple[str, str, str]]:
    items = report_or_dict["findings"] if isinstance(report_or_dict, dict) else [f.to_dict() for f in report_or_dict.findings]
    return {(f["rule"], f["sheet"], f["cell"]) for f in items}


def one_line(answer) -> str:
    text = answer.json()["detail"]
    assert isinstance(text, str) and text and "\n" not in text and "Traceback" not in text
    return text


# --- /api/check -----------------------------------------------------------------------------

def test_check_answers_the_json_of_check_format_json(client):
    answer = client.post("/api/check", files=upload(WRONG))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    got = answer.json()
    expected = outcome_dict(Outcome("wrong-amount.xlsx", check_file(WRONG, file="wrong-amount.xlsx")))
    assert got == json.loads(json.dumps(expected, ensure_ascii=False))          # the same JSON, key for key
    assert list(got) == ["file", "template", "error", "summary", "accepted", "incomplete", "findings", "money",
                         "next_steps", "advice", "analyser", "analyser_note"]
    assert got["file"] == "wrong-amount.xlsx" and got["error"] is None
    pv201 = [f for f in got["findings"] if f["rule"] == "PV201"]
    assert [(f["sheet"], f["cell"], f["severity"]) for f in pv201] == [("計画様式7", "J9", "error")]
    assert "250,000" in pv201[0]["message"] and pv201[0]["reference"]
    money = got["money"]
    assert {"eligible", "rate", "cap", "limit", "requested", "within"} <= set(money)


def test_check_a_clean_example_and_a_macro_book(client):
    clean = client.post("/api/check", files=upload(EXAMPLE)).json()
    assert clean["error"] is None and clean["summary"]["error"] == 0
    macro = client.post("/api/check", files=upload(BUTTON)).json()
    assert macro["error"] is None and macro["template"] == "r7"


@pytest.mark.parametrize("name, data, status", [
    ("メモ.txt", b"hello", 415),                       # not a workbook at all
    ("決算書.pdf", b"%PDF-1.7\n", 415),
    ("古い様式.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, 415),
    ("申請.xlsx", b"%PDF-1.7\n", 415),                 # named .xlsx, but a PDF
    ("壊れた.xlsx", b"PK\x03\x04broken", 422),         # a zip package that cannot be checked
    ("文書.docx", b"PK\x03\x04" + b"\0" * 26, 422),
])
def test_a_file_that_cannot_be_checked_is_a_4xx_with_its_line(client, name, data, status):
    answer = client.post("/api/check", files=upload(WRONG, name=name, data=data))
    assert answer.status_code == status
    got = answer.json()
    assert got["detail"].startswith(f"{name}: ") and got["detail"].endswith(got["error"])
    assert got["file"] == name and isinstance(got["error"], str) and "\n" not in got["error"]
    assert got["findings"] == [] and got["money"] is None


@pytest.mark.parametrize("path", ["/api/check", "/api/annotate"])
def test_a_request_that_is_not_an_upload_gets_400_with_one_line(client, path):
    not_multipart = client.post(path, content=b"abc", headers={"content-type": "application/octet-stream"})
    assert not_multipart.status_code == 400 and "multipart" in one_line(not_multipart)
    other_field = client.post(path, files={"other": ("a.xlsx", WRONG.read_bytes())})
    assert other_field.status_code == 400 and "ファイルが送られていません" in one_line(other_field)
    empty = client.post(path, files={"file": ("a.xlsx", b"")})
    assert empty.status_code == 400 and "ファイルが送られていません" in one_line(empty)
    broken = client.post(path, content=b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc",
                         headers={"content-type": "multipart/form-data; boundary=y"})
    assert broken.status_code == 400 and one_line(broken)


# --- /api/annotate ----------------------------------------------------------------------------

def test_annotate_returns_the_annotated_workbook(client, tmp_path):
    answer = client.post("/api/annotate", files=upload(WRONG))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == server.XLSX_TYPE
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    star = re.search(r"filename\*=UTF-8''([^;]+)", disposition).group(1)
    assert unquote(star) == "wrong-amount_チェック結果.xlsx"
    assert re.search(r'filename="[ -~]+\.xlsx"', disposition)                      # an ASCII fallback too
    saved = tmp_path / "wrong-amount_チェック結果.xlsx"
    saved.write_bytes(answer.content)
    again = check_file(saved)
    assert found(again) == found(check_file(WRONG)) and PLANTED in found(again)
    assert "チェック結果" in load_grid(saved).sheet_names
    # the same bytes as annotate's own file backend writes
    from planvalidator.annotate import annotate_file
    report, target = annotate_file(WRONG, tmp_path / "cli.xlsx")
    assert found(check_file(target)) == found(again)


def test_annotate_keeps_the_macro_book_a_macro_book_and_the_japanese_name(client, tmp_path):
    answer = client.post("/api/annotate", files=upload(BUTTON, name="C:\\fakepath\\事業計画書（株式会社石川）.XLSM"))
    assert answer.status_code == 200 and answer.headers["content-type"] == server.XLSM_TYPE
    star = re.search(r"filename\*=UTF-8''([^;]+)", answer.headers["content-disposition"]).group(1)
    assert unquote(star) == "事業計画書（株式会社石川）_チェック結果.xlsm"                 # no folder
    saved = tmp_path / "out.xlsm"
    saved.write_bytes(answer.content)
    import zipfile
    assert "xl/vbaProject.bin" in zipfile.ZipFile(saved).namelist()
    assert "チェック結果" in load_grid(saved).sheet_names


def test_annotate_a_file_that_cannot_be_checked_gets_400(client):
    answer = client.post("/api/annotate", files=upload(WRONG, name="メモ.txt", data=b"hello"))
    assert answer.status_code == 400
    text = one_line(answer)
    assert text.startswith("メモ.txt: ") and "Excelブック" in text


# --- limits -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/check", "/api/annotate"])
def test_a_body_over_the_limit_gets_413(path):
    client = TestClient(create_app(max_request_bytes=10_000), base_url=LOCAL)
    answer = client.post(path, files=upload(WRONG))                # ~30 kB
    assert answer.status_code == 413 and "大きすぎ" in one_line(answer)
    chunked = client.post(path, content=(b"x" * 3000 for _ in range(5)),
                          headers={"content-type": "multipart/form-data; boundary=x"})
    assert chunked.status_code == 413 and "大きすぎ" in one_line(chunked)


def test_a_slow_check_gets_503():
    with serving_app(request_seconds=1, workers=1, work=Work(check=server_work.slow)) as client:
        answer = client.post("/api/check", files=upload(WRONG))
        assert answer.status_code == 503 and "時間" in one_line(answer)


def test_an_unexpected_error_gets_one_line_and_no_secret_in_the_answer():
    with serving_app(workers=1, work=Work(check=server_work.check_with_broken_engine,
                                          annotate=server_work.annotate_with_broken_engine)) as client:
        checked = client.post("/api/check", files=upload(WRONG))
        annotated = client.post("/api/annotate", files=upload(WRONG))
    assert checked.status_code == 500 and "予期しないエラー" in checked.json()["error"]
    assert "秘密" not in checked.text and "/home" not in checked.text
    assert annotated.status_code == 500
    assert "予期しないエラー" in one_line(annotated) and "秘密" not in annotated.text


@pytest.mark.parametrize("body, says", [
    (b"--b\r\n" + b"".join(b'Content-Disposition: form-data; name="f%d"\r\n\r\nx\r\n--b\r\n' % i for i in range(100_000))
     + b"--", "部品が多すぎ"),
    (b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"' + b"; a=b" * 30_000 + b"\r\n\r\nx\r\n--b--\r\n",
     "見出し"),
])
def test_a_body_made_to_be_slow_to_parse_is_refused_at_once(client, body, says):
    """100,000 parts, or a Content-Disposition with 30,000 parameters (the standard library's email
    parser took tens of seconds on either): refused by the multipart parser's limits, one line."""
    answer = client.post("/api/check", content=body, headers={"content-type": "multipart/form-data; boundary=b"})
    assert answer.status_code == 400 and says in one_line(answer)


def test_an_upload_parsed_on_the_event_loop_is_answered_as_one_parsed_in_a_thread(client, monkeypatch):
    """Up to server.INLINE_UPLOAD_BYTES the upload is parsed on the event loop, past it in a thread: the same
    answers either way, for a workbook, bodies that are not an upload, and one made to be slow to parse."""
    bodies = [dict(files=upload(WRONG)), dict(files=upload(EXAMPLE, name="記入例.xlsx")),
              dict(files={"other": ("a.xlsx", WRONG.read_bytes())}), dict(files={"file": ("a.xlsx", b"")}),
              dict(content=b"abc", headers={"content-type": "application/octet-stream"}),
              dict(content=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"' + b"; a=b" * 30_000
                   + b"\r\n\r\nx\r\n--b--\r\n", headers={"content-type": "multipart/form-data; boundary=b"})]
    assert all(len(b.get("content", b"")) <= server.INLINE_UPLOAD_BYTES for b in bodies)

    def answers():
        out = []
        for body in bodies:
            answer = client.post("/api/check", **body)
            out.append((answer.status_code, answer.json()))
        return out

    inline = answers()
    monkeypatch.setattr(server, "INLINE_UPLOAD_BYTES", 0)
    assert answers() == inline
    assert [status for status, _ in inline] == [200, 200, 400, 400, 400, 400]


# --- privacy: in memory only ----------------------------------------------------------------------

def test_nothing_is_written_to_disk(monkeypatch, tmp_path):
    """Neither the server nor the worker that checks writes a file (server_work.audited_* fail the
    request on a write in the worker; recorded_writes watches the server), spooling a large body
    included."""
    work, temp = tmp_path / "cwd", tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    with serving_app(workers=1, work=Work(check=server_work.audited_check, annotate=server_work.audited_annotate)) as client:
        client.post("/api/check", files=upload(WRONG))             # warm up: first imports may write .pyc files
        client.post("/api/annotate", files=upload(WRONG))

        def refuse(*args, **kwargs):
            raise AssertionError("a temporary file during a request")
        for name in ("SpooledTemporaryFile", "NamedTemporaryFile", "TemporaryFile", "mkstemp", "mkdtemp"):
            monkeypatch.setattr(tempfile, name, refuse)
        # past Starlette's 1 MB spooling threshold: an extra 2 MB field beside the workbook
        big = {"padding": (None, "x" * 2_000_000)}
        with recorded_writes() as writes:
            answers = [client.post("/api/check", files=upload(WRONG)),
                       client.post("/api/annotate", files=upload(WRONG)),
                       client.post("/api/check", files={**upload(WRONG), **big}),
                       client.post("/api/annotate", files={**upload(WRONG), **big})]
    assert [a.status_code for a in answers] == [200] * 4, answers[0].text
    assert PLANTED in found(answers[2].json()) and answers[3].content == answers[1].content
    assert writes == []
    assert list(work.iterdir()) == [] and nothing_but_the_fork_server(temp)


# --- the page ---------------------------------------------------------------------------------------

def test_the_page_loads_nothing_from_elsewhere(client):
    answer = client.get("/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert '<html lang="ja">' in html and 'name="viewport"' in html
    assert not re.search(r"https?://", html), "an absolute URL in the page"
    assert not re.search(r"""(src|href|action)\s*=\s*["']?//""", html) and "url(" not in html
    assert "@import" not in html and "<link" not in html
    assert not re.search(r"<script[^>]+src", html)
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "http" not in csp


def test_the_page_is_usable_with_the_keyboard_and_a_screen_reader(client):
    html = client.get("/").text
    assert re.search(r'<input type="file" id="files"[^>]*multiple', html)
    assert '<label class="drop" id="drop" for="files">' in html
    assert 'aria-live="polite"' in html and ":focus-visible" in html
    assert "@media (max-width" in html                                   # one column on a phone
    assert "innerHTML" not in html                                       # a workbook's text is never HTML


def test_the_page_and_api_need_no_xlwings_licence(monkeypatch):
    monkeypatch.delenv("XLWINGS_LICENSE_KEY", raising=False)
    with serving_app(workers=1) as client:
        assert client.get("/").status_code == 200
        assert PLANTED in found(client.post("/api/check", files=upload(WRONG)).json())
        assert client.post("/api/annotate", files=upload(WRONG)).status_code == 200



def test_without_the_licence_only_the_add_in_endpoint_refuses():
    """xlwings reads the key once per process (when xlwings.pro is first imported): a fresh process."""
    import subprocess
    import sys

    code = """if True:
        import json
        from fastapi.testclient import TestClient
        from support.helpers import EXAMPLE
        from support.xl_payload import payload
        from planvalidator.server import create_app
        with TestClient(create_app(workers=1), base_url="http://127.0.0.1") as client:
            add_in = client.post("/xlwings/check", json=payload(EXAMPLE))
            print(json.dumps([client.get("/").status_code, add_in.status_code, add_in.json()], ensure_ascii=False))
    """
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    tests = os.path.dirname(os.path.abspath(__file__))
    env["PYTHONPATH"] = os.pathsep.join([tests, env.get("PYTHONPATH", "")])
    run = subprocess.run([sys.executable, "-W", "ignore", "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, encoding="utf-8")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [200, 500, {"detail": server.NO_LICENSE}]


def test_serve_starts_without_the_licence_and_says_the_add_in_needs_it(monkeypatch):
    from click.testing import CliRunner

    from planvalidator.cli import main

    started = []
    monkeypatch.delenv("XLWINGS_LICENSE_KEY", raising=False)
    monkeypatch.setattr(server, "serve", lambda host, port, allow_hosts=(): started.append((host, port)))
    result = CliRunner().invoke(main, ["serve", "--port", "8123"])
    assert result.exit_code == 0 and started == [("127.0.0.1", 8123)]
    notes = [line for line in result.output.splitlines() if "XLWINGS_LICENSE_KEY" in line]
    assert len(notes) == 1 and "Excel on the web" in notes[0]
    assert "http://127.0.0.1:8123/" in result.output
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0 and "XLWINGS_LICENSE_KEY" not in result.output


def test_rules_html_explains_every_rule_the_findings_link_to(client):
    from planvalidator import rules as catalogue

    answer = client.get("/rules.html")
    assert answer.status_code == 200 and "default-src 'none'" in answer.headers["content-security-policy"]
    for rule in catalogue.all_rules():
        assert f'id="{rule.code}"' in answer.text
    # what a finding cites is there under its code
    pv201 = answer.text.split('id="PV201"', 1)[1].split("</section>", 1)[0]
    assert catalogue.get("PV201").name in pv201 and "出典: 計画様式7 助成対象経費明細" in pv201


def test_the_page_lists_every_program_and_course_and_the_api_takes_the_chosen_one(client):
    from planvalidator.profiles import profiles

    html = client.get("/").text
    for profile in profiles().values():
        for course in profile.courses.values():
            assert f'<option value="{course.id}">' in html
    default = client.post("/api/check", files=upload(EXAMPLE)).json()
    small = client.post("/api/check?program=shinseihin:8", files=upload(EXAMPLE)).json()
    assert default["money"]["cap"] != small["money"]["cap"]
    assert small == outcome_dict(Outcome(EXAMPLE.name, check_file(EXAMPLE, __import__("planvalidator.engine").engine
                                                                  .Options(course="shinseihin:8"), file=EXAMPLE.name)))
    unknown = client.post("/api/check?program=nothing", files=upload(EXAMPLE))
    assert unknown.status_code == 422 and "nothing" in one_line(unknown)
