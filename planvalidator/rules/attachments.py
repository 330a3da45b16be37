"""Attachment rules (PV403–PV406): the files submitted with the workbook against 公募要領 6.(3)
(PV407, whether the 決算期 are the latest, is planvalidator/rules/attachment_periods.py).

They run only when the files are known (``planvalidator batch`` gives them: ``Context.attachments``,
a list of :class:`planvalidator.attachments.Attachment`); a workbook checked on its own gets nothing
from them. What each file is and what each applicant must submit is program data (program.yaml
``attachments``); a finding about the 提出書類 list is placed at the 「添付」 cell of its row, found
as PV401/PV402 find it (planvalidator/rules/documents.py).
"""

from __future__ import annotations

from planvalidator import member_files
from planvalidator.attachments import fiscal_periods, member_key, period_label
from planvalidator.context import Context
from planvalidator.findings import Severity
from planvalidator.normalize import to_text
from planvalidator.plan import Plan
from planvalidator.rules.base import define, implements
from planvalidator.rules.documents import (
    SHEET,
    declared_yes,
    document_rows,
    is_attached,
)
from planvalidator.structs import replace

MEMBERS = "consent"         # the layout key of the group's 同意書 sheet (its members table)

READS = ("attachments.required", "attachments.kinds", "attachments.bundles", "documents", "org_types")

MISSING = define(
    "PV403", "attachment-missing", "error", "提出すべき書類が添付ファイルに見つかりません",
    "公募要領 6.(3) ②〜⑤（提出書類）",
    """
何を: 申請書と一緒に出されたファイル（planvalidator batch で読む PDF など）に、この申請者が出すべき書類があるか。
書類の種類は PDF の本文の書類名で、本文のない PDF（スキャン）や開けないファイルはファイル名で見分けます。
{attachment_document[financials]}は組織形態ごとに、{org_type[corporation]}: {attachments_required[corporation]}。
{org_type[sole_proprietor]}: {attachments_required[sole_proprietor]}。{org_type[cooperative]}: {attachments_required[cooperative]}。
「作成している場合のみ」の書類は求めません。{org_type[group]}: {sheet[consent]} の構成員（と代表申請者）ごとに、
名称（「株式会社」などを除く）がファイル名か本文にある決算書又は確定申告書等。どのファイルにもない構成員はエラー
（その名称の欄）。名称の一部だけがあるファイルや、どの構成員の名称もないファイル（スキャンなど）があって、その構成員の
ものか分からないときは警告。{sheet[consent]} に構成員が書かれていないときは {attachment_kinds[consent]} のファイル。
{sheet[applicant]} の「経営革新計画等の認定」が「有」なら {attachment_kinds[innovation]}、
「パートナーシップ構築宣言の登録」が「有」なら {attachment_kinds[partnership]}（加点の書類なので警告）。
所見は提出書類の表のその書類の行の「添付」欄に、見つからない書類を挙げて 1 件にまとめます。
添付ファイルが分からないとき（申請書だけのチェック）は何も言いません。
なぜ: 必須の書類が欠けた申請は受け付けられません。④⑤ の書類がなければ加点されません。
例: {org_type[corporation]}で上の書類がすべて見つかる → 正しい。うち 1 つの書類がどのファイルにもない → エラー
（② の添付欄「{attachment_document[financials]}のうち、…が添付ファイルに見つかりません」）。
認定「有」で承認書のファイルがない → 警告（④ の添付欄）。{org_type[group]}で構成員「白山精機株式会社」の決算書等がどの
ファイルにもない → エラー（その構成員の名称の欄）。決算書の名称が「白山精器」（字の違い）だけ → 警告。
""", reads=READS,
    advice="不足している書類を用意して、ほかの提出書類と一緒に出してください（ファイル名に書類名を入れると見分けやすくなります）。")

