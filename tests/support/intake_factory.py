"""An intake of applications as ISICO receives them, built from the official 記入例: for the batch
tests, the bundled example intake (scripts/build_intake.py) and the batch benchmark (bench/batch.py).

Each application is a subfolder or a zip holding the 事業計画書 and its PDFs (公募要領 6.(3)), or a lone
workbook; :data:`APPLICATIONS` says what each one is and which findings it must produce.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from support import pdfs
from support.helpers import EXAMPLE, edit

F1, F7 = "計画様式1", "計画様式7"
COMPANY = "株式会社のと木工房"          # the 記入例's applicant
# the 記入例's fiscal periods: 3月決算, the latest two before the 2025 application
PERIODS = [(dt.date(2023, 4, 1), dt.date(2024, 3, 31)), (dt.date(2024, 4, 1), dt.date(2025, 3, 31))]
CORPORATE = ["balance_sheet", "income_statement", "sga", "equity", "tax_schedule2"]

SOLE = {F1: {"D14": "個人事業主", "D13": None, "D10": "のと木工房 能登太郎"}, "計画様式2": {"D7": None, "D8": 2}}
MEMBERS = [("株式会社のと木工房", 1), ("加賀工芸株式会社", 2), ("金沢デザイン合同会社", 3), ("白山精機株式会社", 4)]
GROUP = {F1: {"D14": "グループ（4者以上）", "G42": "有"}, "別紙1": {
    f"{col}{row}": value
    for row, (name, day) in enumerate(MEMBERS, start=8)
    for col, value in (("C", name), ("E", "石川県金沢市"), ("F", "代表 太郎"), ("G", "試作"),
                       ("H", "該当"), ("I", dt.datetime(2025, 5, day)))}}
HOSTILE_NAME = '=HYPERLINK("http://example.com/","詳しくはこちら")'


@dataclass
class Spec:
    """One application of the intake: how it is stored, its workbook's edits, its files, what it must produce."""
    id: str
    what: str                                             # in Japanese, for the README of the example intake
    kind: str = "folder"                                  # folder | zip | workbook
    edits: dict = field(default_factory=dict)             # {sheet: {cell: value}} on the 記入例
    files: list = field(default_factory=list)             # [(name, builder)] — builder() -> bytes
    expect: set = field(default_factory=set)              # {(rule, sheet, cell, severity)} that must be found
    missing: tuple = ()                                   # words the 不足書類 of the summary names
    error: bool = False                                   # cannot be checked (a row saying why)
    workbook_bytes: object = None                         # builder of a workbook that is not the 記入例's
    text: dict = field(default_factory=dict)              # {sheet: {cell: text}} written as text even when it
                                                          # starts with 「=」 (as Excel keeps a 「'=…」 entry)


def statements(company: str, periods=PERIODS, kinds=CORPORATE, *, named: bool = False):
    """One 決算書 PDF per fiscal period (each period's statements together, as accountants send them);
    ``named``: the company's name in the file name (a group's members each send theirs)."""
    prefix = f"{company}_" if named else ""
    return [(f"{prefix}決算書_{end.year}年{end.month}月期.pdf",
             lambda start=start, end=end: pdfs.financial_statements(company, start, end, kinds))
            for start, end in periods]


def returns(name: str, years=(2023, 2024)):
    """確定申告書（第一表・第二表）and 青色申告決算書 of a sole proprietor, one PDF per year."""
    out = []
    for year in years:
        out.append((f"確定申告書_{year}年分.pdf", lambda year=year: pdfs.tax_return(name, year)))
        out.append((f"青色申告決算書_{year}年分.pdf", lambda year=year: pdfs.blue_return(name, year)))
    return out


INNOVATION = ("経営革新計画承認書.pdf", lambda: pdfs.text_pdf(
    ["経営革新計画に係る承認について（通知）", f"{COMPANY} 代表取締役 能登 太郎 様",
     "令和6年5月10日付けで申請のあった経営革新計画については、中小企業等経営強化法第14条第1項の規定に基づき承認します。",
     "石川県知事"]))

