"""Test PDFs: attachments as applicants submit them (決算書, 確定申告書, 認定書 …), built with fpdf2.

Importable from the tests (tests/ is on pytest's pythonpath) and from scripts (``sys.path`` + tests/)::

    from support.pdfs import financial_statements
    data = financial_statements("株式会社のと木工房", date(2023, 4, 1), date(2024, 3, 31))   # PDF bytes

The text is set in IPA Gothic (Debian/Ubuntu ``fonts-ipafont-gothic``), embedded with its ToUnicode
map, so pypdf reads back the Japanese written. A line that is ``PAGE`` starts a new page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from functools import lru_cache
from pathlib import Path

from planvalidator.wareki import wareki_year

FONT = Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")
PAGE = "\f"              # a line that starts a new page
# every PDF says it was made at this moment: the same lines give the same bytes (a rebuilt example intake
# changes only the files whose content changed)
MADE = dt.datetime(2025, 5, 20, 9, 0, tzinfo=dt.timezone.utc)

# the documents a corporation submits as ② 直近2期分の決算書等 (program.yaml attachments.kinds ids)
CORPORATION = ("balance_sheet", "income_statement", "sga_details", "equity_changes", "corporate_tax_table2")
SOLE_PROPRIETOR = ("tax_return_first", "tax_return_second", "income_tax_statement")
COOPERATIVE = ("balance_sheet", "income_statement", "articles")
# shorter names some callers use for the same kinds
ALIASES = {"sga": "sga_details", "equity": "equity_changes", "tax_schedule2": "corporate_tax_table2",
           "table2": "corporate_tax_table2", "manufacturing": "manufacturing_cost", "blue_return": "income_tax_statement"}


# --- PDFs ---------------------------------------------------------------------------------------

def text_pdf(lines) -> bytes:
    """A PDF with a text layer: one line of text per line (``PAGE`` starts a new page)."""
    return _text_pdf(tuple(lines))


@lru_cache(maxsize=256)
def _text_pdf(lines: tuple[str, ...]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creator("planvalidator tests")
    pdf.set_creation_date(MADE)
    pdf.add_font("ipag", fname=str(FONT))
    pdf.set_font("ipag", size=10)
    pdf.add_page()
    for line in lines:
        if line == PAGE:
            pdf.add_page()
            continue
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@lru_cache(maxsize=1)
def scan_pdf() -> bytes:
    """A PDF as a scanner makes it: a page of drawn shapes and no text at all."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(MADE)
    pdf.add_page()
    pdf.set_fill_color(235, 235, 230)
    pdf.rect(0, 0, 210, 297, style="F")                  # the paper's shade
    pdf.set_draw_color(40, 40, 40)
    pdf.rect(20, 30, 170, 230)                            # a statement's frame and rows
    for y in range(40, 260, 8):
        pdf.line(20, y, 190, y)
    pdf.line(120, 30, 120, 260)
    pdf.set_fill_color(60, 60, 60)
    for y in range(42, 258, 8):                           # blotches where the characters were
        pdf.rect(24, y, 40 + (y * 7) % 50, 3, style="F")
        pdf.rect(150, y, 30, 3, style="F")
    return bytes(pdf.output())


def encrypted_pdf(lines, password: str = "secret", *, user_password: str | None = None) -> bytes:
    """``text_pdf(lines)`` encrypted (RC4-128: pypdf writes and reads it without a crypto package).
    ``user_password=""`` gives a PDF anyone can open (only an owner password is set)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(lines))))
    writer.encrypt(user_password=password if user_password is None else user_password,
                   owner_password=password + "-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def broken_pdf() -> bytes:
    """A file that says it is a PDF and is not one: a header, then the download broke off."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pa"


# --- the documents' texts ------------------------------------------------------------------------

def wareki(day: dt.date) -> str:
    """2024-03-31 → 「令和6年3月31日」."""
    return f"{wareki_year(day)}{day.month}月{day.day}日"


def _written(day: dt.date, western: bool) -> str:
    """A day as accounting software prints it: 「令和6年3月31日」, or in 西暦 「2024年3月31日」."""
    return f"{day.year}年{day.month}月{day.day}日" if western else wareki(day)


def _dots(day: dt.date) -> str:
    """2024-03-31 → 「令和6・3・31」 (the 事業年度 boxes of a 法人税 form)."""
    return f"{wareki_year(day).removesuffix('年').replace('元', '1')}・{day.month}・{day.day}"


def _amounts(company: str, end: dt.date, n: int) -> list[int]:
    seed = hashlib.sha256(f"{company}{end}".encode()).digest()
    return [1_000 * (50 + seed[i % len(seed)] * (i + 3)) for i in range(n)]


