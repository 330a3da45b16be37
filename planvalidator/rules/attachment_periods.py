"""PV407: whether the 決算書等 are those of the latest 期 at the application date (公募要領 6.(3) ②
「直近2期分の決算書等」), each group member's on its own.

The day is the 提出日, else the 募集期間, else today (planvalidator/application_date.py); whether the
periods found are the latest at it is planvalidator/fiscal.py; the files are the attachment rules'
(planvalidator/rules/attachments.py), the finding placed where PV404 places its own.
"""

from __future__ import annotations

from planvalidator import fiscal
from planvalidator.application_date import TODAY, application_date
from planvalidator.context import Context
from planvalidator.findings import Severity
from planvalidator.plan import Plan
from planvalidator.rules.attachments import (
    SHEET,
    document_cell,
    files_of,
    financial_kinds,
    group_members,
    known,
)
from planvalidator.rules.base import define, implements
from planvalidator.rules.documents import document_rows
from planvalidator.structs import replace
from planvalidator.wareki import wareki_date

LATEST = define(
    "PV407", "attachment-old-periods", "error", "決算書等が直近{attachment_periods}期のものではありません",
    "公募要領 6.(3) ②（直近{attachment_periods}期分の決算書等）; 6.(1)（募集期間）",
    """
何を: 添付された決算書・確定申告書等の決算期（PV404 と同じく本文の「自…至…」「…現在」「…年分」、ファイル名の
「R5」など）が、申請の日の時点で直近の {attachment_periods} 期か。申請の日は {sheet[applicant]} の提出日、なければ募集期間
（{application_window}）、それもなければ今日です（どれで判断したかを所見に書きます）。直近の期は、申請の日の前に
終わった期のうち新しいもの（事業年度の終わりの月は、見つかった最も新しい期のもの。個人事業主は暦年「…年分」）。
・最も新しい期が直近の期で、その前の期が 1 年以内に続いている → 正しい。
・1 期前の {attachment_periods} 期で、直近の期が終わってから {closing_months} か月以内（決算がまだ確定・申告されていない
  ことがある）→ 警告。
・それより古い、または直近の期とその前の期の間が抜けている（直近の 1 期と古い 1 期）→ エラー。見つかった期を
  書類の書き方のまま（「令和4年4月1日〜令和5年3月31日」）と、直近の期を挙げます。
提出日がなく募集期間で判断するときは、初日の時点でも古ければエラー、最終日の時点でだけ古ければ警告。今日で判断するとき、
ファイル名の年（「R5」）だけで読んだ期のときも警告にとどめます。{org_type[group]}は構成員ごとに（その構成員の名称の欄）。
決算期が読み取れないときは何も言いません。
なぜ: 提出するのは直近 {attachment_periods} 期分の決算書等です。古い期の決算書では、いまの財務の状況を審査できません。
期末からの {closing_months} か月は公募要領ではなく税法の申告期限から（法人税は期末の翌日から 2 か月、延長の特例でさらに
1 か月。個人の確定申告は翌年 3 月 15 日まで）: その間は決算がまだのことがあり、公募要領の言葉に幅があるので警告にとどめます。
例: 3月決算の法人、提出日が令和7年6月2日 → 令和5年4月1日〜令和6年3月31日と令和6年4月1日〜令和7年3月31日の決算書 →
正しい。令和4年4月1日〜令和5年3月31日と令和5年4月1日〜令和6年3月31日 → 警告（令和7年3月31日に終わった期の決算が
まだのことがある）。令和3年4月1日〜令和4年3月31日と令和4年4月1日〜令和5年3月31日 → エラー。
個人事業主で提出日が令和7年6月2日 → 令和5年分と令和6年分 → 正しい。令和4年分と令和5年分 → エラー。
""", reads=("attachments.periods", "attachments.recency", "application_window", "attachments.kinds", "documents"),
    advice="申請の日の時点で直近の 2 期分の決算書等に差し替えてください（決算期が読み違えられているなら、ファイル名に決算期を書きます）。")


