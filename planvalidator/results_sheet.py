"""The words of the チェック結果 sheet and of the annotated copy: written by :mod:`planvalidator.annotate`,
read back by :mod:`planvalidator.accepted` (確認済み marks) and :mod:`planvalidator.xl`, and recognised by
the intake (a copy planvalidator wrote is no application's file). One place, below all of them."""

RESULTS_SHEET = "チェック結果"
# the name used when the applicant already has a sheet called チェック結果 of their own
RESULTS_SHEET_ALT = "チェック結果（planvalidator）"
TITLE = "planvalidator チェック結果"       # the sheet's first cell: how our results sheet is told from theirs
MARKER = "【planvalidator】"               # the line before our note in a cell's comment
SUFFIX = "_チェック結果"                   # the annotated copy: <name>_チェック結果.xlsx

# the findings table (直し方 last: a sheet written before it had the column still reads back its 確認済み marks)
TABLE_HEADER = ("重要度", "コード", "シート", "セル", "内容", "出典", "確認済み", "確認時の値", "直し方")
ACCEPT_COLUMN, VALUE_COLUMN = TABLE_HEADER.index("確認済み"), TABLE_HEADER.index("確認時の値")
COMMAND_MARK = "確認済み"          # what --accept writes in the 確認済み column