def _yen(amount: int) -> str:
    return f"{amount:,}"


def document_lines(kind: str, company: str, period_start: dt.date, period_end: dt.date, *,
                   western: bool = False) -> list[str]:
    """The text of one document (a program.yaml ``attachments.kinds`` id) as the applicant's
    accounting software or the tax office's form prints it; ``western``: the statements' dates in 西暦
    (「自 2023年4月1日 至 2024年3月31日」) — the tax office's forms (別表二) keep their 和暦 boxes."""
    kind = ALIASES.get(kind, kind)
    a = _amounts(company, period_end, 12)
    span = f"自 {_written(period_start, western)}  至 {_written(period_end, western)}"
    unit = "（単位：円）"
    if kind == "balance_sheet":
        assets = a[0] + a[1] + a[2]
        return ["貸 借 対 照 表", f"{_written(period_end, western)}現在", f"{company}  {unit}",
                "資 産 の 部                    負 債 の 部",
                f"【流動資産】 {_yen(a[0] + a[1])}    【流動負債】 {_yen(a[3])}",
                f"  現金及び預金 {_yen(a[0])}      買掛金 {_yen(a[3] // 2)}",
                f"  売掛金 {_yen(a[1])}            未払金 {_yen(a[3] - a[3] // 2)}",
                f"【固定資産】 {_yen(a[2])}    【固定負債】 {_yen(a[4])}",
                f"  機械及び装置 {_yen(a[2])}      長期借入金 {_yen(a[4])}",
                "                              純 資 産 の 部",
                f"                              資本金 {_yen(3_000_000)}",
                f"                              繰越利益剰余金 {_yen(assets - a[3] - a[4] - 3_000_000)}",
                f"資産合計 {_yen(assets)}    負債及び純資産合計 {_yen(assets)}"]
    if kind == "income_statement":
        sales, cost, sga = a[5] * 10, a[6] * 5, a[7] * 3
        return ["損 益 計 算 書", span, f"{company}  {unit}",
                f"売上高 {_yen(sales)}", f"売上原価 {_yen(cost)}", f"売上総利益 {_yen(sales - cost)}",
                f"販売費及び一般管理費 {_yen(sga)}", f"営業利益 {_yen(sales - cost - sga)}",
                f"営業外収益 {_yen(a[8] // 10)}", f"経常利益 {_yen(sales - cost - sga + a[8] // 10)}",
                f"法人税、住民税及び事業税 {_yen(a[9] // 10)}",
                f"当期純利益 {_yen(sales - cost - sga + a[8] // 10 - a[9] // 10)}"]
    if kind == "sga_details":
        return ["販売費及び一般管理費の明細", span, f"{company}  {unit}",
                f"役員報酬 {_yen(a[0] // 3)}", f"給料手当 {_yen(a[1] // 2)}", f"法定福利費 {_yen(a[2] // 9)}",
                f"旅費交通費 {_yen(a[3] // 20)}", f"減価償却費 {_yen(a[4] // 8)}", f"地代家賃 {_yen(a[5])}",
                f"販売費及び一般管理費合計 {_yen(a[7] * 3)}"]
    if kind == "manufacturing_cost":
        return ["製 造 原 価 報 告 書", span, f"{company}  {unit}",
                f"Ⅰ 材料費 {_yen(a[0])}", f"Ⅱ 労務費 {_yen(a[1])}", f"Ⅲ 経費 {_yen(a[2])}",
                f"当期製品製造原価 {_yen(a[0] + a[1] + a[2])}"]
    if kind == "equity_changes":
        return ["株主資本等変動計算書", span, f"{company}  {unit}",
                f"資本金 当期首残高 {_yen(3_000_000)} 当期末残高 {_yen(3_000_000)}",
                f"繰越利益剰余金 当期首残高 {_yen(a[10])} 当期純利益 {_yen(a[11] // 10)}",
                f"株主資本合計 当期末残高 {_yen(3_000_000 + a[10] + a[11] // 10)}"]
    if kind == "corporate_tax_table2":
        return ["同族会社等の判定に関する明細書                        別表二",
                f"事業年度  {_dots(period_start)} ～ {_dots(period_end)}    法人名  {company}",
                "期末現在の発行済株式の総数又は出資の総額   60,000",
                "上位3順位の株式数又は出資の金額          60,000",
                "同族会社の判定割合                        100.0 %",
                "判定結果   同族会社"]
    if kind in ("tax_return_first", "tax_return_second"):
        table = "第一表" if kind == "tax_return_first" else "第二表"
        body = ([f"事業 営業等 {_yen(a[0] * 4)}", f"所得金額等 合計 {_yen(a[1])}", f"課税される所得金額 {_yen(a[2])}"]
                if kind == "tax_return_first" else
                ["所得の内訳（所得税及び復興特別所得税の源泉徴収税額）", "事業専従者に関する事項", "住民税・事業税に関する事項"])
        return [f"{wareki_year(period_end)}分の所得税及び復興特別所得税の確定申告書              {table}",
                f"氏名  {company}", "住所  石川県金沢市鞍月2丁目1番地", *body]
    if kind == "income_tax_statement":
        sales, cost = a[5] * 6, a[6] * 3
        return [f"{wareki_year(period_end)}分所得税青色申告決算書（一般用）", f"氏名  {company}",
                "損益計算書", "（自 1月1日  至 12月31日）", f"売上（収入）金額 {_yen(sales)}",
                f"売上原価 {_yen(cost)}", f"差引金額 {_yen(sales - cost)}", PAGE,
                "貸借対照表（資産負債調）", f"（{wareki(period_end)}現在）",
                f"現金 {_yen(a[0] // 10)}", f"預金 {_yen(a[1])}", f"元入金 {_yen(a[2])}"]
    if kind == "articles":
        return [f"{company} 定款", "第1章 総則", "（目的）",
                "第1条 本組合は、組合員の相互扶助の精神に基づき、組合員のために必要な共同事業を行い、",
                "もって組合員の自主的な経済活動を促進し、かつ、その経済的地位の向上を図ることを目的とする。",
                "（名称）", f"第2条 本組合は、{company}と称する。"]
    if kind == "consent":
        return ["同意書（計画様式 別紙1）",
                "私たちは、下記の構成員によるグループとして、本事業計画書の内容（グループ内の役割分担及び責任体制を含む）に同意します。",
                f"代表申請者  {company}"]
    if kind == "innovation_certificate":
        return ["経営革新計画に係る承認について（通知）", f"{wareki(period_end)}", f"{company} 様",
                f"{wareki(period_start)}付けで申請のありました経営革新計画については、",
                "中小企業等経営強化法第14条第1項の規定に基づき、承認します。", "石川県知事"]
    if kind == "partnership_declaration":
        return ["パートナーシップ構築宣言", f"{wareki(period_end)}", f"{company}",
                "当社は、サプライチェーンの取引先の皆様や価値創造を図る事業者の皆様との連携・共存共栄を進めることで、",
                "新たなパートナーシップを構築するため、以下の項目に重点的に取り組むことを宣言します。",
                "1. サプライチェーン全体の共存共栄と規模・系列等を越えた新たな連携"]
    raise ValueError(f"unknown document kind {kind!r}")


