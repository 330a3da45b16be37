"""申請書チェック（xlwings Lite 用）— xlwings Lite の main.py タブにこのまま貼り付けます。

The script xlwings Lite runs in Excel (Windows, macOS, Excel on the web): it checks the
事業計画書 open in Excel and marks it in place — the same findings as ``planvalidator check``,
the same colours, notes and 「チェック結果」 sheet as the desktop button
(:func:`planvalidator.xl.check_book`). xlwings Lite hands a script the active workbook as an
``xlwings.Book`` (the remote engine, in Pyodide); ``requirements.txt`` installs planvalidator.
"""

import xlwings as xw
from xlwings import script

from planvalidator.errors import CannotCheck
from planvalidator.xl import check_book


@script
def check_application(book: xw.Book):
    """申請書をチェック: 指摘のセルに色とメモ、先頭に「チェック結果」シート。もう一度押すと置き換えます。"""
    try:
        report = check_book(book)
    except CannotCheck as exc:          # not a 事業計画書, an unsupported form …: one Japanese line
        print(f"チェックできませんでした: {exc.reason}")
        return
    s = report.summary            # open findings (確認済み not counted), as on the results sheet
    see = "先頭の「チェック結果」シートと、色の付いたセルのメモを見てください。" if report.findings else ""
    print(f"{report.verdict}（エラー {s['error']} 件・警告 {s['warning']} 件・情報 {s['info']} 件）。{see}")
