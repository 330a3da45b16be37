"""The check page's script (:mod:`planvalidator.server.page`): one script, two engines.

``document.body.dataset.engine`` says which: ``server`` posts the workbook to ``api/check``,
``api/annotate`` and ``api/fix`` (``planvalidator serve``); ``browser`` hands its bytes (File API) to the Web Worker
of the static site (``worker.js``, :mod:`planvalidator.server.worker`), which runs the same
``planvalidator.server.work`` functions under Pyodide, so both answer the same JSON. Everything from a
workbook is shown with ``textContent`` only. The keys the results read are those of
``planvalidator check --format json`` (planvalidator/formats/json.py); the newer ones (per finding
"place", "written", "advice", "help"; per file "money"."verdict", "next_steps", "advice") are shown
when present, the older ones (sheet, cell, message) otherwise. The engine's ``fix`` is what the fix button
(:mod:`planvalidator.server.fix_button`) calls, as ``window.planvalidatorEngine.fix``.
"""

JS = r"""
(() => {
  "use strict";
  const SEV = { error: "エラー", warning: "警告", info: "情報" };
  const ENGINE = document.body.dataset.engine;
  const input = document.getElementById("files");
  const drop = document.getElementById("drop");
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const chooser = document.getElementById("program");
  const yen = (n) => (n === null || n === undefined) ? "—" : Number(n).toLocaleString("ja-JP") + " 円";
  const today = () => new Date().toLocaleDateString("ja-JP-u-ca-japanese", { era: "long", year: "numeric", month: "long", day: "numeric" });
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  };
  const say = (text) => { status.textContent = text; };
  const UNREACHABLE = "サーバーに届きませんでした。接続を確かめて、もう一度お試しください。";
  let last = [];

  // --- the two engines: each gives {status, content} for a check, {status, name, blob | content} for an annotation
  function programQuery() { return chooser.value ? "?program=" + encodeURIComponent(chooser.value) : ""; }

  async function answerText(resp) {
    try { const j = await resp.json(); if (j && typeof j.detail === "string") return j.detail; } catch (e) {}
    return "サーバーからの応答が読めませんでした（" + resp.status + "）。";
  }

  function form(file) { const f = new FormData(); f.append("file", file, file.name); return f; }

  function filename(resp, fallback) {
    const cd = resp.headers.get("content-disposition") || "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (star) { try { return decodeURIComponent(star[1]); } catch (e) {} }
    const plain = /filename="([^"]+)"/i.exec(cd);
    return plain ? plain[1] : fallback;
  }

  const server = {
    async check(file) {
      const resp = await fetch("api/check" + programQuery(), { method: "POST", body: form(file) });
      if (resp.ok) return { status: 200, content: await resp.json() };
      let content = null;
      try { content = await resp.clone().json(); } catch (e) {}
      if (content && content.file !== undefined) return { status: resp.status, content };
      return { status: resp.status, content: { error: await answerText(resp) } };
    },
    async annotate(file) {
      const resp = await fetch("api/annotate" + programQuery(), { method: "POST", body: form(file) });
      if (!resp.ok) return { status: resp.status, detail: await answerText(resp) };
      return { status: 200, name: filename(resp, "チェック結果.xlsx"), blob: await resp.blob() };
    },
    async fix(file) {
      const resp = await fetch("api/fix", { method: "POST", body: form(file) });
      if (!resp.ok) return { status: resp.status, detail: await answerText(resp) };
      return { status: 200, name: filename(resp, "修正案.xlsx"), count: Number(resp.headers.get("x-planvalidator-fixed") || "0"),
        blob: await resp.blob() };
    },
  };

  const bookType = (name) => name.toLowerCase().endsWith(".xlsm") ? "application/vnd.ms-excel.sheet.macroEnabled.12"
    : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  const browser = (() => {
    const bar = document.getElementById("load-progress");
    const text = document.getElementById("load-text");
    let worker = null, ready = null, seq = 0;
    const waiting = new Map();
    function start() {
      if (ready) return ready;
      ready = new Promise((resolve, reject) => {
        worker = new Worker("worker.js", { type: "module" });
        worker.onmessage = (e) => {
          const m = e.data;
          if (m.op === "progress") { bar.max = m.total; bar.value = m.done; text.textContent = m.text; }
          else if (m.op === "ready") {
            bar.value = bar.max; text.textContent = m.text; document.body.dataset.ready = "true";
            document.body.dataset.timings = JSON.stringify(m.timings);
            document.body.dataset.fetched = JSON.stringify(m.fetched);
            document.getElementById("loading").classList.add("loaded"); resolve();
          } else if (m.op === "failed") { text.textContent = m.text; document.body.dataset.ready = "failed"; reject(new Error(m.text)); }
          else if (waiting.has(m.id)) { waiting.get(m.id)(m); waiting.delete(m.id); }
        };
        worker.onerror = () => { const t = "このブラウザーではチェックの仕組みを読み込めませんでした。新しい版の Chrome・Edge・Firefox・Safari でお試しください。";
          text.textContent = t; document.body.dataset.ready = "failed"; reject(new Error(t)); };
      });
      return ready;
    }
    async function ask(op, file) {
      await start();
      const data = await file.arrayBuffer();
      const id = ++seq;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        worker.postMessage({ id, op, name: file.name, data, program: chooser.value }, [data]);
      });
    }
    return {
      start,
      async check(file) { const m = await ask("check", file); return { status: m.status, content: m.content }; },
      async annotate(file) {
        const m = await ask("annotate", file);
        if (m.status !== 200) return { status: m.status, detail: m.detail };
        return { status: 200, name: m.name, blob: new Blob([m.data], { type: bookType(m.name) }) };
      },
      async fix(file) {
        const m = await ask("fix", file);
        if (m.status !== 200) return { status: m.status, detail: m.detail };
        return { status: 200, name: m.name, count: m.count, blob: new Blob([m.data], { type: bookType(m.name) }) };
      },
    };
  })();

  const engine = ENGINE === "browser" ? browser : server;
  if (ENGINE === "browser") engine.start().catch(() => {});
  // the fix button (fix_button.py, its own script) makes the fixed workbook through the same engine
  window.planvalidatorEngine = Object.freeze({ kind: ENGINE, fix: (file) => engine.fix(file) });

  // --- the results
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

  function moneyVerdict(m) {
    if (typeof m.verdict === "string") return m.verdict;            // the engine's own sentence
    if (m.within === false) return "申請額が上限を超えています";
    if (m.reduction) return "対象外の経費を除くと上限が下がり、" + yen(m.reduction) + "の減額が見込まれます";
    if (m.within === null) return "申請額か上限が計算できないため、判定できません";
    return "上限の範囲内です";
  }

  function money(m) {
    if (!m) return null;
    const row = (label, value, cls) => el("div", cls ? { class: cls } : {}, el("dt", { text: label }), el("dd", { text: value }));
    const bad = m.within === false || !!m.reduction;
    const dl = el("dl", { class: "money" },
      row("助成対象経費", yen(m.eligible)),
      row("助成率", m.rate === null ? "—" : String(m.rate)),
      row("限度額", yen(m.cap)),
      row("申請できる上限", yen(m.limit)),
      row("申請額", yen(m.requested), m.within === false ? "over" : null));
    if (m.reduction) {
      dl.append(row("対象外を除いた助成対象経費", yen(m.eligible_after_cut)),
        row("そのときの上限", yen(m.limit_after_cut)), row("見込まれる減額", yen(m.reduction), "over"));
    }
    return el("section", { "aria-label": "金額" }, el("h3", { text: "金額のまとめ" }), dl,
      el("p", { class: "money-verdict" + (bad ? " over" : ""), text: "判定: " + moneyVerdict(m) }));
  }

  function place(f) {
    if (f.place) return f.place;
    if (f.sheet && f.cell) return f.sheet + "!" + f.cell;
    return f.cell || f.sheet || f.attachment || "ブック全体";
  }

  function ruleLink(f) {
    const code = f.help || f.rule;
    return el("a", { href: "rules.html#" + encodeURIComponent(code), text: f.rule, title: f.rule + " の説明" });
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
        const what = el("td", { class: "msg", "data-label": "内容" }, el("span", { class: "message", text: f.message }));
        if (f.written !== null && f.written !== undefined && f.written !== "")
          what.append(el("span", { class: "written", text: "書いてある値: " + f.written }));
        if (f.advice) what.append(el("span", { class: "advice", text: "直し方: " + f.advice }));
        const tr = el("tr", f.accepted ? { class: "accepted" } : {},
          el("td", { class: "place", "data-label": "場所", text: place(f) }),
          el("td", { "data-label": "重要度" }, el("span", { class: "sev " + f.severity,
            text: (SEV[f.severity] || f.severity) + (f.accepted ? "（確認済み）" : "") })),
          what,
          el("td", { class: "rule", "data-label": "規則" }, ruleLink(f)),
          el("td", { class: "ref", "data-label": "根拠", text: f.reference || "" }));
        tr.dataset.rule = f.rule; tr.dataset.cell = f.cell || "";
        body.append(tr);
      }
      box.append(el("table", { "aria-label": sheet + " の指摘" },
        el("thead", {}, el("tr", {}, ...["場所", "重要度", "内容と直し方", "規則", "根拠"].map((t) => el("th", { scope: "col", text: t })))),
        body));
    }
    return box;
  }

  function nextSteps(n) {
    if (!n) return null;
    const box = el("section", { class: "next", "aria-label": "次にすること" }, el("h3", { text: "次にすること" }));
    if (n.documents && n.documents.length) {
      box.append(el("p", { text: "添付する提出書類:" }), el("ul", {}, ...n.documents.map((d) => el("li", { text: d }))));
    }
    if (n.submit) box.append(el("p", { text: "提出のしかた: " + n.submit }));
    if (n.reviewers && n.reviewers.length) {
      box.append(el("p", { text: "このチェックでは分からず、審査で判断されること:" }),
        el("ul", {}, ...n.reviewers.map((d) => el("li", { text: d }))));
    }
    return box;
  }

  function meta(file, data) {
    let course = "事業計画書の事業区分から";
    if (chooser.value) course = chooser.options[chooser.selectedIndex].textContent;
    else if (data.money && data.money.category) {           // the course the 事業区分 chose, by its name
      const profile = JSON.parse(chooser.dataset.templates || "{}")[data.template];
      const option = profile ? Array.from(chooser.options).find((o) => o.value === profile + ":" + data.money.category) : null;
      course = (option ? option.textContent : "事業区分 " + data.money.category) + "（事業区分から）";
    }
    return el("dl", { class: "meta" },
      el("div", {}, el("dt", { text: "ファイル" }), el("dd", { text: file.name })),
      el("div", {}, el("dt", { text: "制度・コース" }), el("dd", { text: course })),
      el("div", {}, el("dt", { text: "チェックした日" }), el("dd", { text: today() })),
      el("div", {}, el("dt", { text: "チェックした所" }), el("dd", { text: ENGINE === "browser" ? "このパソコンの中（ファイルは送信していません）" : "サーバー" })));
  }

  async function download(file, button, line) {
    button.disabled = true;
    line.textContent = "チェック結果を書き込んでいます…";
    try {
      const got = await engine.annotate(file);
      if (got.status !== 200) { line.textContent = got.detail; return; }
      const url = URL.createObjectURL(got.blob);
      const a = el("a", { href: url, download: got.name });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      line.textContent = "「" + got.name + "」をダウンロードしました。";
    } catch (e) {
      line.textContent = ENGINE === "browser" ? "書き込みに失敗しました。ページを読み込み直して、もう一度お試しください。" : UNREACHABLE;
    } finally { button.disabled = false; }
  }

  function show(card, file, data) {
    card.replaceChildren();
    card.append(el("h2", { text: file.name }), meta(file, data), verdict(data));
    if (data.error) {
      card.append(el("p", { class: "problem", text: data.detail || data.error }));
      if (data.advice) card.append(el("p", { class: "advice", text: "どうすればよいか: " + data.advice }));
      return;
    }
    card.append(counts(data));
    if (data.incomplete) card.append(el("p", { class: "problem", text: "一部の規則を実行できませんでした（PV900）。ほかの指摘は有効です。" }));
    card.append(money(data.money) || "", findings(data.findings));
    // without SudachiPy (the browser) expense lines are read by the word lists: say how that differs
    if (data.analyser === "fallback" && data.analyser_note) card.append(el("p", { class: "note analyser", text: data.analyser_note }));
    if (data.summary.error === 0 && !data.incomplete) card.append(nextSteps(data.next_steps) || "");
    const line = el("p", { class: "note", role: "status" });
    const button = el("button", { type: "button", class: "download", text: "チェック結果を書き込んだブックをダウンロード" });
    button.addEventListener("click", () => download(file, button, line));
    const print = el("button", { type: "button", class: "secondary print", text: "結果を印刷する（A4）" });
    print.addEventListener("click", () => window.print());
    card.append(el("div", { class: "actions" }, button, print, line),
      el("p", { class: "note screen-only", text: "ダウンロードするブックには、指摘のセルの色・メモと先頭の「チェック結果」シートが入ります（元のファイルは変わりません）。" }));
  }

  async function checkOne(file) {
    const card = el("article", { class: "file", "aria-busy": "true" }, el("h2", { text: file.name }), el("p", { text: "チェックしています…" }));
    card.pvFile = file;              // the file this card is about (the fix button sends it again)
    results.append(card);
    try {
      const got = await engine.check(file);
      show(card, file, got.content);
    } catch (e) {
      card.replaceChildren(el("h2", { text: file.name }), el("p", { class: "problem",
        text: ENGINE === "browser" ? String(e.message || "チェックの仕組みを読み込めませんでした。") : UNREACHABLE }));
    }
    card.setAttribute("aria-busy", "false");
    card.classList.add("done");
  }

  async function checkAll(files) {
    files = Array.from(files || []);
    if (!files.length) return;
    last = files;
    results.replaceChildren();
    say(files.length + " 件のファイルをチェックしています…");
    for (const f of files) await checkOne(f);
    say(files.length + " 件のチェックが終わりました。結果は下にあります。");
    document.body.dataset.checked = String(files.length);
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
  }

  chooser.addEventListener("change", () => { if (last.length) checkAll(last); });
  // the input emptied once read: choosing the same file again (after correcting it) checks it again
  input.addEventListener("change", () => { const files = Array.from(input.files); input.value = ""; checkAll(files); });
  for (const type of ["dragenter", "dragover"]) drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
  for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); checkAll(e.dataTransfer.files); });
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
})();
"""