def statement_lines(company: str, period_start: dt.date, period_end: dt.date, kinds=CORPORATION, *,
                    western: bool = False) -> list[str]:
    """The lines of one period's 決算書等 (each document on its own page), e.g. the corporation's
    貸借対照表, 損益計算書, 販売費及び一般管理費の明細, 株主資本等変動計算書 and 別表二."""
    lines: list[str] = []
    for kind in kinds:
        if lines:
            lines.append(PAGE)
        lines += document_lines(kind, company, period_start, period_end, western=western)
    return lines


def financial_statements(company: str, period_start: dt.date, period_end: dt.date, kinds=CORPORATION, *,
                         western: bool = False) -> bytes:
    """One period's 決算書等 as one PDF (each document on its own page): :func:`statement_lines`."""
    return text_pdf(statement_lines(company, period_start, period_end, kinds, western=western))


statements_pdf = financial_statements


def tax_return(name: str, year: int) -> bytes:
    """A sole proprietor's 確定申告書 (第一表 and 第二表) for the calendar year ``year`` (令和5年分 for 2023)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return text_pdf(statement_lines(name, start, end, ("tax_return_first", "tax_return_second")))


def blue_return(name: str, year: int) -> bytes:
    """A sole proprietor's 所得税青色申告決算書 (its 損益計算書 and 貸借対照表) for the calendar year ``year``."""
    return text_pdf(document_lines("income_tax_statement", name, dt.date(year, 1, 1), dt.date(year, 12, 31)))


def fiscal_year(end_year: int, end_month: int = 3) -> tuple[dt.date, dt.date]:
    """The first and last day of the fiscal year ending in ``end_year``/``end_month``
    (fiscal_year(2024) → 2023-04-01, 2024-03-31; fiscal_year(2023, 12) → the calendar year 2023)."""
    import calendar

    last = dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    start_month = end_month % 12 + 1
    start = dt.date(end_year - (1 if end_month != 12 else 0), start_month, 1)
    return start, last
