"""The check page (``planvalidator serve``, ``GET /``; the static site's index.html, ``planvalidator site``):
one self-contained HTML document, one page for two engines (its script: :mod:`planvalidator.server.page_script`).

Applicants without Python drop their 事業計画書 here. Served by ``planvalidator serve`` the page posts each
workbook to ``/api/check`` (the JSON of ``planvalidator check --format json``); in the static site it hands the
bytes to a Web Worker that runs planvalidator itself under Pyodide, and the workbook never leaves the PC. Either
way it shows the verdict, the program and course (every one ``planvalidator programs`` lists can be chosen;
by default the workbook's 事業区分 decides), the money summary, the findings grouped by sheet with what to
change and a link to the rule's explanation (rules.html), what comes next for a file without errors, and a
print layout (A4); its button saves the annotated workbook. Everything is inline — no script, style sheet
or font comes from anywhere but this server (:data:`CSP` says so to the browser too) — and the
fonts are the system's own Japanese fonts.

Built for a phone as much as a desktop (one column, tables that become cards on a narrow screen)
and for the keyboard (a real ``<input type=file>`` with its ``<label>``, real buttons, visible
focus, results announced through ``aria-live``). Results are built with ``textContent`` only:
nothing from a workbook is ever read as HTML.
"""

# Only this server: the page's own inline script and styles, fetch to the API, blob: downloads.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
       "img-src 'self' data: blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

# The static site (a <meta> of index.html): its own scripts and the Pyodide runtime (WebAssembly), nothing else.
SITE_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self'; "
            "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; form-action 'self'")

CSS = """
:root { --ink: #1c2430; --muted: #5a6472; --line: #d5dae1; --bg: #f5f7fa; --card: #fff;
  --accent: #1f5fbf; --error: #b3261e; --error-bg: #fdecea; --warning: #8a5300; --warning-bg: #fff4d6;
  --info: #1f5f8b; --info-bg: #e7f1f8; --ok: #1b6b3a; --ok-bg: #e6f4ea; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.6; font-size: 16px;
  font-family: "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic UI", "Yu Gothic", Meiryo,
    "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAPGothic", "IPAGothic", sans-serif; }
main { max-width: 70rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p { margin: .4rem 0; }
.lead { color: var(--muted); }
.drop { display: block; border: 2px dashed #8a96a8; border-radius: .75rem; background: var(--card);
  padding: 1.5rem 1rem; text-align: center; cursor: pointer; }
.drop.over { border-color: var(--accent); background: #eef4fd; }
.drop:focus-within { outline: 3px solid var(--accent); outline-offset: 3px; }
.drop strong { display: block; font-size: 1.1rem; margin-bottom: .5rem; }
.drop input[type=file] { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
.drop .pick { display: inline-block; border-radius: .5rem; background: var(--accent); color: #fff;
  padding: .55rem 1.2rem; font-weight: bold; }
.drop:focus-within .pick { outline: 3px solid #f0a000; outline-offset: 2px; }
.drop { position: relative; }
button { font: inherit; border-radius: .5rem; border: 1px solid var(--accent); background: var(--accent);
  color: #fff; padding: .55rem 1rem; cursor: pointer; min-height: 2.75rem; }
button.secondary { background: #fff; color: var(--accent); }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
button:focus-visible, input:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
#status { min-height: 1.6em; margin: .75rem 0; font-weight: bold; }
.file { background: var(--card); border: 1px solid var(--line); border-radius: .75rem; padding: 1rem;
  margin: 1rem 0; }
.verdict { display: inline-block; font-weight: bold; border-radius: 999px; padding: .15rem .8rem; margin: .2rem 0; }
.verdict.error { background: var(--error-bg); color: var(--error); }
.verdict.ok { background: var(--ok-bg); color: var(--ok); }
.verdict.warning { background: var(--warning-bg); color: var(--warning); }
.verdict.cannot { background: #eceff3; color: var(--ink); }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: .5rem 0; }
.counts li { border: 1px solid var(--line); border-radius: .5rem; padding: .2rem .6rem; }
.money { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .25rem 1rem;
  margin: .5rem 0; }
.money div { display: flex; justify-content: space-between; gap: .5rem; border-bottom: 1px dotted var(--line);
  padding: .2rem 0; }
.money dt { color: var(--muted); }
.money dd { margin: 0; font-weight: bold; font-variant-numeric: tabular-nums; text-align: right; }
.money .over dd { color: var(--error); }
table { width: 100%; border-collapse: collapse; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid var(--line); }
th { background: #eef1f5; font-weight: bold; white-space: nowrap; }
td.cell, td.rule { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.ref { color: var(--muted); font-size: .9em; }
.sev { font-weight: bold; white-space: nowrap; }
.sev.error { color: var(--error); } .sev.warning { color: var(--warning); } .sev.info { color: var(--info); }
tr.accepted td { color: var(--muted); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-top: 1rem; }
.note { color: var(--muted); font-size: .9rem; }
.problem { color: var(--error); font-weight: bold; }
@media (max-width: 40rem) {
  main { padding: .6rem; }
  h1 { font-size: 1.25rem; }
  .file { padding: .75rem; }
  table, thead, tbody, tr, th, td { display: block; }
  thead { position: absolute; left: -9999px; }
  tr { border: 1px solid var(--line); border-radius: .5rem; margin: .5rem 0; padding: .3rem .5rem; }
  td { border: 0; padding: .15rem 0; white-space: normal; }
  td::before { content: attr(data-label) "："; color: var(--muted); font-weight: normal; }
  td.msg::before { content: none; }
  button, .drop .pick { width: 100%; }
}
.engine { margin: .6rem 0 .2rem; }
.loading { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
.loading progress { width: 16rem; max-width: 100%; height: 1rem; }
.loading.loaded progress { display: none; }
.choose { margin: .75rem 0; }
.choose label { display: block; font-weight: bold; margin-bottom: .25rem; }
.choose select { font: inherit; max-width: 100%; min-height: 2.75rem; padding: .3rem; border-radius: .4rem;
  border: 1px solid #8a96a8; background: #fff; color: var(--ink); }
.meta { display: flex; flex-wrap: wrap; gap: .2rem 1.5rem; margin: .2rem 0 .5rem; font-size: .9rem; }
.meta div { display: flex; gap: .4rem; } .meta dt { color: var(--muted); } .meta dd { margin: 0; }
.money-verdict { font-weight: bold; } .money-verdict.over { color: var(--error); }
td.place { min-width: 9rem; }
td.msg span { display: block; }
.written { color: var(--muted); font-size: .92em; }
.advice { margin-top: .2rem; font-weight: bold; }
.next { border-top: 1px solid var(--line); margin-top: 1rem; }
a { color: var(--accent); }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  .screen-only, .actions, .drop, .choose, .loading { display: none !important; }
  .file { border: 0; padding: 0; margin: 0 0 6mm; break-inside: auto; }
  tr { break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
@media (prefers-reduced-motion: no-preference) { .drop { transition: background .15s, border-color .15s; } }
"""