@implements(LATEST)
def attachment_old_periods(plan: Plan, context: Context):
    attachments, vocab = known(context)
    if vocab is None or vocab.closing_months is None:
        return
    files = files_of(attachments, financial_kinds(vocab))
    if not files:
        return                              # none at all is PV403's
    when = application_date(plan, context.program, context.course)
    rule = {"periods": vocab.periods, "closing_months": vocab.closing_months}
    if context.org_type == "group":
        for name, sheet, cell, field in group_members(plan):
            own = [a for a in files if a.mentions(name)]
            judged = _judged(own, when, rule, sole=False)
            if judged is not None:
                yield _stale(judged, when, vocab, f"構成員「{name}」の決算書等", sheet, cell, field)
        return
    judged = _judged(files, when, rule, sole=context.org_type == "sole_proprietor")
    if judged is None:
        return
    documents = context.program.documents
    t, rows = document_rows(plan, documents)
    doc = next((d for d in documents if d.id in vocab.financial_documents), None)
    sheet, cell, _row = document_cell(plan, t, rows, doc.id if doc else "")
    yield _stale(judged, when, vocab, doc.name if doc else "", sheet, cell, f"{SHEET}.documents.attached")


def _judged(files, when, rule, *, sole: bool):
    """The judgement of some statements at the application date, or None when they are the latest (or
    give no dated period). An individual's periods are calendar years (「…年分」 in the files says so too)."""
    yearly = sole or any(w.how == "year" for a in files for w in a.written)
    found = fiscal.found_periods(files, yearly=yearly)
    judged = fiscal.judge_between(found, when.first, when.last, yearly=yearly, **rule)
    return judged if judged is not None and judged.status != fiscal.OK else None


def _stale(j, when, vocab, what: str, sheet, cell, field: str):
    """The finding of statements that are not the latest: the periods found as the files write them, the
    ones expected at the day judged."""
    western = fiscal.written_in_western(j.found)

    def label(end):
        return fiscal.label(end, yearly=j.yearly, western=western)

    n = vocab.periods
    found = "、".join(p.text for p in j.found)
    expected = "、".join(label(end) for end in j.expected)
    day = when.on(j.on)
    if j.status == fiscal.EARLY:
        newest = j.expected[-1]
        message = f"{what}の決算期（{found}）は、{day}の時点の直近{n}期（{expected}）より 1 期前です。"
        if j.yearly:
            message += (f"{label(newest)}の確定申告がまだ済んでいなければこれで足ります（年の終わりから"
                        f"{vocab.closing_months}か月以内）。済んでいれば、{label(newest)}の確定申告書等が必要です")
        else:
            message += (f"{fiscal.day_label(newest, western)}に終わった期の決算がまだ確定していなければこれで足ります"
                        f"（期末から{vocab.closing_months}か月以内）。確定していれば、その期（{label(newest)}）の決算書等が必要です")
        severity = Severity.WARNING
    else:
        missing = j.missing if len(j.missing) < len(j.expected) else ()
        gap = f"（見つからない期: {'、'.join(label(end) for end in missing)}）" if missing else ""
        message = f"{what}の決算期が、{day}の時点の直近{n}期ではありません。添付の決算期: {found}。直近{n}期: {expected}{gap}"
        severity = None
        if j.status == fiscal.UNSURE:
            message += f"。{_why_unsure(j, when)}"
            severity = Severity.WARNING
    f = LATEST.finding(sheet, cell, message, severity, field=field, value=[p.text for p in j.found],
                       expected=[label(end) for end in j.expected])
    stale = j.stale or j.found
    return replace(f, attachment=stale[0].files[0]) if stale[0].files else f


def _why_unsure(j, when) -> str:
    """Why statements that look old are only a warning."""
    if j.guessed:
        return "決算期はファイル名の年（「R5」など）からだけ読み、最も新しく読める期として判断しました。中身を確かめてください"
    if when.basis == TODAY:
        return "申請はそれより前で、その日には直近の期だったかもしれないため警告にしています"
    if when.first is None:
        return "募集期間の初日が分からず、それより前の申請のこともあるため警告にしています"
    return f"募集期間の初日（{wareki_date(when.first)}）の時点では足りているため、提出の日によります（提出日が書かれていません）"
