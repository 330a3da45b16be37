"""``planvalidator site OUT/``: the static check site — the check page, the Pyodide runtime and the wheels
its check needs, all in one folder that any static web host serves (ISICO's web server, an intranet
server, a hosted pages service). Nothing is fetched from elsewhere at run time: the page, its worker,
the runtime and the wheels come from the same origin, and the workbook is read with the File API and
checked in the browser — it never leaves the PC.

    OUT/index.html        the check page (the same page as ``planvalidator serve``'s, engine ``browser``)
    OUT/rules.html        every rule's explanation (the findings' codes link to it)
    OUT/worker.js         the Web Worker: Pyodide, the wheels, planvalidator.server.work (planvalidator.server.worker)
    OUT/manifest.json     what the worker loads (each file's size: the page shows the progress)
    OUT/pyodide/          the runtime, copied from the npm package ``pyodide`` (--pyodide DIR)
    OUT/wheels/           the wheels of planvalidator/site/requirements.txt (--wheels DIR) and planvalidator's
                          own archive (its package with schemas/ and templates/, and PyYAML's pure-Python source)
    OUT/cache/            the validated program data and every data file the first check reads
                          (planvalidator.datacache), prebuilt here

Where Node.js is installed, the site's Python is compiled when it is built (planvalidator.site.bytecode):
the archive's modules and the standard library's modules the first check imports, as pycs beside
their source, so the browser starts without compiling them.

The files whose content can change keep its hash in their name, so a browser's cached copy of an older
site is never used for a newer one.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from planvalidator.datacache import STAMP_FILE
from planvalidator.errors import CannotCheck
from planvalidator.site.bytecode import CompileError, compile_site
from planvalidator.structs import Frozen

REQUIREMENTS = Path(__file__).with_name("requirements.txt")
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json",
                 "package.json")
TEMPLATE_FOLDERS_LEFT_OUT = ("intake", "golden")      # batch examples and golden files: not read by a check


class SiteError(CannotCheck):
    """The site cannot be built (no runtime, a wheel missing, the folder not writable): one Japanese line."""


class Built(Frozen):
    folder: Path
    files: int
    bytes: int
    wheels: tuple[str, ...]
    pyodide: str
    bytecode: int = 0                   # the modules compiled at build time (0: compiled in the browser)
    not_compiled: str = ""              # why none was: one Japanese phrase (no Node.js, or what it said)


def requirements() -> list[tuple[str, str]]:
    """(name, version) of each wheel the browser needs (planvalidator/site/requirements.txt)."""
    out = []
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            out.append((name.strip(), version.strip()))
    return out


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_wheels(folder: Path) -> list[Path]:
    """The wheel of each requirement in ``folder``; a SiteError naming the first one missing."""
    found = []
    have = sorted(Path(folder).glob("*.whl")) if Path(folder).is_dir() else []
    for name, version in requirements():
        match = [p for p in have if [_norm(x) for x in p.name.split("-")[:2]] == [_norm(name), _norm(version)]
                 and (p.name.endswith("-none-any.whl") or "pyemscripten" in p.name)]
        if not match:
            raise SiteError(f"{folder}: {name} {version} の wheel（pyemscripten 用か純粋な Python）がありません"
                            f"（pip download --no-deps --only-binary=:all: --platform pyemscripten_2026_0_wasm32 "
                            f"--python-version 3.14 -d {folder} -r {REQUIREMENTS}）")
        found.append(match[-1])
    return found


def find_pyodide(folder: Path | None) -> Path:
    """The npm package ``pyodide`` (its folder, or a folder whose node_modules/pyodide it is)."""
    import os

    candidates = [Path(folder)] if folder else []
    if not folder and os.environ.get("PLANVALIDATOR_PYODIDE"):
        candidates.append(Path(os.environ["PLANVALIDATOR_PYODIDE"]))
    for c in list(candidates):
        candidates.append(c / "node_modules" / "pyodide")
    for c in candidates:
        if all((c / f).is_file() for f in RUNTIME_FILES):
            return c
    where = folder or os.environ.get("PLANVALIDATOR_PYODIDE")
    raise SiteError((f"{where}: " if where else "") + "Pyodide の実行環境（npm のパッケージ pyodide）が見つかりません"
                    "（npm install pyodide で入れて --pyodide にそのフォルダを指定するか、環境変数 PLANVALIDATOR_PYODIDE に）")


def package_archive(bytecode: dict[str, bytes] | None = None) -> bytes:
    """planvalidator itself as site-packages holds it (its modules, schemas/ and templates/ as package data)
    and PyYAML's pure-Python modules: a zip the worker unpacks into site-packages; ``bytecode``: the pycs
    compiled for the site's runtime ({path in site-packages: bytes}, planvalidator.site.bytecode) beside them."""
    import io

    import yaml

    from planvalidator.resources import data_dir

    package = Path(__file__).resolve().parent.parent
    parts = [(package, "planvalidator", ()), (data_dir("schemas"), "planvalidator/schemas", ()),
             (data_dir("templates"), "planvalidator/templates", TEMPLATE_FOLDERS_LEFT_OUT),
             (Path(yaml.__file__).parent, "yaml", ())]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for base, arc, left_out in parts:
            for p in sorted(base.rglob("*")):
                rel = p.relative_to(base)
                if (not p.is_file() or "__pycache__" in rel.parts or p.suffix in (".pyc", ".so", ".pyd")
                        or (rel.parts and rel.parts[0] in left_out) or (arc == "yaml" and p.suffix != ".py")
                        or (arc == "planvalidator" and rel.parts[0] in ("schemas", "templates"))):
                    continue
                info = zipfile.ZipInfo(f"{arc}/{rel.as_posix()}", date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, p.read_bytes())
        _add(z, bytecode or {})
    return buffer.getvalue()


