"""The site's Python compiled once, when the site is built, instead of in every applicant's browser.

Pyodide's ``python_stdlib.zip`` holds only source, and so does planvalidator's archive: each page load
compiled every module it imported (the runtime's own start, then planvalidator's ~80 modules) — more
than a second of WebAssembly before the first check. :func:`compile_site` runs the site's own runtime
once under Node.js (the npm package ``pyodide`` runs there too), installs the site's files as the
worker does and runs the worker's first check, then compiles:

- every module of the archive (planvalidator and PyYAML) to ``__pycache__/*.cpython-3XX.pyc``;
- the standard library's modules that start and first check imported, to ``*.pyc`` beside their source
  in the zip (zipimport reads no ``__pycache__``; the rest of the zip stays source only).

Both as *unchecked-hash* pycs (PEP 552): their validity does not hang on file times, which unpacking
does not keep; the files never change once the site is built. The sources stay beside them (tracebacks
show their lines). The same runtime compiles as runs them, so the bytecode is its own. Without Node.js
(or with one that cannot run the runtime) the site is built as before, every module compiled in the
browser: slower to start, the same check, and ``planvalidator site`` says why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

# the archive's top-level packages compiled whole (planvalidator/site/__init__.py package_archive)
PACKAGES = ("planvalidator", "yaml")

# run in Pyodide after the worker's first check: writes the pycs under /out/site and /out/stdlib
_COMPILE = r'''
import os, sys, py_compile
from importlib.util import cache_from_source
from py_compile import PycInvalidationMode

def _pyc(source: bytes, dfile: str, cfile: str):
    os.makedirs(os.path.dirname(cfile), exist_ok=True)
    with open("/tmp/_pv_source.py", "wb") as f:
        f.write(source)
    py_compile.compile("/tmp/_pv_source.py", cfile=cfile, dfile=dfile, doraise=True,
                       invalidation_mode=PycInvalidationMode.UNCHECKED_HASH)

_site = __import__("site").getsitepackages()[0]
for _package in PACKAGES:
    for _root, _dirs, _files in os.walk(os.path.join(_site, _package)):
        _dirs[:] = sorted(d for d in _dirs if d != "__pycache__")
        for _name in sorted(_files):
            if _name.endswith(".py"):
                _path = os.path.join(_root, _name)
                with open(_path, "rb") as f:
                    _pyc(f.read(), _path, "/out/site/" + os.path.relpath(cache_from_source(_path), _site))

import zipfile
_zip = next(p for p in sys.path if p.endswith(".zip"))
with zipfile.ZipFile(_zip) as _stdlib:
    _names = set(_stdlib.namelist())
    for _name, _module in sorted(sys.modules.items()):
        _file = getattr(_module, "__file__", None) or ""
        _rel = _file[len(_zip) + 1:]
        if _file.startswith(_zip + "/") and _rel in _names and _rel.endswith(".py"):
            _pyc(_stdlib.read(_rel), _file, "/out/stdlib/" + _rel + "c")
'''

# node compile.mjs CONFIG: the site's runtime, its files installed as worker.js installs them
_NODE = r"""
import fs from "node:fs";
import { pathToFileURL } from "node:url";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
try {
const { loadPyodide } = await import(pathToFileURL(config.runtime + "/pyodide.mjs").href);
const py = await loadPyodide({ indexURL: config.runtime + "/", packages: [] });
const site = py.runPython("import site; site.getsitepackages()[0]");
for (const f of config.files) {
  const data = new Uint8Array(fs.readFileSync(f.path));
  if (f.kind === "cache") {
    py.FS.mkdirTree("/pvcache/planvalidator");
    py.FS.writeFile("/pvcache/planvalidator/" + f.path.split("/").pop(), data);
  } else {
    py.unpackArchive(data, f.kind === "wheel" ? "wheel" : "zip", { extractDir: site });
  }
}
py.runPython(config.python);
py.globals.get("pv_warm")();
py.FS.mkdirTree("/out");
py.FS.mount(py.FS.filesystems.NODEFS, { root: config.out }, "/out");
py.globals.set("PACKAGES", py.toPy(config.packages));
py.runPython(config.compile);
} catch (e) {                     // one line: the Python exception's last line, or the JavaScript error
  console.error(String((e && e.message) || e).trim().split("\n").pop());
  process.exit(1);
}
"""


class CompileError(Exception):
    """The runtime under Node.js could not compile the site's modules (its last line of output)."""


def compile_site(runtime: Path, files: list[tuple[Path, str]], python: str) -> tuple[dict, dict] | None:
    """The pycs of the site's modules, made by ``runtime`` under Node.js with ``files`` ((path, kind) as the
    manifest lists them) installed and ``python`` (the worker's code) run: ({path in site-packages: bytes},
    {path in python_stdlib.zip: bytes}); None without Node.js."""
    node = shutil.which("node")
    if node is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        config = {"runtime": str(Path(runtime).resolve()), "python": python, "compile": _COMPILE, "out": str(out),
                  "packages": list(PACKAGES),
                  "files": [{"path": str(Path(p).resolve()), "kind": kind} for p, kind in files]}
        (Path(tmp) / "config.json").write_text(json.dumps(config), encoding="utf-8")
        (Path(tmp) / "compile.mjs").write_text(_NODE, encoding="utf-8")
        try:
            done = subprocess.run([node, str(Path(tmp) / "compile.mjs"), str(Path(tmp) / "config.json")],
                                  capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CompileError(type(exc).__name__) from None
        if done.returncode != 0:
            raise CompileError((done.stderr.strip().splitlines() or ["?"])[-1])
        return tuple({p.relative_to(out / part).as_posix(): p.read_bytes()
                      for p in sorted((out / part).rglob("*.pyc"))} for part in ("site", "stdlib"))
