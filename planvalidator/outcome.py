"""The one outcome guard: whatever reading or checking a file raised, one Japanese line — never a traceback.

Every front door (the command line, batch, the server, the Excel button, xlwings Lite) catches
``Exception`` around its work on one file and asks :func:`failure` what to tell the user:

- :class:`~planvalidator.errors.CannotCheck` (the file's fault: not a workbook, an unknown form, a
  part too large …): its own reason, which names the sheet, part or cell where there is one;
- a missing package (``ModuleNotFoundError``): what to install — with pip, or in xlwings Lite's
  requirements.txt (``install=LITE``);
- anything else: a 「内部エラー」 line naming the error's type (and its text, unless ``private``:
  the server never sends it, it may hold paths).

What each door does with the line is its own: the CLI writes it on stderr and exits 2, batch puts
it in the application's row, the server answers it with its HTTP status, the button shows it in
an alert. ``KeyboardInterrupt`` and ``SystemExit`` are not ``Exception`` and are never caught here.
"""

from __future__ import annotations

import re

from planvalidator.errors import CannotCheck
from planvalidator.structs import Frozen

INTERNAL = "内部エラー"
PIP = "pip install planvalidator で依存パッケージごと入れ直すか、pip install {package}"
LITE = "xlwings Lite の requirements.txt タブに {package} の行を加えてください"
MAX_TEXT = 200                      # characters of an internal error's own text that are shown
# the name to install where it is not the name imported
DISTRIBUTIONS = {"yaml": "PyYAML", "python_calamine": "python-calamine",
                 "msoffcrypto": "msoffcrypto-tool", "sudachipy": "SudachiPy", "sudachidict_core": "SudachiDict-core"}


class Failure(Frozen):
    """Why one file got no result: ``reason`` is one Japanese line without the file's name,
    ``line`` the same naming the file (where one is known); ``internal`` is True when it is not
    the file's fault (a missing package, a bug)."""
    reason: str
    file: str | None = None
    internal: bool = False

    @property
    def line(self) -> str:
        return f"{self.file}: {self.reason}" if self.file else self.reason

    @property
    def advice(self) -> str:
        """What the applicant does about it (:func:`advice`)."""
        return advice(self.reason)

    def __str__(self) -> str:
        return self.line


def failure(exc: BaseException, file: str | None = None, doing: str = "チェック", *,
            private: bool = False, install: str = PIP) -> Failure:
    """The one-line outcome of ``exc``, raised while ``doing`` (「チェック」「書き込み」…) ``file``.

    A CannotCheck keeps the file it names itself; ``private`` leaves an internal error's own text
    out (only its type is named); ``install`` says how a missing package is added (``{package}``)."""
    if isinstance(exc, CannotCheck):
        return Failure(one_line(exc.reason), exc.file or file)
    return Failure(unexpected(doing, exc, private=private, install=install), file, internal=True)


def unexpected(doing: str, exc: BaseException, *, private: bool = False, install: str = PIP) -> str:
    """One line for an error that is not the file's fault (a missing package says how to add it)."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        package = exc.name.split(".")[0]
        package = DISTRIBUTIONS.get(package, package)
        return (f"{doing}に必要なパッケージ {package} がインストールされていません"
                f"（{install.format(package=package)}）")
    name = type(exc).__name__
    text = "" if private else one_line(str(exc))
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "…"
    return f"{doing}中に予期しないエラーが起きました（{INTERNAL} {name}{': ' + text if text else ''}）"


RESAVE = "Excel で開いて「名前を付けて保存」で「Excel ブック (*.xlsx)」として保存し直してから、もう一度チェックしてください"
# what to do, per kind of failure, in an applicant's words: (words of the reason, advice), the first that
# matches; the reasons are those of planvalidator.workbook, reader, revision, intake and unexpected() above
ADVICE = (
    (("がインストールされていません",),
     "チェックする側の準備が足りません（申請書の誤りではありません）。上の案内のとおり部品を入れるか、"
     "チェックのページを用意した窓口に知らせてください"),
    ((INTERNAL,),
     "planvalidator の不具合です（申請書の誤りではありません）。この 1 行を窓口か planvalidator の担当に知らせてください"),
    (("パスワード",),
     "パスワードを外して保存し直してください（Excel の［ファイル］→［情報］→［ブックの保護］→［パスワードを使用して暗号化］で"
     "パスワードを消して保存）。そのあと、もう一度チェックしてください"),
    (("古い Excel 形式",), RESAVE),
    (("PDF ファイルです",), "PDF ではなく、記入した事業計画書の Excel ファイル（.xlsx）を選んでください"),
    (("上限", "大きすぎ", "を超えます"),
     "様式にない大きな画像・シート・離れたセルへの入力を消して保存し直してから、もう一度チェックしてください"),
    (("Excelブック（.xlsx / .xlsm）ではありません", "Excelブック .xlsx / .xlsm を指定"),
     "記入した事業計画書の Excel ファイル（.xlsx）を選んでください。Excel で作ったファイルなら、" + RESAVE),
    (("空のファイル", "zip として壊れて", "Excelブックとして読めません",
      "シートを読めません", "のシート（"),
     "ファイルが壊れているか、保存の途中で切れています。元のファイルを Excel で開けるなら、" + RESAVE
     + "。開けないときは、保存し直す前のファイルかバックアップを使ってください"),
    (("違いすぎる", "対応している事業計画書の様式ではありません"),
     "公募要領と一緒に公開されている今年度の事業計画書の様式（計画様式1〜9）をダウンロードし、それに記入してください"
     "（シートや見出しを消したり書き換えたりしないでください）"),
    (("見つかりません", "フォルダです", "通常のファイルではありません", "開けません"),
     "ファイルの場所と名前を確かめて、記入した事業計画書（.xlsx）を選び直してください"),
)
OTHERWISE = "事業計画書を Excel で開いて保存し直し、もう一度チェックしてください。それでも同じなら、この 1 行を窓口に知らせてください"


def advice(reason: str | None) -> str:
    """What the applicant should do about a file that could not be checked, from the one line of
    :func:`failure` (or a front door's own line): re-save, remove a password, use the official template …"""
    text = reason or ""
    return next((what for words, what in ADVICE if any(w in text for w in words)), OTHERWISE)


def one_line(text: str) -> str:
    """``text`` on one line: each line break (with the spaces around it) as one space."""
    return re.sub(r"[ \t]*[\r\n\v\f\x85\u2028\u2029]+[ \t]*", " ", text).strip()