APPLICATIONS = [
    Spec("A001_のと木工房", "法人。記入例どおりで、決算書 2 期分と経営革新計画の承認書がそろっている（指摘なし）",
         files=statements(COMPANY) + [INNOVATION]),
    Spec("A002_書類不足", "法人。決算書が 1 期分だけで損益計算書もなく、経営革新計画の承認書もない",
         files=[("決算書_2025年3月期.pdf", lambda: pdfs.financial_statements(
             COMPANY, *PERIODS[1], ["balance_sheet", "sga", "equity", "tax_schedule2"]))],
         expect={("PV403", F1, "G41", "error"), ("PV404", F1, "G41", "warning"), ("PV403", F1, "G43", "warning")},
         missing=("損益計算書", "経営革新")),
    Spec("A003_経費の誤り", "法人。書類はそろっているが、汎用品（ノートPC）の購入があり、助成事業名が「=」で始まる",
         edits={F7: {"F8": "ノートPC（データ解析用）"}}, text={F1: {"D19": HOSTILE_NAME}},
         files=statements(COMPANY) + [INNOVATION],
         expect={("PV102", F7, "F8", "error")}),
    Spec("A004_個人事業主", "個人事業主。確定申告書と青色申告決算書が 2 年分（指摘なし）",
         edits=SOLE, files=returns("能登 太郎") + [INNOVATION]),
    Spec("A005_スキャン", "個人事業主。確定申告書がスキャンした PDF（ファイル名だけで判定し、内容を読めないと警告）",
         edits=SOLE,
         files=[(f"確定申告書_{y}年分.pdf", pdfs.scan_pdf) for y in (2023, 2024)]
         + [(f"青色申告決算書_{y}年分.pdf", lambda y=y: pdfs.blue_return("能登 太郎", y)) for y in (2023, 2024)]
         + [INNOVATION],
         expect={("PV405", None, None, "warning")}),
    Spec("A006_グループ", "4 者のグループ申請。同意書（別紙1）はあるが、白山精機株式会社の決算書がない",
         edits=GROUP,
         files=[f for name, _ in MEMBERS[:3] for f in statements(name, named=True)] + [INNOVATION],
         expect={("PV403", "別紙1", "C11", "error")}),        # a member named in 別紙1: ② requires its statements
    Spec("A007_zip", "法人。zip で届いた申請（Windows の zip: ファイル名が Shift_JIS）。書類はそろっている",
         kind="zip", files=statements(COMPANY) + [INNOVATION]),
    Spec("A008_暗号化", "法人。経営革新計画の承認書にパスワードがかかっていて開けない",
         files=statements(COMPANY) + [("経営革新計画承認書.pdf", lambda: pdfs.encrypted_pdf(["経営革新計画に係る承認について"]))],
         expect={("PV405", None, None, "error")}),
    Spec("A009_壊れたファイル", "事業計画書.xlsx がブックではない（壊れたファイル・細工されたファイルの代わり）",
         files=[("決算書_2025年3月期.pdf", lambda: pdfs.financial_statements(COMPANY, *PERIODS[1], CORPORATE))],
         workbook_bytes=lambda: b"PK\x03\x04" + b"\x00" * 64 + b"this is not a workbook", error=True),
    Spec("A010_計画書だけ.xlsx", "事業計画書だけが届いた（添付書類は分からないので確かめない）。金額の計算違いがある",
         kind="workbook", edits={F7: {"J9": 250000}}, expect={("PV201", F7, "J9", "error")}),
]


class _Cp932Info(zipfile.ZipInfo):
    """A member named as Windows' own zip tool names it: Shift_JIS bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("cp932"), self.flag_bits & ~0x800


def build(spec: Spec, root: Path, book: bytes) -> Path:
    """Write one application under ``root``, its 事業計画書 being ``book``."""
    root.mkdir(parents=True, exist_ok=True)
    files = [("事業計画書.xlsx", book)] + [(name, make()) for name, make in spec.files]
    if spec.kind == "workbook":
        target = root / spec.id
        target.write_bytes(book)
    elif spec.kind == "zip":
        target = root / f"{spec.id}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files:
                info = _Cp932Info(f"{spec.id}/{name}", date_time=(2025, 6, 2, 9, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    else:
        target = root / spec.id
        target.mkdir(exist_ok=True)
        for name, data in files:
            (target / name).write_bytes(data)
    return target


def workbooks(specs=APPLICATIONS) -> dict[str, bytes]:
    """Each application's 事業計画書: the 記入例 with its edits made by openpyxl, then saved by LibreOffice
    as an applicant's Excel saves it (shared strings, cached formula results), all in one soffice run."""
    import subprocess
    import tempfile

    from test_annotate_libreoffice import SOFFICE

    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        edited = {}
        for i, spec in enumerate(specs):
            if spec.workbook_bytes is not None:
                out[spec.id] = spec.workbook_bytes()
            elif not spec.edits and not spec.text:
                out[spec.id] = EXAMPLE.read_bytes()
            else:
                edited[spec.id] = edit(EXAMPLE, tmp / f"{i:03d}.xlsx", spec.edits,
                                       prepare=lambda book, spec=spec: _write_text(book, spec.text))
        if edited:
            if SOFFICE is None:
                raise RuntimeError("LibreOffice (soffice) is needed to save the intake's workbooks")
            subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--calc",
                            "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp / "saved"),
                            *map(str, edited.values())], check=True, capture_output=True, timeout=600)
            for id, path in edited.items():
                out[id] = (tmp / "saved" / path.name).read_bytes()
    return out


def _write_text(book, text: dict) -> None:
    for sheet, cells in text.items():
        for cell, value in cells.items():
            book[sheet][cell].value = value
            book[sheet][cell].data_type = "s"


def build_intake(root: Path, specs=APPLICATIONS) -> Path:
    """The whole intake under ``root`` (emptied first)."""
    if root.exists():
        shutil.rmtree(root)
    books = workbooks(specs)
    for spec in specs:
        build(spec, root, books[spec.id])
    return root
