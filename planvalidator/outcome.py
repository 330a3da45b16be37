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
from dataclasses import dataclass

from planvalidator.errors import CannotCheck

INTERNAL = "内部エラー"
PIP = "pip install planvalidator で依存パッケージごと入れ直すか、pip install {package}"
LITE = "xlwings Lite の requirements.txt タブに {package} の行を加えてください"
MAX_TEXT = 200                      # characters of an internal error's own text that are shown
# the name to install where it is not the name imported
DISTRIBUTIONS = {"yaml": "PyYAML", "python_calamine": "python-calamine",
                 "msoffcrypto": "msoffcrypto-tool", "sudachipy": "SudachiPy", "sudachidict_core": "SudachiDict-core"}


@dataclass(frozen=True)
class Failure:
    """Why one file got no result: ``reason`` is one Japanese line without the file's name,
    ``line`` the same naming the file (where one is known); ``internal`` is True when it is not
    the file's fault (a missing package, a bug)."""
    reason: str
    file: str | None = None
    internal: bool = False

    @property
    def line(self) -> str:
        return f"{self.file}: {self.reason}" if self.file else self.reason

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


def one_line(text: str) -> str:
    """``text`` on one line: each line break (with the spaces around it) as one space."""
    return re.sub(r"[ \t]*[\r\n\v\f\x85\u2028\u2029]+[ \t]*", " ", text).strip()
