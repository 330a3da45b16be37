"""Document rules (PV4xx): the 提出書類 list of the applicant sheet (計画様式1 in r7) against 公募要領 6.(3).

Which documents exist and when each is needed is program data (program.yaml ``documents``);
a row of the list is recognised by words of its 書類名, so a reworded list still reads.
"""

from __future__ import annotations

from planvalidator.context import Context
from planvalidator.normalize import means
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements

SHEET = "applicant"         # the layout key of the sheet (its name is 計画様式1 in r7)

MISSING = define(
    "PV401", "document-missing", "error", "必須の提出書類が添付されていません",
    "公募要領 6.(3) 提出書類",
    """
何を: {sheet[applicant]} の提出書類の表で、必ず出す書類（{documents_always}）と、グループ申請のときの
{documents_group} の「添付」が「有」か。
なぜ: 必須書類が欠けた申請は受け付けられません。
例: ② の添付「有」→ 正しい。② の添付「無」→ エラー。グループ申請で ③ が「無」→ エラー。
""", reads=("documents", "org_types"),
    advice="必須の書類を用意して添付し、提出書類の表の「添付」を「有」にしてください。")

MISMATCH = define(
    "PV402", "document-declaration-mismatch", "warning", "提出書類の添付と申告（有/無）が食い違っています",
    "公募要領 6.(3) ③④⑤",
    """
何を: {sheet[applicant]} の「経営革新計画等の認定」「パートナーシップ構築宣言の登録」が「有」なのに ④⑤ の添付が「無」でないか、
逆に添付が「有」なのに申告が「無」でないか。グループ申請でないのに ③ 同意書が「有」でないか。
④⑤ は加点の書類で、欠けても申請はできるため警告です。
なぜ: 認定書・宣言の文書がないと加点されません。申告が「無」のままでは添付した書類が加点に使われません。
例: 経営革新計画等の認定「有」・④ 添付「有」→ 正しい。認定「有」・④ 添付「無」→ 警告（④ の添付欄）。
認定「無」・④ 添付「有」→ 警告（認定の欄）。
""", reads=("documents", "org_types"),
    advice="認定・登録の申告と書類の添付を合わせてください（加点を受けるなら認定書・宣言の文書を添付して「有」に、受けないなら申告を「無」にします）。")


def document_rows(plan: Plan, documents):
    """{document id: (record, row)} for the rows of the 提出書類 table."""
    t = plan.table(SHEET, "documents")
    found = {}
    if t is None or not {"document", "attached"} <= set(t.positions):
        return None, found          # a deleted heading is PV007's
    typed = dict(t.rows())
    grid = plan.grid.sheets[plan.actual(SHEET)]
    for number in t.all_records:
        record = t.record_label(number)
        row = typed.get(record) or {c: grid.value(*t.rowcol(record, c)) for c in t.positions}
        for doc in documents:
            if doc.id not in found and doc.matches(row.get("document")):
                found[doc.id] = (record, row)
                break
    return t, found


def is_attached(row) -> bool:
    return means(row.get("attached"), "有")


def declared_yes(plan: Plan, name: str) -> bool | None:
    value = plan.value(SHEET, name)
    return None if value is None else means(value, "有")


def required(doc, context: Context) -> bool:
    """Whether every application of this applicant must attach ``doc`` (always; ③ for a group)."""
    return doc.when == "always" or (doc.when == "group" and context.org_type == "group")


def to_attach(plan: Plan, context: Context) -> list[str]:
    """The 提出書類 this applicant attaches, in the program's words: the required ones (② with what it is for
    their 組織形態) and the 加点 documents they declared 「有」 for (④ ⑤)."""
    vocab = context.program.attachments
    out = []
    for doc in context.program.documents:
        if doc.when in ("innovation_plan", "partnership"):
            if not declared_yes(plan, doc.when):
                continue
            out.append(f"{doc.name}（加点の対象）")
        elif required(doc, context):
            kinds = vocab.required.get(context.org_type or "", ()) if vocab is not None else ()
            parts = vocab.names(kinds) if kinds and doc.id in vocab.financial_documents else ""
            out.append(f"{doc.name}（{parts}）" if parts else doc.name)
    return out


@implements(MISSING)
def document_missing(plan: Plan, context: Context):
    documents = context.program.documents
    t, rows = document_rows(plan, documents)
    if t is None:
        return
    for doc in documents:
        if not required(doc, context) or doc.id not in rows:
            continue
        record, row = rows[doc.id]
        if not is_attached(row):
            why = "グループ申請では全構成員の" if doc.when == "group" else "必ず提出する書類です。"
            yield MISSING.finding(plan.actual(SHEET), t.cell(record, "attached"),
                                  f"{doc.name}の添付が「{row.get('attached') or '空欄'}」です（{why}添付してください）",
                                  field=f"{SHEET}.documents.attached", value=row.get("attached"), expected="有")


@implements(MISMATCH)
def declaration_mismatch(plan: Plan, context: Context):
    documents = context.program.documents
    t, rows = document_rows(plan, documents)
    if t is None:
        return
    sheet = plan.actual(SHEET)
    for doc in documents:
        if doc.id not in rows:
            continue
        record, row = rows[doc.id]
        if doc.when == "group":
            if is_attached(row) and context.org_type not in (None, "group"):
                yield MISMATCH.finding(sheet, t.cell(record, "attached"),
                                       f"{doc.name}は {context.program.group_min_members} 者以上のグループ申請のときだけの"
                                       f"書類です（組織形態は「{plan.value(SHEET, 'org_type')}」）",
                                       field=f"{SHEET}.documents.attached", value=row.get("attached"), expected="無")
        elif doc.when in ("innovation_plan", "partnership"):
            declared = declared_yes(plan, doc.when)
            field = plan.field(SHEET, doc.when)
            if declared is None or field is None:
                continue
            if declared and not is_attached(row):
                yield MISMATCH.finding(sheet, t.cell(record, "attached"),
                                       f"「{field.title}」が「有」ですが、{doc.name}の添付が「{row.get('attached') or '空欄'}」です"
                                       f"（添付しないと加点されません）",
                                       field=f"{SHEET}.documents.attached", value=row.get("attached"), expected="有")
            elif not declared and is_attached(row):
                yield MISMATCH.finding(sheet, field.cell,
                                       f"{doc.name}を添付していますが、「{field.title}」が「無」です（該当するなら「有」にしてください）",
                                       field=f"{SHEET}.{doc.when}", value=field.value, expected="有")
