"""申請書チェック（xlwings Lite 用）— xlwings Lite の main.py タブにこのまま貼り付けます。

The script xlwings Lite runs in Excel (Windows, macOS, Excel on the web): it checks the
事業計画書 open in Excel and marks it in place — the same findings as ``planvalidator check``,
the same colours, notes and 「チェック結果」 sheet as the desktop button
(:func:`planvalidator.xl.check_book`). xlwings Lite hands a script the active workbook as an
``xlwings.Book`` (the remote engine, in Pyodide); ``requirements.txt`` installs planvalidator.

Whatever the check raises is one Japanese line in the Output pane (:mod:`planvalidator.outcome`,
as the desktop button's alert); a package missing from requirements.txt is named with where to add it.
"""

import xlwings as xw
from xlwings import script

NOT_INSTALLED = ("チェックできませんでした: planvalidator がインストールされていません"
                 "（xlwings Lite の requirements.txt タブに planvalidator の .whl のアドレスの行を加えてください）")

MISSING = None                          # what could not be imported
try:
    from planvalidator.outcome import LITE, failure
    from planvalidator.xl import check_book
except ModuleNotFoundError as exc:      # planvalidator, or a package it needs, is not in requirements.txt
    MISSING = exc


@script
def check_application(book: xw.Book):
    """申請書をチェック: 指摘のセルに色とメモ、先頭に「チェック結果」シート。もう一度押すと置き換えます。"""
    if MISSING is not None:
        print(NOT_INSTALLED if MISSING.name and MISSING.name.split(".")[0] == "planvalidator" else
              f"チェックできませんでした: {failure(MISSING, install=LITE).reason}")
        return
    try:
        report = check_book(book)
    except Exception as exc:            # not a 事業計画書, an unsupported form, a bug …: one Japanese line
        print(f"チェックできませんでした: {failure(exc, install=LITE).reason}")
        return
    s = report.counts             # open findings (確認済み not counted), as on the results sheet
    see = "先頭の「チェック結果」シートと、色の付いたセルのメモを見てください。" if report.findings else ""
    print(f"{report.verdict}（エラー {s['error']} 件・警告 {s['warning']} 件・情報 {s['info']} 件）。{see}")
