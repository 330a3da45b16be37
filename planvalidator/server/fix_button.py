"""The check page's 「安全な修正を適用したブック」 button: a self-contained script added after the page's own.

It keeps each file the applicant drops or picks, and under every checked file's card (``article.file.done``
with its ``.actions``) offers the workbook with the safe fixes applied: ``POST /api/fix`` (the copy
``planvalidator fix`` writes; the header ``X-Planvalidator-Fixed`` says how many cells), saved as a download.
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

  function savedName(resp, fallback) {
    const star = /filename\*=UTF-8''([^;]+)/i.exec(resp.headers.get("content-disposition") || "");
    try { return star ? decodeURIComponent(star[1]) : fallback; } catch (e) { return fallback; }
  }

  async function fixed(file, button, line) {
    button.disabled = true;
    line.textContent = "安全な修正を適用しています…";
    try {
      const body = new FormData(); body.append("file", file, file.name);
      const resp = await fetch("api/fix", { method: "POST", body });
      if (!resp.ok) {
        let text = "修正できませんでした（" + resp.status + "）。";
        try { const j = await resp.json(); if (j && typeof j.detail === "string") text = j.detail; } catch (e) {}
        line.textContent = text; return;
      }
      const count = Number(resp.headers.get("x-planvalidator-fixed") || "0");
      if (!count) { line.textContent = "自動で直せる指摘はありません。"; return; }
      const url = URL.createObjectURL(await resp.blob());
      const a = document.createElement("a");
      a.href = url; a.download = savedName(resp, "修正案.xlsx");
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      line.textContent = count + " か所を直した「" + a.download + "」をダウンロードしました（元のファイルは変わりません）。";
    } catch (e) {
      line.textContent = "サーバーに届きませんでした。接続を確かめて、もう一度お試しください。";
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
