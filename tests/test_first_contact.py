"""What a new user meets first (issue 28): click's own words in Japanese for every command tried with a wrong
option, a missing argument, a wrong value or a file that is not there; `serve` on a busy port is one Japanese
line and exit 2; text output wraps on a terminal and is whole in a file, never cut with 「…」."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from planvalidator.cli import main
from support.helpers import ROOT, R7

COMMANDS = [["check"], ["annotate"], ["batch"], ["export"], ["fill"], ["template", "verify"], ["template", "diff"],
            ["template", "new"], ["rules"], ["programs"], ["excel-template"], ["serve"], []]
# a line a user reads is Japanese: it holds kana or kanji, or is only what the user typed (a path, an option)
JAPANESE = re.compile(r"[ぁ-んァ-ヶ一-龠]")


def english_lines(text: str) -> list[str]:
    """The lines a user would read as English prose: two English words in a row, once what the user types is
    taken out (example commands, options, paths, choices like [text|json], names like XLWINGS_LICENSE_KEY)."""
    out = []
    for line in text.splitlines():
        if re.match(r"\s*(\S+=\S+\s+)?planvalidator\s", line):           # an example command
            continue
        bare = re.sub(r"planvalidator(\s+[a-z-]+){0,2}|Excel on the web|xlwings Lite", " ", line)   # names
        bare = re.sub(r"\[[^\]]*\]|--?[\w-]+|'[^']*'|「[^」]*」|\S*[/\\.=]\S*|\b[A-Z_]{3,}\b", " ", bare)
        if re.search(r"\b[A-Za-z]{2,}\s+[a-z]{2,}\b", bare) or re.search(
                r"\b(Usage|Options|Commands|Error|Show|No such|Missing|Invalid|Try|Aborted)\b", line):
            out.append(line)
    return out


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "planvalidator")
@pytest.mark.parametrize("wrong", [["--frobnicate"], ["--help"], ["-h"]], ids=lambda w: w[0])
def test_click_speaks_japanese(command, wrong):
    result = CliRunner().invoke(main, [*command, *wrong], prog_name="planvalidator")
    assert result.exit_code == (0 if wrong[0].startswith("-h") or wrong[0] == "--help" else 2), result.output
    assert english_lines(result.output) == [], result.output
    if wrong == ["--frobnicate"]:
        assert "エラー: 「--frobnicate」というオプションはありません。" in result.output
    else:
        assert result.output.startswith("使い方: ") and "オプション:" in result.output
        assert "この説明を表示して終わります。" in result.output


@pytest.mark.parametrize("args, says", [
    (["check"], "エラー: 次の引数がありません: 'ファイル...'."),
    (["template", "diff", "a.xlsx"], "エラー: 次の引数がありません: '新しい様式'."),
    (["check", "--format", "xml", "x.xlsx"], "「xml」は使えません（'text', 'json'"),
    (["batch", "--jobs", "x", "."], "「x」は数ではありません。"),
    (["batch", "--jobs", "0", "."], "は範囲 1<=x<=64 の外です。"),
    (["serve", "--port", "99999"], "は範囲 1<=x<=65535 の外です。"),
    (["nosuch"], "エラー: 「nosuch」というコマンドはありません。"),
    (["template", "nosuch"], "エラー: 「nosuch」というコマンドはありません。"),
    (["export", "ない.xlsx"], "ない.xlsx"),
    (["excel-template", "ない.xlsx"], "出力はマクロ有効ブック（.xlsm）にしてください"),
])
def test_usage_errors_are_one_japanese_answer_and_exit_2(args, says):
    result = CliRunner().invoke(main, args, prog_name="planvalidator")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert says in result.output, result.output
    assert english_lines(result.output) == [], result.output


def test_the_version_is_japanese():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"planvalidator バージョン \S+\n", result.output)


def test_serve_on_a_busy_port_is_one_japanese_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "planvalidator", "serve", "--port", str(port)], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"planvalidator: ポート {port} はほかのプログラム（別の planvalidator serve など）"
                                          f"が使っています。--port で別の番号を指定してください（例: --port {port + 1}）"]
    assert result.stdout == "" and "http://" not in result.stderr


@pytest.mark.parametrize("host, says", [("256.1.1.1", "このマシンで待ち受けられるアドレスではありません"),
                                        ("192.0.2.1", "このマシンのアドレスではありません")])
def test_serve_on_an_address_that_is_not_this_machines_is_one_line(host, says):
    from planvalidator.cli.serving import port_problem

    assert says in port_problem(host, 8000)


def _long_report():
    from planvalidator.engine import check_file

    return check_file(R7 / "invalid" / "ineligible-expenses.xlsx")


def test_written_to_a_file_every_message_is_whole_on_its_line():
    from planvalidator.formats import Outcome
    from planvalidator.formats.text import write

    report = _long_report()
    out = io.StringIO()
    write([Outcome(report.file, report)], out, color=False)
    lines = out.getvalue().splitlines()
    assert "…" not in out.getvalue()
    for finding in report.open_findings:
        assert any(finding.message in line and finding.where in line for line in lines), finding.message
    assert not [line for line in lines if re.match(r"\s{10,}(?!直し方: )\S", line)]   # no message folded onto a second line
    for finding in report.open_findings:                                         # (its 直し方 is the line under it)
        assert any(line.strip() == f"直し方: {finding.advice}" for line in lines)


@pytest.mark.parametrize("width", [60, 100])
def test_on_a_narrow_terminal_messages_wrap_and_are_never_cut(width):
    from planvalidator.formats import Outcome
    from planvalidator.formats.text import write

    report = _long_report()
    out = io.StringIO()
    write([Outcome(report.file, report)], out, color=False, width=width)
    text = out.getvalue()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= width
    joined = re.sub(r"\s+", "", text)
    for finding in report.open_findings:
        assert re.sub(r"\s+", "", finding.message) in joined, finding.message
