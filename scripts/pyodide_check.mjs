// The xlwings Lite path under Pyodide (Node), offline: xlwings_lite/main.py's script on real payloads.
//
//   npm ci --prefix site                     (the npm package pyodide; or set PYODIDE_DIR to its folder)
//   node scripts/pyodide_check.mjs payloads.json main.py ARCHIVE.zip WHEEL.whl ... [--cache DIR]
//
// ARCHIVE.zip: planvalidator as site-packages holds it, with PyYAML's pure-Python source
// (planvalidator.site.package_archive, the same archive the static site ships); the wheels: those of
// planvalidator/site/requirements.txt (pyemscripten / pure) and the pure wheels of xlwings, openpyxl and
// et_xmlfile — what planvalidator's requirements give micropip on Pyodide (pyproject.toml's markers),
// unpacked here without micropip (offline: nothing comes from Pyodide's CDN). --cache DIR: the prebuilt
// cache of the validated program data (planvalidator.site.prebuilt_cache), put where planvalidator looks.
// payloads.json: a list of xlwings remote-interpreter payloads (tests/support/xl_payload.py builds them).
// Prints one JSON line: per payload the findings and the number of actions main.py's script sent back,
// what it printed, and which of the modules the live path must not need were imported.

import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.PYODIDE_DIR || new URL("../site/node_modules/pyodide/", import.meta.url).pathname;
const { loadPyodide } = await import(pathToFileURL(join(dir, "pyodide.mjs")).href);

const args = process.argv.slice(2);
const [payloads, mainPy] = [args.shift(), args.shift()];
const files = [];
let cache = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--cache") cache = args[++i];
  else files.push(args[i]);
}

const py = await loadPyodide({ indexURL: dir, stdout: () => {}, stderr: () => {} });
const site = py.runPython("import site; site.getsitepackages()[0]");
for (const f of files) {
  py.unpackArchive(new Uint8Array(readFileSync(f)), f.endsWith(".whl") ? "wheel" : "zip", { extractDir: site });
}
if (cache) {
  py.FS.mkdirTree("/pvcache/planvalidator");
  for (const f of readdirSync(cache)) py.FS.writeFile("/pvcache/planvalidator/" + basename(f), readFileSync(join(cache, f)));
}
py.FS.writeFile("/tmp/payloads.json", readFileSync(payloads));
py.FS.writeFile("/tmp/lite_main.py", readFileSync(mainPy));

const out = py.runPython(`
import contextlib, io, json, os, sys
os.environ["XDG_CACHE_HOME"] = "/pvcache"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")   # the remote engine outside xlwings Lite asks for one
import importlib.util
import xlwings
spec = importlib.util.spec_from_file_location("lite_main", "/tmp/lite_main.py")
lite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lite)                 # xlwings_lite/main.py, as xlwings Lite loads it
runs = []
for p in json.load(open("/tmp/payloads.json", encoding="utf-8")):
    book = xlwings.Book(json=p)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        lite.check_application(book)          # the script itself
    from planvalidator.xl import check_book
    report = check_book(xlwings.Book(json=p))
    runs.append({"findings": [[f.rule, f.severity.value, f.sheet, f.cell] for f in report.findings],
                 "actions": len(book.json()["actions"]), "printed": printed.getvalue().strip()})
never = ["pandas", "pandera", "click", "rich", "ruamel", "sudachipy", "lxml", "python_calamine", "msoffcrypto",
         "olefile", "pebble", "pypdfium2"]
json.dumps({"platform": sys.platform, "python": sys.version.split()[0], "runs": runs,
            "imported": [m for m in never if m in sys.modules]}, ensure_ascii=False)
`);
console.log(out);