ENGINES = {   # what the page says about where the check runs (body data-engine)
    "server": ("サーバーでチェックします",
               "ファイルはこのサーバーのメモリの中でチェックするだけで、保存も記録もしません。"),
    "browser": ("このパソコンの中でチェックします（ファイルは送信されません）",
                "ブックはこのブラウザーの中で読み、どこにも送りません。チェックの仕組み（Python と planvalidator）は"
                "最初に一度だけこのサイトから読み込み、ブラウザーが保存するので、次からはすぐに始まります"
                "（ブックは保存されません）。"),
}


# --- issue 27: the 「安全な修正を適用したブック」 button (planvalidator/server/fix_button.py, its own script) ---
def _fix_button() -> str:
    from planvalidator.server.fix_button import FIX_JS
    return FIX_JS
# --- end of the fix button -----------------------------------------------------------------------------------


def programs_templates() -> str:
    """Which profile reads each template version (JSON for the select's data-templates): the page names the
    course a workbook's 事業区分 chose by it."""
    import json
    from html import escape

    from planvalidator.profiles import profiles

    return escape(json.dumps({p.template: p.id for p in profiles().values() if p.template}), quote=True)


def programs_options() -> str:
    """The <option>s of every program and course (planvalidator programs), the workbook's 事業区分 first."""
    from html import escape

    from planvalidator.profiles import profiles

    groups = []
    for profile in profiles().values():
        options = "".join(f'<option value="{escape(c.id)}">{escape(c.name)}</option>' for c in profile.courses.values())
        groups.append(f'<optgroup label="{escape(profile.name)}">{options}</optgroup>')
    return '<option value="">事業計画書の事業区分から選ぶ（新商品・新サービス開発支援事業助成金）</option>' + "".join(groups)


def page_html(engine: str = "server") -> str:
    """The page: everything inline, nothing from another server. ``engine``: ``server`` (``planvalidator
    serve``: the API of this server) or ``browser`` (the static site: Pyodide in a Web Worker)."""
    from planvalidator.server.page_script import JS

    where, note = ENGINES[engine]
    # the intake mode runs on the server only (a zip of applications is staff's, not the applicant's)
    staff = ' ・ <a href="intake">ISICO の担当者: 受付の一括チェック</a>' if engine == "server" else ""
    # the fixed workbook: the page's engine makes it (the server's /api/fix, or the static site's worker)
    fix_script = f"<script>{_fix_button()}</script>"
    csp = f'\n<meta http-equiv="Content-Security-Policy" content="{SITE_CSP}">' if engine == "browser" else ""
    loading = ('<div id="loading" class="loading screen-only" role="group" aria-label="読み込みの状況">'
               '<progress id="load-progress" max="1" value="0" aria-labelledby="load-text"></progress> '
               '<span id="load-text" role="status">チェックの仕組みを読み込んでいます…</span></div>'
               if engine == "browser" else "")
    return f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">{csp}
<title>事業計画書のチェック（planvalidator）</title>
<style>{CSS}</style>
</head>
<body data-engine="{engine}">
<main>
<h1>事業計画書のチェック</h1>
<p class="lead screen-only">事業計画書（.xlsx / .xlsm）をチェックし、直すところと直し方、金額のまとめを示します。
指摘を書き込んだブックのダウンロードと、結果の印刷もできます。</p>
<p id="engine" class="engine"><strong>{where}</strong></p>
<p class="note screen-only">{note}</p>
{loading}
<div class="choose screen-only">
<label for="program">助成制度・コース</label>
<select id="program" name="program" data-templates="{programs_templates()}">{programs_options()}</select>
</div>
<label class="drop" id="drop" for="files">
<strong>ここにブックをドロップするか、ボタンで選んでください（複数可）</strong>
<span class="pick">ファイルを選ぶ</span>
<input type="file" id="files" name="file" multiple
 accept=".xlsx,.xlsm,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel.sheet.macroEnabled.12">
</label>
<p id="status" class="screen-only" role="status" aria-live="polite"></p>
<section id="results" aria-live="polite" aria-label="チェックの結果"></section>
<p class="note"><a href="rules.html">規則の説明（すべての規則）</a>{staff}</p>
</main>
<script>{JS}</script>
{fix_script}
</body>
</html>
"""