ONE_PERIOD = define(
    "PV404", "attachment-one-period", "warning", "決算書等が直近{attachment_periods}期分そろっていません",
    "公募要領 6.(3) ②（直近{attachment_periods}期分の決算書等）",
    """
何を: 添付された決算書・確定申告書等に書かれた決算期（貸借対照表の「…現在」、損益計算書の「自…至…」、
「…年分」、ファイル名の「R5」「2023年度」など）が {attachment_periods} 期分あるか。同じ期の貸借対照表と損益計算書は 1 期と数えます。
見つかった決算期が 1 期だけのとき警告します（決算期が読み取れないときは何も言いません）。
{org_type[group]}は構成員ごとに数えます（警告は {sheet[consent]} の構成員の名称の欄）。
なぜ: 提出するのは直近 {attachment_periods} 期分の決算書等です。1 期分では審査できません。
例: 令和5年3月期と令和6年3月期の決算書 → 正しい。令和6年3月期の貸借対照表と損益計算書だけ → 警告（② の添付欄）。
""", reads=("attachments.periods", "attachments.kinds", "documents"),
    advice="直近 2 期分の決算書等（貸借対照表・損益計算書など）をそろえて添付してください。")

UNREADABLE = define(
    "PV405", "attachment-unreadable", "error", "添付ファイルを読めません",
    "公募要領 6.(3)（PDFファイルで提出）",
    """
何を: 添付された PDF が開けて、文字が読めるか。パスワードが必要な PDF・壊れていて開けないファイル → エラー。
文字のない PDF（紙をスキャンした画像だけのもの）→ 警告（書類の種類と決算期はファイル名だけで判定します）。
所見はシートのセルではなく、そのファイルについて出します。
なぜ: 開けない書類は審査できず、提出していないのと同じです。スキャンの PDF は中身を機械で確かめられないので、
目で確かめてください。
例: 文字のある PDF → 正しい。パスワード付きの PDF → エラー。スキャンした「決算書.pdf」→ 警告（決算書一式とみなします）。
""", reads=("attachments.kinds", "attachments.bundles"),
    advice="パスワードを外した PDF、開ける PDF で出し直してください。スキャンした PDF は中身を目で確かめてください。")

UNDECLARED = define(
    "PV406", "attachment-undeclared", "warning", "添付ファイルがあるのに申請書では「無」になっています",
    "公募要領 6.(3) ②〜⑤",
    """
何を: 添付ファイルの中にある書類について、{sheet[applicant]} の提出書類の表の「添付」が「有」か。
{attachment_kinds[innovation]}・{attachment_kinds[partnership]}があるのに「経営革新計画等の認定」
「パートナーシップ構築宣言の登録」が「無」でないか（その欄に警告）。{org_type[group]}でないのに
{attachment_kinds[consent]}（{sheet[consent]}）があるときは組織形態の欄に警告します。
なぜ: 申請書の記載と実際に出された書類が食い違うと、加点の書類が使われなかったり、組織形態の誤りを見逃したりします。
例: 認定「有」・④ の添付「無」で承認書のファイルがある → 警告（④ の添付欄）。認定「無」で承認書がある → 警告（認定の欄）。
""", reads=READS,
    advice="申請書の提出書類の表と申告の欄を、実際に添付する書類に合わせて直してください。")


def known(context: Context):
    """The attachments and the program's vocabulary, or (None, None) when the files are not known."""
    vocab = context.program.attachments
    if context.attachments is None or vocab is None:
        return None, None
    return list(context.attachments), vocab


def document_cell(plan: Plan, t, rows, doc_id: str):
    """(sheet, 添付 cell, row) of a document's row of the 提出書類 table (cell None when not found)."""
    if t is not None and doc_id in rows:
        record, row = rows[doc_id]
        return plan.actual(SHEET), t.cell(record, "attached"), row
    return plan.actual(SHEET), None, None


def files_of(attachments, kinds) -> list:
    wanted = set(kinds)
    return [a for a in attachments if wanted & set(a.kinds)]


def financial_kinds(vocab) -> set[str]:
    return {k for doc in vocab.financial_documents for k in vocab.kinds_of(doc)}


def _named(files, limit: int = 3) -> str:
    names = [a.name for a in files]
    return "、".join(names[:limit]) + (f" ほか {len(names) - limit} 件" if len(names) > limit else "")


