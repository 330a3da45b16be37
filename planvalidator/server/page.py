"""The check page (``planvalidator serve``, ``GET /``): one self-contained HTML document.

Applicants without Python drop their 事業計画書 here. The page posts each workbook to
``/api/check`` (the JSON of ``planvalidator check --format json``) and shows the verdict, the counts,
the money summary and the findings grouped by sheet; its button posts the same file to
``/api/annotate`` and saves the annotated workbook. Everything is inline — no script, style sheet
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

_CSS = """
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
@media (prefers-reduced-motion: no-preference) { .drop { transition: background .15s, border-color .15s; } }
"""

_JS = r"""
(() => {
  "use strict";
  const SEV = { error: "エラー", warning: "警告", info: "情報" };
  const input = document.getElementById("files");
  const drop = document.getElementById("drop");
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const yen = (n) => (n === null || n === undefined) ? "—" : Number(n).toLocaleString("ja-JP") + " 円";
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  };
  const say = (text) => { status.textContent = text; };

  async function answerText(resp) {
    try { const j = await resp.json(); if (j && typeof j.detail === "string") return j.detail; } catch (e) {}
    return "サーバーからの応答が読めませんでした（" + resp.status + "）。";
  }

  function form(file) { const f = new FormData(); f.append("file", file, file.name); return f; }

  function verdict(data) {
    if (data.error) return el("span", { class: "verdict cannot", text: "チェックできません" });
    const s = data.summary;
    if (s.error > 0) return el("span", { class: "verdict error", text: "エラーが " + s.error + " 件あります" });
    if (s.warning > 0) return el("span", { class: "verdict warning", text: "エラーはありません（警告 " + s.warning + " 件）" });
    return el("span", { class: "verdict ok", text: "エラーはありません" });
  }

  function counts(data) {
    const s = data.summary;
    return el("ul", { class: "counts", "aria-label": "件数" },
      el("li", { text: "エラー " + s.error + " 件" }), el("li", { text: "警告 " + s.warning + " 件" }),
      el("li", { text: "情報 " + s.info + " 件" }), el("li", { text: "確認済み " + data.accepted + " 件" }));
  }

  function money(m) {
    if (!m) return null;
    const row = (label, value, cls) => el("div", cls ? { class: cls } : {}, el("dt", { text: label }), el("dd", { text: value }));
    const dl = el("dl", { class: "money" },
      row("助成対象経費", yen(m.eligible)),
      row("助成率", m.rate === null ? "—" : String(m.rate)),
      row("限度額", yen(m.cap)),
      row("申請できる上限", yen(m.limit)),
      row("申請額", yen(m.requested), m.within === false ? "over" : null),
      row("判定", m.within === null ? "—" : (m.within ? "上限の範囲内です" : "上限を超えています"), m.within === false ? "over" : null));
    if (m.reduction) {
      dl.append(row("対象外を除いた助成対象経費", yen(m.eligible_after_cut)),
        row("そのときの上限", yen(m.limit_after_cut)), row("見込まれる減額", yen(m.reduction), "over"));
    }
    return el("section", { "aria-label": "金額" }, el("h3", { text: "金額のまとめ" }), dl);
  }

  function findings(list) {
    const box = el("section", { "aria-label": "指摘" });
    if (!list.length) { box.append(el("p", { text: "指摘はありません。" })); return box; }
    const groups = new Map();
    for (const f of list) {
      const key = f.sheet || f.attachment || "ブック全体";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(f);
    }
    for (const [sheet, items] of groups) {
      box.append(el("h3", { text: sheet + "（" + items.length + " 件）" }));
      const body = el("tbody");
      for (const f of items) {
        const tr = el("tr", f.accepted ? { class: "accepted" } : {},
          el("td", { class: "cell", "data-label": "セル", text: f.cell || "—" }),
          el("td", { "data-label": "重要度" }, el("span", { class: "sev " + f.severity,
            text: (SEV[f.severity] || f.severity) + (f.accepted ? "（確認済み）" : "") })),
          el("td", { class: "rule", "data-label": "規則", text: f.rule }),
          el("td", { class: "msg", "data-label": "内容", text: f.message }),
          el("td", { class: "ref", "data-label": "根拠", text: f.reference || "" }));
        tr.dataset.rule = f.rule; tr.dataset.cell = f.cell || "";
        body.append(tr);
      }
      box.append(el("table", { "aria-label": sheet + " の指摘" },
        el("thead", {}, el("tr", {}, ...["セル", "重要度", "規則", "内容", "根拠"].map((t) => el("th", { scope: "col", text: t })))),
        body));
    }
    return box;
  }

  function filename(resp, fallback) {
    const cd = resp.headers.get("content-disposition") || "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (star) { try { return decodeURIComponent(star[1]); } catch (e) {} }
    const plain = /filename="([^"]+)"/i.exec(cd);
    return plain ? plain[1] : fallback;
  }

  async function download(file, button, line) {
    button.disabled = true;
    line.textContent = "チェック結果を書き込んでいます…";
    try {
      const resp = await fetch("api/annotate", { method: "POST", body: form(file) });
      if (!resp.ok) { line.textContent = await answerText(resp); return; }
      const blob = await resp.blob();
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: filename(resp, "チェック結果.xlsx") });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      line.textContent = "「" + a.download + "」をダウンロードしました。";
    } catch (e) {
      line.textContent = "サーバーに届きませんでした。接続を確かめて、もう一度お試しください。";
    } finally { button.disabled = false; }
  }

  function show(card, file, data) {
    card.replaceChildren();
    card.append(el("h2", { text: file.name }), verdict(data));
    if (data.error) {
      card.append(el("p", { class: "problem", text: data.error }));
      return;
    }
    card.append(counts(data));
    if (data.incomplete) card.append(el("p", { class: "problem", text: "一部の規則を実行できませんでした（PV900）。ほかの指摘は有効です。" }));
    card.append(money(data.money) || "", findings(data.findings));
    const line = el("p", { class: "note", role: "status" });
    const button = el("button", { type: "button", class: "download", text: "チェック結果を書き込んだブックをダウンロード" });
    button.addEventListener("click", () => download(file, button, line));
    card.append(el("div", { class: "actions" }, button, line),
      el("p", { class: "note", text: "ダウンロードするブックには、指摘のセルの色・メモと先頭の「チェック結果」シートが入ります（元のファイルは変わりません）。" }));
  }

  async function checkOne(file) {
    const card = el("article", { class: "file", "aria-busy": "true" }, el("h2", { text: file.name }), el("p", { text: "チェックしています…" }));
    results.append(card);
    try {
      const resp = await fetch("api/check", { method: "POST", body: form(file) });
      if (!resp.ok) {
        card.replaceChildren(el("h2", { text: file.name }), el("span", { class: "verdict cannot", text: "チェックできません" }),
          el("p", { class: "problem", text: await answerText(resp) }));
      } else {
        show(card, file, await resp.json());
      }
    } catch (e) {
      card.replaceChildren(el("h2", { text: file.name }), el("p", { class: "problem", text: "サーバーに届きませんでした。接続を確かめて、もう一度お試しください。" }));
    }
    card.setAttribute("aria-busy", "false");
    card.classList.add("done");
  }

  async function checkAll(files) {
    files = Array.from(files || []);
    if (!files.length) return;
    results.replaceChildren();
    say(files.length + " 件のファイルをチェックしています…");
    for (const f of files) await checkOne(f);
    say(files.length + " 件のチェックが終わりました。結果は下にあります。");
    document.body.dataset.checked = String(files.length);
  }

  input.addEventListener("change", () => checkAll(input.files));
  for (const type of ["dragenter", "dragover"]) drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); checkAll(e.dataTransfer.files); });
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
})();
"""


# --- issue 27: the 「安全な修正を適用したブック」 button (planvalidator/server/fix_button.py, its own script) ---
def _fix_button() -> str:
    from planvalidator.server.fix_button import FIX_JS
    return FIX_JS
# --- end of the fix button -----------------------------------------------------------------------------------


def page_html() -> str:
    """The page: everything inline, nothing from another server."""
    return f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>事業計画書のチェック（planvalidator）</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>事業計画書のチェック</h1>
<p class="lead">新商品・新サービス開発支援事業助成金の事業計画書（.xlsx / .xlsm）をチェックし、
指摘と金額のまとめを示します。指摘を書き込んだブックもダウンロードできます。</p>
<label class="drop" id="drop" for="files">
<strong>ここにブックをドロップするか、ボタンで選んでください（複数可）</strong>
<span class="pick">ファイルを選ぶ</span>
<input type="file" id="files" name="file" multiple
 accept=".xlsx,.xlsm,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel.sheet.macroEnabled.12">
</label>
<p class="note">ファイルはこのサーバーのメモリの中でチェックするだけで、保存も記録もしません。</p>
<p id="status" role="status" aria-live="polite"></p>
<section id="results" aria-live="polite" aria-label="チェックの結果"></section>
</main>
<script>{_JS}</script>
<script>{_fix_button()}</script>
</body>
</html>
"""
