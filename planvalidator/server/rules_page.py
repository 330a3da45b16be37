"""rules.html: every rule's explanation, one section per code (``rules.html#PV102``), the page the check
page's rule codes link to. Served at ``/rules.html`` by ``planvalidator serve`` and written into the static
site by ``planvalidator site``: the same text as ``planvalidator rules CODE`` (the catalogue's brief, doc and
clause, filled with the newest template version's program facts) and, where the rule has it, what to change."""

from __future__ import annotations

from functools import lru_cache
from html import escape


@lru_cache(maxsize=None)
def rules_html() -> str:
    """The whole page (self-contained: the check page's own styles, no script)."""
    from planvalidator import rules as catalogue
    from planvalidator.layout import known_layouts
    from planvalidator.program import load_program
    from planvalidator.server.page import CSS

    layout = known_layouts()[0]
    program = load_program(layout.folder)
    sections, index = [], []
    for rule in (r.rendered(program, layout) for r in catalogue.all_rules()):
        advice = getattr(rule, "advice", None)
        index.append(f'<li><a href="#{rule.code}">{rule.code}</a> {escape(rule.brief)}</li>')
        sections.append(
            f'<section class="file rule" id="{rule.code}" aria-labelledby="h-{rule.code}">'
            f'<h2 id="h-{rule.code}">{rule.code} {escape(rule.brief)}</h2>'
            f'<p class="note">{escape(rule.severity.label)}・{escape(rule.name)}</p>'
            f'<p class="doc">{escape(rule.doc)}</p>'
            + (f'<p><strong>直し方:</strong> {escape(advice)}</p>' if advice else "")
            + f'<p class="note">出典: {escape(rule.reference)}</p></section>')
    return f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>規則の説明（planvalidator）</title>
<style>{CSS}
.doc {{ white-space: pre-wrap; }}
.index {{ columns: 2 24rem; padding-left: 1.2rem; }}
</style>
</head>
<body>
<main>
<p><a href="./">← 事業計画書のチェックに戻る</a></p>
<h1>規則の説明</h1>
<p class="lead">チェックの結果に出る規則のコード（PV…）ごとに、何を確かめるか・なぜか・出典の条項を示します
（{escape(program.name)}・様式 {escape(layout.template)} の値）。</p>
<nav aria-label="規則の一覧"><ul class="index">{''.join(index)}</ul></nav>
{''.join(sections)}
</main>
</body>
</html>
"""