def group_members(plan: Plan, own: bool = True) -> list[tuple[str, str, str, str]]:
    """(name, sheet, cell, field) of the group's members (``own``: and the 代表申請者 first when it is not
    among them)."""
    out = []
    t = plan.table(MEMBERS, "members")
    if t is not None and "name" in t.positions:
        for record, row in t.rows():
            name = to_text(row.get("name"))
            if name and member_key(name):
                out.append((name, plan.actual(MEMBERS), t.cell(record, "name"), f"{MEMBERS}.members.name"))
    applicant = plan.field(SHEET, "name")
    name = to_text(applicant.value) if applicant is not None and own else None
    if name and member_key(name) and member_key(name) not in {member_key(m[0]) for m in out}:
        out.insert(0, (name, plan.actual(SHEET), applicant.cell, f"{SHEET}.name"))
    return out


def _unopened(attachments, *notes: str) -> str:
    """The notes of a finding in one parenthesis, with the files that could not be opened and told
    nothing by their name."""
    lost = [a for a in attachments if a.status in ("encrypted", "broken") and not a.kinds]
    notes = [n for n in notes if n] + ([f"開けなかったファイル: {_named(lost)}"] if lost else [])
    return f"（{'。'.join(notes)}）" if notes else ""


@implements(MISSING)
def attachment_missing(plan: Plan, context: Context):
    attachments, vocab = known(context)
    if vocab is None:
        return
    documents = context.program.documents
    t, rows = document_rows(plan, documents)
    org = context.org_type
    found = {k for a in attachments for k in a.kinds}
    financial = financial_kinds(vocab)
    for doc in documents:
        sheet, cell, _row = document_cell(plan, t, rows, doc.id)
        if doc.id in vocab.financial_documents:
            needed = vocab.required.get(org, ()) if org else ()
            if org == "group" or not needed:
                if not found & financial:
                    yield MISSING.finding(sheet, cell, f"{doc.name}が添付ファイルに見つかりません{_unopened(attachments)}",
                                          field=f"{SHEET}.documents.attached", expected=doc.name)
                elif org == "group":
                    yield from _members_missing(plan, attachments, financial, doc)
                continue
            severity = None
        elif doc.when == "group":
            if org != "group" or group_members(plan, own=False):
                continue                    # the 同意書 filled in the workbook itself is submitted with it
            needed, severity = vocab.kinds_of(doc.id), None
        elif doc.when in ("innovation_plan", "partnership"):
            if not declared_yes(plan, doc.when):
                continue
            needed, severity = vocab.kinds_of(doc.id), Severity.WARNING
        else:
            continue
        missing = [k for k in needed if k not in found]
        if not missing:
            continue
        if len(needed) == 1:
            what = doc.name
        else:
            what = f"{doc.name}のうち、{vocab.names(missing)}"
        why = "加点の書類です" if severity is Severity.WARNING else ""
        yield MISSING.finding(sheet, cell, f"{what}が添付ファイルに見つかりません{_unopened(attachments, why)}",
                              severity, field=f"{SHEET}.documents.attached", expected=vocab.names(missing))


def _members_missing(plan: Plan, attachments, financial: set[str], doc):
    files = files_of(attachments, financial)
    members = group_members(plan)
    names = [m[0] for m in members]
    need = f"{doc.name}は代表申請者を含む構成員全てのものが必要です"
    for name, sheet, cell, field in members:
        found = member_files.match(name, files, names)
        if found.level == member_files.NAMED:
            continue
        if found.level == member_files.PARTIAL:
            message = (f"構成員「{name}」の決算書又は確定申告書等か確かめてください: 名称の一部「{found.part}」だけが"
                       f"あるファイルがあります（{_named(found.files)}）。{need}")
            severity = Severity.WARNING
        elif found.level == member_files.UNATTRIBUTED:
            message = (f"構成員「{name}」の名称がある決算書又は確定申告書等が見つかりません。どの構成員の名称もない"
                       f"ファイルがあるので、その構成員のものか確かめてください（{_named(found.files)}）。{need}")
            severity = Severity.WARNING
        else:
            message = (f"構成員「{name}」の決算書又は確定申告書等が添付ファイルに見つかりません（{need}。"
                       f"名称がファイル名か本文にあるものを探しました）")
            severity = None
        f = MISSING.finding(sheet, cell, message, severity, field=field, value=name, expected=[f"{name}の決算書等"])
        yield replace(f, attachment=found.files[0].name) if found.files else f


