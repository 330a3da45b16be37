"""The check page's 「安全な修正を適用したブック」 button: a self-contained script added after the page's own.

It keeps each file the applicant drops or picks, and under every checked file's card (``article.file.done``
with its ``.actions``) offers the workbook with the safe fixes applied — the copy ``planvalidator fix`` writes —
saved as a download. It asks the page's engine (``window.planvalidatorEngine.fix``, page_script.py): on the server
``POST /api/fix`` (the header ``X-Planvalidator-Fixed`` says how many cells), on the static site the Web Worker
(worker.py ``pv_fix``), so the workbook never leaves the browser there.
A workbook with nothing to fix says so instead of downloading. Kept apart from :mod:`planvalidator.server.page`
so that the page can change without it (it only needs ``#files``, ``#drop``, ``#results`` and the cards).
"""

FIX_LABEL = "安全な修正を適用したブックをダウンロード"

FIX_JS = r"""
(() => {
  "use strict";
  const files = new Map();
  const keep = (list) => { for (const f of Array.from(list || [])) files.set(f.name, f); };
  const input = document.getElementById("files");
  const drop = document.getElementById("drop");
  const results = document.getElementById("results");
  if (!input || !drop || !results) return;
  input.addEventListener("change", () => keep(input.files));
  drop.addEventListener("drop", (e) => keep(e.dataTransfer && e.dataTransfer.files));

  const engine = window.planvalidatorEngine;   // the page's engine (page_script.py): the server's api/fix or the worker
  if (!engine || typeof engine.fix !== "function") return;

  async function fixed(file, button, line) {
    button.disabled = true;
    line.textContent = "安全な修正を適用しています…";
    try {
      const got = await engine.fix(file);
      if (got.status !== 200) { line.textContent = got.detail || ("修正できませんでした（" + got.status + "）。"); return; }
      if (!got.count) { line.textContent = "自動で直せる指摘はありません。"; return; }
      const url = URL.createObjectURL(got.blob);
      const a = document.createElement("a");
      a.href = url; a.download = got.name || "修正案.xlsx";
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      line.textContent = got.count + " か所を直した「" + a.download + "」をダウンロードしました（元のファイルは変わりません）。";
    } catch (e) {
      line.textContent = engine.kind === "browser" ? "修正に失敗しました。ページを読み込み直して、もう一度お試しください。"
        : "サーバーに届きませんでした。接続を確かめて、もう一度お試しください。";
    } finally { button.disabled = false; }
  }

  function offer(card) {
    const actions = card.querySelector(".actions");
    const title = card.querySelector("h2");
    const file = card.pvFile || (title && files.get(title.textContent));   // (the page resets its input at once)
    if (!actions || !file || card.querySelector("button.fix")) return;
    const line = document.createElement("p");
    line.className = "note"; line.setAttribute("role", "status");
    const button = document.createElement("button");
    button.type = "button"; button.className = "fix secondary"; button.textContent = "__LABEL__";
    button.addEventListener("click", () => fixed(file, button, line));
    actions.append(button, line);
  }

  new MutationObserver(() => { for (const card of results.querySelectorAll("article.file.done")) offer(card); })
    .observe(results, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
})();
""".replace("__LABEL__", FIX_LABEL)
