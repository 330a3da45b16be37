"""The intake page (``planvalidator serve``, ``GET /intake``): ISICO staff without Python send an intake
as one zip and get back what ``planvalidator batch`` makes of it — the summary workbook
(受付チェック.xlsx) and the annotated copies as a zip (注記済み.zip). A summary written before may go
with it: staff's notes in it come back in the new one.

One self-contained HTML document (inline script and styles, the system's Japanese fonts, nothing
from elsewhere: :data:`CSP`), a real form for the keyboard, results announced through ``aria-live``
and built with ``textContent`` only. The page posts to ``/api/intake``
(:mod:`planvalidator.server.intake_api`).
"""

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
       "img-src 'self' data: blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

_CSS = """
body { margin: 0; background: #f5f7fa; color: #1c2430; line-height: 1.6; font-size: 16px;
  font-family: "Hiragino Kaku Gothic ProN", "Hiragino Sans", "Yu Gothic UI", "Yu Gothic", Meiryo,
    "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAPGothic", "IPAGothic", sans-serif; }
main { max-width: 48rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0; }
.lead, .note { color: #5a6472; }
form { background: #fff; border: 1px solid #d5dae1; border-radius: .75rem; padding: 1rem; }
label { display: block; font-weight: bold; margin: .8rem 0 .2rem; }
input[type=file] { font-size: 1rem; max-width: 100%; }
button, a.download { display: inline-block; font-size: 1rem; margin-top: 1rem; padding: .5rem 1.2rem;
  border-radius: .5rem; border: 1px solid #1f5fbf; background: #1f5fbf; color: #fff; text-decoration: none;
  cursor: pointer; }
a.download { margin-right: .8rem; }
button:disabled { opacity: .6; cursor: wait; }
:focus-visible { outline: 3px solid #1f5fbf; outline-offset: 3px; }
#result { margin-top: 1rem; }
#result ul { padding-left: 1.2rem; }
.error { color: #b3261e; font-weight: bold; }
"""

_JS = """
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const status = $("status"), result = $("result"), send = $("send");
  const el = (tag, text, attrs) => { const e = document.createElement(tag); if (text) e.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v); return e; };

  function blobLink(file, type) {
    const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type: type }));
    return el("a", file.name + " をダウンロード", { href: url, download: file.name, class: "download",
                                                    "data-file": file.name });
  }

  async function answerText(resp) {
    try { const body = await resp.json(); if (body && body.detail) return body.detail; } catch (e) {}
    return "一覧を作れませんでした（HTTP " + resp.status + "）。";
  }

  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const intake = $("intake").files[0];
    result.replaceChildren();
    if (!intake) { status.textContent = "受付フォルダの zip を選んでください。"; return; }
    const body = new FormData();
    body.append("file", intake, intake.name);
    const previous = $("previous").files[0];
    if (previous) body.append("previous", previous, previous.name);
    send.disabled = true;
    status.textContent = "チェックしています…（申請の数によって数十秒かかります）";
    try {
      const resp = await fetch("api/intake", { method: "POST", body: body });
      if (!resp.ok) {
        status.textContent = "";
        result.append(el("p", await answerText(resp), { class: "error" }));
        return;
      }
      const answer = await resp.json();
      const counts = Object.entries(answer.verdicts).map(([v, n]) => v + " " + n + " 件").join("、");
      result.append(el("p", "申請 " + answer.applications + " 件: " + counts, { id: "counts" }));
      if (answer.cannot.length) {
        result.append(el("p", "チェックできなかった申請:"));
        const list = el("ul", "", { id: "cannot" });
        for (const line of answer.cannot) list.append(el("li", line));
        result.append(list);
      }
      const links = el("p");
      links.append(blobLink(answer.summary, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
      if (answer.annotated) links.append(blobLink(answer.annotated, "application/zip"));
      result.append(links);
      result.append(el("p", "注記済み.zip は一覧のブックと同じフォルダに展開すると、一覧のリンクから開けます。",
                       { class: "note" }));
      status.textContent = "一覧ができました。下のボタンでダウンロードしてください。";
      document.body.dataset.done = "1";
    } catch (e) {
      status.textContent = "";
      result.append(el("p", "サーバーにつながりません。しばらくしてからもう一度お試しください。", { class: "error" }));
    } finally {
      send.disabled = false;
    }
  });
})();
"""


def page_html() -> str:
    return f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>受付の一括チェック（planvalidator）</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>受付の一括チェック</h1>
<p class="lead">受け付けた申請（申請ごとのフォルダか zip）を入れた受付フォルダを zip にして送ると、
<code>planvalidator batch</code> と同じ一覧のブック（受付チェック.xlsx）と、指摘を書き込んだ事業計画書の zip を作ります。</p>
<form id="form">
<label for="intake">受付フォルダの zip</label>
<input type="file" id="intake" name="file" accept=".zip,application/zip" required>
<label for="previous">前回の一覧のブック（任意: 担当者が書いた受付状態・担当者・連絡日・メモを引き継ぎます）</label>
<input type="file" id="previous" name="previous"
 accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
<br><button type="submit" id="send">一覧を作る</button>
</form>
<p class="note">送ったファイルはこのサーバーのメモリの中でチェックするだけで、保存も記録もしません。
大きな受付（送る zip がサーバーの上限を超えるもの）はコマンドの <code>planvalidator batch</code> を使ってください。
<a href="./">1 つの事業計画書をチェックするページ</a></p>
<p id="status" role="status" aria-live="polite"></p>
<section id="result" aria-live="polite" aria-label="一覧の結果"></section>
</main>
<script>{_JS}</script>
</body>
</html>
"""