@implements(ONE_PERIOD)
def attachment_one_period(plan: Plan, context: Context):
    attachments, vocab = known(context)
    if vocab is None:
        return
    financial = financial_kinds(vocab)
    files = files_of(attachments, financial)
    if not files:
        return                              # none at all is PV403's
    wanted = vocab.periods
    if context.org_type == "group":
        for name, sheet, cell, field in group_members(plan):
            own = [a for a in files if a.mentions(name)]
            periods = fiscal_periods(own)
            if len(periods) == 1 and wanted > 1:
                yield ONE_PERIOD.finding(sheet, cell, f"構成員「{name}」の決算書等の決算期が {period_label(periods[0])} の"
                                                      f" 1 期分しか見つかりません（直近 {wanted} 期分が必要です: {_named(own)}）",
                                         field=field, value=period_label(periods[0]))
        return
    periods = fiscal_periods(files)
    if len(periods) == 1 and wanted > 1:
        documents = context.program.documents
        t, rows = document_rows(plan, documents)
        doc = next((d for d in documents if d.id in vocab.financial_documents), None)
        sheet, cell, _row = document_cell(plan, t, rows, doc.id if doc else "")
        title = doc.name if doc else ""
        yield ONE_PERIOD.finding(sheet, cell, f"{title}の決算期が {period_label(periods[0])} の 1 期分しか見つかりません"
                                              f"（直近 {wanted} 期分が必要です: {_named(files)}）",
                                 field=f"{SHEET}.documents.attached", value=period_label(periods[0]))


@implements(UNREADABLE)
def attachment_unreadable(plan: Plan, context: Context):
    attachments, vocab = known(context)
    if vocab is None:
        return
    required = vocab.required.get(context.org_type or "")
    financial = financial_kinds(vocab)
    for a in attachments:
        if a.status == "scan":
            # the kinds that matter to this applicant (a corporation's 「決算書」 is not its 青色申告決算書)
            kinds = [k for k in a.kinds if not required or k in required or k not in financial] or a.kinds
            judged = f"（ファイル名から: {vocab.names(kinds)}）" if kinds else "（ファイル名からは書類の種類が分かりません）"
            f = UNREADABLE.finding(None, None, f"「{a.name}」は文字のない PDF（スキャン）のため内容を読めません。"
                                               f"ファイル名だけで判定しました{judged}", Severity.WARNING)
        elif a.status in ("encrypted", "broken"):
            f = UNREADABLE.finding(None, None, f"「{a.name}」: {a.reason or 'ファイルを読めません'}", value=a.status)
        else:
            continue
        yield replace(f, attachment=a.name)


@implements(UNDECLARED)
def attachment_undeclared(plan: Plan, context: Context):
    attachments, vocab = known(context)
    if vocab is None:
        return
    documents = context.program.documents
    t, rows = document_rows(plan, documents)
    applicant = plan.actual(SHEET)
    for doc in documents:
        files = files_of(attachments, vocab.kinds_of(doc.id))
        if not files:
            continue
        which = _named(files)
        if doc.when == "group" and context.org_type not in (None, "group"):
            org = plan.field(SHEET, "org_type")
            if org is not None:
                f = UNDECLARED.finding(applicant, org.cell, f"{doc.name}が添付されています（{which}）が、組織形態は"
                                                            f"「{org.value}」です（グループ申請なら組織形態を直してください）",
                                       field=f"{SHEET}.org_type", value=org.value,
                                       expected=context.program.org_type("group"))
                yield replace(f, attachment=files[0].name)
            continue
        if doc.when in ("innovation_plan", "partnership"):
            field = plan.field(SHEET, doc.when)
            if field is not None and declared_yes(plan, doc.when) is False:
                f = UNDECLARED.finding(applicant, field.cell, f"{doc.name}が添付されています（{which}）が、"
                                                              f"「{field.title}」が「無」です（該当するなら「有」にしてください）",
                                       field=f"{SHEET}.{doc.when}", value=field.value, expected="有")
                yield replace(f, attachment=files[0].name)
                continue
        sheet, cell, row = document_cell(plan, t, rows, doc.id)
        if row is not None and not is_attached(row):
            f = UNDECLARED.finding(sheet, cell, f"{doc.name}が添付されています（{which}）が、提出書類の表の添付が"
                                                f"「{row.get('attached') or '空欄'}」です",
                                   field=f"{SHEET}.documents.attached", value=row.get("attached"), expected="有")
            yield replace(f, attachment=files[0].name)
