// The xlwings Lite path under Pyodide (Node), as far as it runs offline.
//
//   npm install pyodide            (in some folder; set PYODIDE_DIR to its node_modules/pyodide)
//   pip wheel . --no-deps -w dist  (planvalidator's pure-Python wheel)
//   pip download --no-deps --only-binary=:all: --platform any --python-version 3.14 -d wheels \
//       xlwings japanera kanjize typing_extensions annotated_types typing_inspection \
//       pydantic openpyxl et_xmlfile python-dateutil six micropip packaging
//   node scripts/pyodide_check.mjs payloads.json wheels/*.whl dist/planvalidator-*.whl [--pure DIR ...]
//
// Pyodide's own compiled packages (pydantic-core, PyYAML, numpy, pandas, lxml …) come from its CDN,
// not from the npm package: offline, loadPackage fails for them and the run says so. ``--pure DIR``
// copies a folder of pure-Python modules (e.g. PyYAML's yaml/ without its C extension) into
// site-packages. ``--cache DIR`` gives planvalidator the validated program.yaml
// (DIR = $XDG_CACHE_HOME/planvalidator after a check on this machine, same planvalidator): without
// pydantic-core (offline) that is the one step that cannot run here. Each step prints OK or FAILED with the reason; the last line is a JSON summary.
// payloads.json: a list of xlwings remote-interpreter payloads (tests/xl_payload.py builds them).

import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.PYODIDE_DIR || "/tmp/pyo/node_modules/pyodide";
const { loadPyodide } = await import(pathToFileURL(join(dir, "pyodide.mjs")).href);

const args = process.argv.slice(2);
const payloads = args.shift();
const wheels = [], pure = [];
let cache = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--pure") pure.push(args[++i]);
  else if (args[i] === "--cache") cache = args[++i];
  else wheels.push(args[i]);
}

const summary = { pyodide: null, python: null, loadPackage: {}, wheels: {}, steps: {} };
const py = await loadPyodide({ indexURL: dir });
summary.pyodide = py.version;
summary.python = py.runPython("import sys; sys.version.split()[0]");

for (const name of ["micropip", "pyyaml", "pydantic-core", "python-calamine", "lxml", "pandas"]) {
  const errors = [];   // loadPackage reports a package it cannot fetch here, it does not throw
  try {
    const got = await py.loadPackage(name, { messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
    summary.loadPackage[name] = got.length && !errors.length ? "OK" : "FAILED: " + (errors[0] || "nothing loaded").split("\n")[0].slice(0, 160);
  }
  catch (e) { summary.loadPackage[name] = "FAILED: " + String(e.message || e).split("\n")[0].slice(0, 160); }
}
const site = py.runPython("import site; site.getsitepackages()[0]");
for (const w of wheels) {
  try { py.unpackArchive(new Uint8Array(readFileSync(w)), "wheel"); summary.wheels[basename(w)] = "OK"; }
  catch (e) { summary.wheels[basename(w)] = "FAILED: " + String(e).slice(0, 160); }
}
function copyTree(src, dst) {
  py.FS.mkdirTree(dst);
  for (const f of readdirSync(src)) {
    const s = join(src, f), d = dst + "/" + f;
    if (statSync(s).isDirectory()) { if (f !== "__pycache__") copyTree(s, d); }
    else if (f.endsWith(".py")) py.FS.writeFile(d, readFileSync(s));
  }
}
for (const p of pure) copyTree(p, site + "/" + basename(p));
if (cache) {   // planvalidator's cache of the validated program.yaml: with it, pydantic is not imported
  py.FS.mkdirTree("/tmp/pvcache/planvalidator");
  for (const f of readdirSync(cache)) py.FS.writeFile("/tmp/pvcache/planvalidator/" + f, readFileSync(join(cache, f)));
  py.runPython("import os; os.environ['XDG_CACHE_HOME'] = '/tmp/pvcache'");
}
py.FS.writeFile("/tmp/payloads.json", readFileSync(payloads));

const steps = py.runPython(`
import json, os, sys
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")   # the remote engine outside xlwings Lite asks for one
steps = {}
def step(name, action):
    try:
        result = action()
        steps[name] = "OK" + (f": {result}" if result is not None else "")
        return True
    except BaseException as exc:
        import traceback
        where = [f"{f.filename.split('site-packages/')[-1]}:{f.lineno}" for f in traceback.extract_tb(exc.__traceback__) if "planvalidator" in f.filename][-4:]
        steps[name] = f"FAILED: {type(exc).__name__}: {exc}"[:300] + f" (at {' < '.join(reversed(where))})"
        return False

step("sys.platform", lambda: sys.platform)
step("import xlwings", lambda: __import__("xlwings").__version__)
step("import planvalidator.xl", lambda: __import__("planvalidator.xl") and None)
step("import planvalidator.engine", lambda: __import__("planvalidator.engine") and None)

def books():
    import xlwings
    return [xlwings.Book(json=p) for p in json.load(open("/tmp/payloads.json", encoding="utf-8"))]

def grid():
    from planvalidator.xl import grid_from_book
    g = grid_from_book(books()[0])
    return f"{len(g.sheets)} sheets"

def layout():
    from planvalidator.reader import identify, reference_grid
    from planvalidator.xl import grid_from_book
    lay = identify(grid_from_book(books()[0]))
    ref = reference_grid(lay)
    return f"{lay.template}; reference merges {sum(len(s.merged) for s in ref.sheets.values())}"

def check():
    from planvalidator.xl import check_book
    out = []
    for book in books():
        report = check_book(book)
        out.append([[f.rule, f.severity.value, f.sheet, f.cell] for f in report.findings])
    return json.dumps(out, ensure_ascii=False)

step("xlwings.Book(json=payload)", lambda: len(books()))
step("grid_from_book", grid)
step("identify + reference template", layout)
step("check_book", check)
steps["pydantic imported"] = "pydantic" in sys.modules and sys.modules["pydantic"] is not None
blocked = [m for m in ("sudachipy", "python_calamine", "lxml", "msoffcrypto", "olefile", "pebble", "pypdfium2")
           if m in sys.modules and sys.modules[m] is not None]
steps["file-only modules imported"] = blocked
json.dumps(steps, ensure_ascii=False)
`);
summary.steps = JSON.parse(steps);
for (const [k, v] of Object.entries(summary.loadPackage)) console.log(`loadPackage ${k}: ${v}`);
for (const [k, v] of Object.entries(summary.wheels)) console.log(`wheel ${k}: ${v}`);
for (const [k, v] of Object.entries(summary.steps)) console.log(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
console.log(JSON.stringify(summary));