def _add(z: zipfile.ZipFile, members: dict[str, bytes]) -> None:
    for name in sorted(members):
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, members[name])


def stdlib_with(zip_path: Path, bytecode: dict[str, bytes]) -> bytes:
    """The runtime's python_stdlib.zip with ``bytecode`` ({path in the zip: pyc}) added beside the sources."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            z.writestr(info, source.read(info))
        _add(z, bytecode)
    return buffer.getvalue()


# every version's program data and profile, then the worker's first check (worker.PYTHON's pv_warm, the same
# call on the same workbook): the data files it reads (schemas/, the template's reference grid) are in the
# cache too, never parsed in the browser
_WARM = ("from planvalidator.layout import known_layouts\n"
         "from planvalidator.profiles import profiles, templates\n"
         "from planvalidator.program import load_program\n"
         "profiles(); templates()\n"
         "for layout in known_layouts(): load_program(layout.folder)\n"
         "from planvalidator.resources import templates_dir\n"
         "from planvalidator.server import work\n"
         "from planvalidator.workbook import InMemory\n"
         "example = templates_dir() / 'r7' / 'kinyurei-r7.xlsx'\n"
         "work.check(InMemory(example.name, example.read_bytes()))\n")


def prebuilt_cache() -> dict[str, bytes]:
    """The validated program data (program.yaml of each version, every profile) and the data files of the
    first check as planvalidator.datacache keeps them, made by a fresh process with a cache folder of its own:
    the worker puts them where planvalidator looks."""
    import os

    with tempfile.TemporaryDirectory() as tmp:
        package_root = str(Path(__file__).resolve().parent.parent.parent)
        env = {**os.environ, "XDG_CACHE_HOME": tmp,
               "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        done = subprocess.run([sys.executable, "-c", _WARM], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SiteError("制度のデータを検証できませんでした: " + (done.stderr.strip().splitlines() or ["?"])[-1])
        # the entries only: the stamps name this machine's files, which the browser has not
        return {p.name: p.read_bytes() for p in sorted((Path(tmp) / "planvalidator").glob("*.json"))
                if p.name != STAMP_FILE}


def _hashed(name: str, data: bytes) -> str:
    stem, dot, suffix = name.partition(".")
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}{dot}{suffix}"


def build(out: Path, pyodide: Path | None, wheels: Path) -> Built:
    """Write the site into ``out`` (created; files of an earlier build there are replaced)."""
    from planvalidator.server.page import page_html
    from planvalidator.server.rules_page import rules_html
    from planvalidator.server.worker import JS, PYTHON

    runtime = find_pyodide(pyodide)
    found = find_wheels(wheels)
    out = Path(out)
    try:
        for sub in ("pyodide", "wheels", "cache"):
            if (out / sub).is_dir():
                shutil.rmtree(out / sub)
            (out / sub).mkdir(parents=True)
    except OSError:
        raise SiteError(f"{out}: フォルダを作れないか、書き込めません") from None
    wheel_files, cache_files = [], []
    for wheel in found:
        shutil.copyfile(wheel, out / "wheels" / wheel.name)
        wheel_files.append({"path": f"wheels/{wheel.name}", "kind": "wheel"})
    for cache_name, data in prebuilt_cache().items():
        (out / "cache" / cache_name).write_bytes(data)
        cache_files.append({"path": f"cache/{cache_name}", "kind": "cache"})
    source = out / "wheels" / "planvalidator.zip"           # the archive without bytecode: what compiles it
    source.write_bytes(package_archive())
    not_compiled = ""
    try:
        compiled = compile_site(runtime, [(out / f["path"], f["kind"]) for f in wheel_files] + [(source, "zip")]
                                + [(out / f["path"], f["kind"]) for f in cache_files], PYTHON)
    except CompileError as exc:                 # a Node.js that cannot run the runtime: the site from source
        compiled, not_compiled = None, f"Node.js の Pyodide でコンパイルできませんでした: {exc}"
    else:
        not_compiled = "" if compiled is not None else "Node.js がありません"
    finally:
        source.unlink()
    site_pycs, stdlib_pycs = compiled or ({}, {})
    archive = package_archive(site_pycs)
    name = _hashed("planvalidator.zip", archive)
    (out / "wheels" / name).write_bytes(archive)
    files = [*wheel_files, {"path": f"wheels/{name}", "kind": "zip"}, *cache_files]
    for f in files:
        f["bytes"] = (out / f["path"]).stat().st_size
    for runtime_name in RUNTIME_FILES:
        if runtime_name == "python_stdlib.zip" and stdlib_pycs:
            (out / "pyodide" / runtime_name).write_bytes(stdlib_with(runtime / runtime_name, stdlib_pycs))
        else:
            shutil.copyfile(runtime / runtime_name, out / "pyodide" / runtime_name)
    runtime_bytes = sum((out / "pyodide" / n).stat().st_size for n in RUNTIME_FILES if n != "package.json")
    version = json.loads((runtime / "package.json").read_text(encoding="utf-8")).get("version", "?")
    manifest = {"pyodide": version, "runtime_bytes": runtime_bytes, "files": files, "python": PYTHON}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "worker.js").write_text(JS, encoding="utf-8")
    (out / "index.html").write_text(page_html("browser"), encoding="utf-8")
    (out / "rules.html").write_text(rules_html(), encoding="utf-8")
    total = runtime_bytes + sum(f["bytes"] for f in files)
    return Built(out, len(files) + len(RUNTIME_FILES) + 4, total, tuple(w.name for w in found), version,
                 len(site_pycs) + len(stdlib_pycs), not_compiled)
