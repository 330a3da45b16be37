"""The static site's Web Worker (``worker.js``, written by ``planvalidator site``): the page's browser engine.

It loads the Pyodide runtime from the site's own ``pyodide/`` folder, unpacks the wheels that
``manifest.json`` lists (planvalidator and what its check imports, for pyemscripten) into
site-packages, puts the prebuilt cache of the validated program data where planvalidator looks for
it (so pydantic need not build its models on the first check), checks the bundled 記入例 once (the
imports, schemas and patterns loaded before the applicant's file arrives), and then answers the
page: ``check``, ``annotate`` and ``fix`` call :func:`planvalidator.server.work.check`,
:func:`~planvalidator.server.work.annotate` and :func:`~planvalidator.server.work.fix` — the functions behind
``/api/check``, ``/api/annotate`` and ``/api/fix`` —
on the bytes the page read with the File API, so both engines give the same JSON. Every request
goes to this site only: nothing is fetched from elsewhere and the workbook is never sent.
"""

# Run once in Pyodide after the wheels are unpacked: what the worker calls for each request.
PYTHON = r'''
import json, os
os.environ["XDG_CACHE_HOME"] = "/pvcache"
from planvalidator.server import work as _work
from planvalidator.workbook import InMemory as _InMemory

def pv_check(name, data, program):
    status, content = _work.check(_InMemory(name, data.to_bytes()), program or None)
    return json.dumps([status, content], ensure_ascii=False)

def pv_annotate(name, data, program):
    # the same annotation as planvalidator annotate: without lxml in the browser, on the standard library's XML
    status, content = _work.annotate(_InMemory(name, data.to_bytes()), program or None)
    if status != 200:
        return json.dumps([status, content.get("detail", ""), None], ensure_ascii=False)
    out_name, out = content
    with open(ANNOTATED, "wb") as f:              # the page reads it from Pyodide's memory file system
        f.write(out)
    return json.dumps([status, "", out_name], ensure_ascii=False)

ANNOTATED = "/tmp/annotated.xlsx"

def pv_fix(name, data):
    # the same copy as planvalidator fix writes (the safe fixes), on the standard library's XML as annotating
    status, content = _work.fix(_InMemory(name, data.to_bytes()))
    if status != 200:
        return json.dumps([status, content.get("detail", ""), None, 0], ensure_ascii=False)
    out_name, out, count = content
    with open(FIXED, "wb") as f:                  # the page reads it from Pyodide's memory file system
        f.write(out)
    return json.dumps([status, "", out_name, count], ensure_ascii=False)

FIXED = "/tmp/fixed.xlsx"

def pv_warm():
    from planvalidator.resources import templates_dir
    example = templates_dir() / "r7" / "kinyurei-r7.xlsx"
    _work.check(_InMemory(example.name, example.read_bytes()))
'''

JS = r"""
import { loadPyodide } from "./pyodide/pyodide.mjs";

const say = (op, extra) => postMessage({ op, ...extra });
let py = null;

async function fetchAll(files, onBytes) {
  const out = [];
  for (const f of files) {
    const resp = await fetch(f.path);
    if (!resp.ok) throw new Error(f.path + " を読み込めませんでした（" + resp.status + "）");
    const reader = resp.body.getReader();
    const parts = [];
    for (;;) { const { done, value } = await reader.read(); if (done) break; parts.push(value); onBytes(value.length); }
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0; for (const p of parts) { data.set(p, at); at += p.length; }
    out.push({ ...f, data });
  }
  return out;
}

async function boot() {
  const started = performance.now();
  const manifest = await (await fetch("manifest.json", { cache: "no-cache" })).json();
  const total = manifest.runtime_bytes + manifest.files.reduce((n, f) => n + f.bytes, 0);
  let done = 0;
  const mb = (n) => (n / 1e6).toFixed(1);
  const progress = (text) => say("progress", { done, total, text: text + "（" + mb(done) + " / " + mb(total) + " MB）" });
  progress("Python の実行環境を読み込んでいます");
  const runtime = loadPyodide({ indexURL: new URL("./pyodide/", location.href).href, packages: [] });
  const files = await fetchAll(manifest.files, (n) => { done += n; progress("planvalidator と部品を読み込んでいます"); });
  const fetched = performance.now();
  py = await runtime;
  const loaded = performance.now();
  done += manifest.runtime_bytes;
  progress("部品を組み込んでいます");
  const site = py.runPython("import site; site.getsitepackages()[0]");
  for (const f of files) {
    if (f.kind === "cache") {
      py.FS.mkdirTree("/pvcache/planvalidator");
      py.FS.writeFile("/pvcache/planvalidator/" + f.path.split("/").pop(), f.data);
    } else {
      py.unpackArchive(f.data, f.kind === "wheel" ? "wheel" : "zip", { extractDir: site });
    }
  }
  const unpacked = performance.now();
  py.runPython(manifest.python);
  const imported = performance.now();
  progress("最初のチェックの準備をしています");
  py.globals.get("pv_warm")();
  const warmed = performance.now();
  const seconds = ((warmed - started) / 1000).toFixed(1);
  const ms = (a, b) => Math.round(b - a);
  const timings = { fetch: ms(started, fetched), runtime: ms(started, loaded), unpack: ms(loaded, unpacked),
    imports: ms(unpacked, imported), warm: ms(imported, warmed) };
  const fetched_urls = performance.getEntriesByType("resource").map((e) => e.name);   // what this worker loaded
  say("ready", { seconds, timings, fetched: fetched_urls, text: "準備ができました（" + seconds + " 秒）。次からはブラウザーが保存した分だけ速く始まります。" });
}

const booted = boot().catch((e) => {
  say("failed", { text: "チェックの仕組みを読み込めませんでした: " + String(e.message || e).split("\n")[0] + "。ページを読み込み直してください。" });
  throw e;
});

const FAILED = "チェックの途中で失敗しました。ページを読み込み直して、もう一度お試しください。";
let queue = Promise.resolve();
onmessage = (e) => {
  const m = e.data;
  queue = queue.then(() => answer(m)).catch(() => postMessage({ id: m.id, status: 500, detail: FAILED,
    content: { file: m.name, error: FAILED, summary: { error: 0, warning: 0, info: 0 }, findings: [] } }));
};

async function answer(m) {
  try { await booted; } catch (err) {
    const text = "チェックの仕組みを読み込めませんでした。ページを読み込み直してください。";
    postMessage({ id: m.id, status: 500, detail: text, content: { file: m.name, error: text, summary: {}, findings: [] } });
    return;
  }
  const data = new Uint8Array(m.data);
  if (m.op === "check") {
    const [status, content] = JSON.parse(py.globals.get("pv_check")(m.name, data, m.program || ""));
    postMessage({ id: m.id, status, content });
  } else if (m.op === "annotate") {
    const [status, detail, name] = JSON.parse(py.globals.get("pv_annotate")(m.name, data, m.program || ""));
    const out = status === 200 ? py.FS.readFile("/tmp/annotated.xlsx") : null;
    if (out) py.FS.unlink("/tmp/annotated.xlsx");
    postMessage({ id: m.id, status, detail, name, data: out }, out ? [out.buffer] : []);
  } else if (m.op === "fix") {
    const [status, detail, name, count] = JSON.parse(py.globals.get("pv_fix")(m.name, data));
    const out = status === 200 ? py.FS.readFile("/tmp/fixed.xlsx") : null;
    if (out) py.FS.unlink("/tmp/fixed.xlsx");
    postMessage({ id: m.id, status, detail, name, count, data: out }, out ? [out.buffer] : []);
  }
}
"""
