"""Is the workbook's template the version it is read as, a revision of it, or too far from it to check?

:func:`planvalidator.locate.locate` lists the labels it found worded otherwise than the version's official
template (``reworded``: near — a guess by :mod:`planvalidator.nearlabel` — or by the layout's own prefix)
and those it did not find (``missing``). From these, :func:`judge` decides:

* **the version as it is** (nothing reworded): a missing sheet or label was deleted by the applicant —
  PV007, an error, as always;
* **a revision of it** (something reworded): the template is not the one planvalidator knows. The fields
  are read where the near labels are, and *one* warning (PV013) names every difference — the wording found
  and its cell, the version nearest — and that planvalidator may need updating. A label missing outright is
  part of that warning: in a revised template it is the template's doing, not the applicant's;
* **too far** (:attr:`Revision.too_much`): more guesses than a reading can stand on. The check stops
  (exit 2, one Japanese line naming the nearest version and what differs).

Why the threshold: the r7 layout reads 147 labels. ISICO's yearly revisions reword a handful, most by
adding to a label (括弧書き), which the layout's prefix rule reads exactly and which do not count here.
What counts are the labels read by a similarity guess or not read at all. Up to ``MAX_GUESSED`` (6, about
4 % of the labels) each guess is placed by the ~140 labels around it that match exactly, and every
finding stays trustworthy; beyond that, or when more than half of one sheet's labels are guesses or
missing (the sheet was redesigned: too few exact labels are left to place the guesses), the workbook is
a new version that needs its own layout (``planvalidator template new``), and findings built on guesses
would blame applicants for planvalidator's misreading.
"""

from __future__ import annotations


from planvalidator.plan import Problem
from planvalidator.locate import Absent, Placement, Reworded, label_count
from planvalidator.structs import Struct, field


MAX_GUESSED = 6          # labels read by a near guess or not found, in all (PV013's doc says 「7 か所以上」)
MAX_SHARE = 0.5          # … or of one sheet's labels
_LISTED = 12             # differences named in the warning (the rest counted)


class Revision(Struct):
    """How an application's workbook differs from the official template: moved, reworded, missing."""
    placement: Placement
    reworded: list[Reworded] = field(default_factory=list)
    missing: list[Absent] = field(default_factory=list)

    @property
    def revised(self) -> bool:
        """Whether the workbook shows a revised template: a label worded otherwise than the version's."""
        return bool(self.reworded)

    @property
    def guessed(self) -> int:
        """How many labels are read by a guess or not read."""
        return sum(1 for r in self.reworded if r.near) + sum(a.labels for a in self.missing)

    def _guessed_in(self, sheet: str) -> int:
        return (sum(1 for r in self.reworded if r.near and r.sheet == sheet)
                + sum(a.labels for a in self.missing if a.sheet == sheet))

    @property
    def crowded_sheet(self) -> str | None:
        """A sheet more than MAX_SHARE of whose labels are guesses or missing (the first, in layout order)."""
        for spec in self.placement.layout.sheets:
            total = label_count(spec)
            if total and self._guessed_in(spec.name) > total * MAX_SHARE:
                return spec.name
        return None

    @property
    def too_much(self) -> bool:
        return self.revised and (self.guessed > MAX_GUESSED or self.crowded_sheet is not None)

    # --- the words ---------------------------------------------------------------------------------

    def _differences(self) -> list[str]:
        template = self.placement.layout.template
        lines = [f"{r.where}「{r.wording}」（{template} では「{r.template or r.what}」）" for r in self.reworded]
        lines += [f"{a.actual} の{a.what}" if a.actual else a.what for a in self.missing]
        return lines

    def _listed(self) -> str:
        lines = self._differences()
        shown = "、".join(lines[:_LISTED])
        return shown + (f" ほか {len(lines) - _LISTED} か所" if len(lines) > _LISTED else "")

    def problem(self) -> Problem:
        """The one PV013 warning: every difference, the version nearest, what to do."""
        layout = self.placement.layout
        near = [r for r in self.reworded if r.near]
        said = [(f"この事業計画書の様式は、planvalidator の知っている様式 {layout.template}（{layout.title}）と"
                 f"見出しが違います（改訂された様式のようです）: {self._listed()}。")]
        if near:
            said.append("言い換えられた見出しは近い見出しの欄として読み、チェックしました。")
        if self.missing:
            said.append("見つからない見出しの欄は読んでいません。")
        said.append("様式の違いで、申請者の誤りではありません。新しく公開された様式なら planvalidator の更新が"
                    "必要かもしれません（planvalidator template verify で違いを確かめられます）")
        first = self.reworded[0]
        return Problem(TEMPLATE_DIFFERS, first.actual, first.cell, "".join(said))

    def refusal(self) -> str:
        """The one line of a workbook too far from its version to check (exit 2)."""
        layout = self.placement.layout
        crowded = self.crowded_sheet
        how = (f"{crowded} の見出しの半分より多く" if crowded is not None and self.guessed <= MAX_GUESSED
               else f"見出し {self.guessed} か所（{MAX_GUESSED} か所まで読めます）")
        return (f"様式が planvalidator の知っている版と違いすぎるのでチェックできません（いちばん近い様式 "
                f"{layout.template} と比べて、{how}が言い換えられているか見つかりません: {self._listed()}）。"
                f"新しい年度の様式なら planvalidator template verify で違いを確かめ、planvalidator を更新してください")


TEMPLATE_DIFFERS = "PV013"          # the rule (planvalidator/rules/form.py) of a revised template


def judge(placement: Placement) -> Revision:
    return Revision(placement, list(placement.reworded), list(placement.missing))
