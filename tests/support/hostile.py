"""A corpus of hostile and broken workbooks, and a runner that checks one in a child process.

Every file is made from ISICO's official workbooks in templates/r7/ (the 記入例 and the blank
様式): edited with openpyxl where openpyxl can say it, otherwise by editing the zip's parts
(sheet XML, shared strings, headers) directly, or — for what is not a workbook at all — as bytes.

    build_corpus(folder) -> [Case, ...]     every case, written into ``folder``
    run_check(path)      -> Run             ``planvalidator check --format json path`` in a child
                                            process: exit status, wall time, peak memory

Used by tests/test_hostile.py and scripts/reliability.py (the figures in docs/reliability.md).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Callable
from xml.etree import ElementTree

from support.helpers import EXAMPLE, TEMPLATE, make_xlsm, parts, write_parts

GiB = 1024 ** 3
BOMB_BYTES = 1_100_000_000      # the zip bomb's sheet part, decompressed (over 1 GB)

Hit = tuple[str, str, str, str]  # (rule, severity, sheet, cell) of a finding


@dataclass(frozen=True)
class Case:
    """One input file and what ``planvalidator check`` must do with it (beyond never crashing)."""
    name: str
    path: Path
    exits: frozenset[int] = frozenset({0, 1, 2})  # the exit codes allowed
    reason: tuple[str, ...] = ()     # exit 2: the one-line reason contains one of these
    findings: tuple[Hit, ...] = ()   # findings that must be reported
    exactly: tuple[str, ...] = ()    # rules whose findings must be exactly those in ``findings``
    no_errors: bool = False          # no finding of severity "error"
    skip: str | None = None          # why this case could not be built here


# --- the registry -------------------------------------------------------------------------

_BUILDERS: list[tuple[str, str, dict, Callable[[Path], None]]] = []


class Unavailable(Exception):
    """Raised by a builder that cannot make its file on this machine (the case is skipped)."""


def case(name: str, *, suffix: str = ".xlsx", **expect):
    """Register a builder ``build(target)`` that writes the case's file to ``target``."""
    def register(build: Callable[[Path], None]):
        _BUILDERS.append((name, suffix, expect, build))
        return build
    return register


def build(name: str, folder: Path) -> Path:
    """The file of one case, written into ``folder``."""
    for case_name, suffix, _expect, builder in _BUILDERS:
        if case_name == name:
            path = folder / f"{name}{suffix}"
            builder(path)
            return path
    raise KeyError(name)


def case_names() -> list[str]:
    return [name for name, *_ in _BUILDERS]


def build_corpus(folder: Path) -> list[Case]:
    """Write every case's file into ``folder`` (a few seconds) and return the cases."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, suffix, expect, build in _BUILDERS:
        path = folder / f"{name}{suffix}"
        try:
            build(path)
        except Unavailable as exc:
            cases.append(Case(name, path, skip=str(exc)))
            continue
        expect = {k: frozenset(v) if k == "exits" else tuple(v) if isinstance(v, (list, set)) else v
                  for k, v in expect.items()}
        cases.append(Case(name, path, **expect))
    return cases


# --- running one file ---------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """What one ``planvalidator check`` child process did."""
    exit_code: int      # as subprocess reports it: negative = killed by that signal
    seconds: float      # wall time (what the user waits; on a busy machine more than the work)
    peak_mib: float     # peak resident memory (ru_maxrss from wait4)
    stdout: str
    stderr: str
    timed_out: bool = False
    cpu_seconds: float = 0.0    # the child's own CPU time, user and system (wait4): the work it did,
                                # whatever else the machine is doing

    @property
    def crashed(self) -> bool:
        """Killed by a signal, an exit code outside 0/1/2, or a Python traceback."""
        return self.exit_code not in (0, 1, 2) or "Traceback" in self.stderr


# The child's peak RSS cannot be read from a child of the test process itself: Linux carries the
# forking process's high-water mark over into the child's ru_maxrss (exec records the old memory
# map's peak), so every figure would read as at least pytest's own ~300 MB. A small launcher
# (python -I -S, ~10 MB) starts the check as *its* child instead, waits for it with os.wait4 and
# writes back its exit status, wall time and ru_maxrss.
_LAUNCHER = r"""
import os, resource, signal, sys, time
report, timeout, cap = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
os.set_inheritable(report, False)
if cap:
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
start = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[4], sys.argv[4:])
    finally:
        os._exit(127)
expired = []
def expire(*_):
    expired.append(1)
    os.kill(pid, signal.SIGKILL)
signal.signal(signal.SIGALRM, expire)
signal.setitimer(signal.ITIMER_REAL, timeout)
_, status, usage = os.wait4(pid, 0)
signal.setitimer(signal.ITIMER_REAL, 0)
seconds = time.monotonic() - start
cpu = usage.ru_utime + usage.ru_stime
os.write(report, f"{os.waitstatus_to_exitcode(status)} {seconds} {usage.ru_maxrss} {len(expired)} {cpu}".encode())
"""


def run_check(path: Path, *, timeout: float = 60.0, memory_cap: int | None = 4 * GiB,
              command: list[str] | None = None) -> Run:
    """``python -m planvalidator check --format json path``, run in ``path``'s folder.

    Its exit status and resource usage come from ``os.wait4`` (in the launcher above); past
    ``timeout`` seconds it is killed. ``memory_cap`` (RLIMIT_AS) is only a safety net so that a
    runaway allocation cannot take the machine down: it is far above what the tests allow, and a
    run that reaches it fails them (an abort, or a MemoryError).
    """
    command = [sys.executable, "-m", "planvalidator", *(command or ["check", "--format", "json"]), str(path)]
    readable, writable = os.pipe()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, os.fdopen(readable, "rb") as report:
        try:
            launcher = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(writable), str(timeout), str(memory_cap or 0),
                 *command], stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=path.parent,
                pass_fds=(writable,), start_new_session=True)
        finally:
            os.close(writable)
        # a net under the net: the launcher itself is killed (with its group) if it hangs
        guard = threading.Timer(timeout + 30, lambda: os.killpg(launcher.pid, signal.SIGKILL))
        guard.start()
        try:
            launcher.wait()
        finally:
            guard.cancel()
        figures = report.read().split()
        if len(figures) != 5:
            raise RuntimeError(f"the launcher failed (exit {launcher.returncode}): {figures}")
        out.seek(0)
        err.seek(0)
        return Run(exit_code=int(figures[0]), seconds=float(figures[1]), peak_mib=int(figures[2]) / 1024,
                   stdout=out.read().decode("utf-8", "replace"),
                   stderr=err.read().decode("utf-8", "replace"), timed_out=figures[3] == b"1",
                   cpu_seconds=float(figures[4]))


# --- building blocks ------------------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@cache
def _example_parts() -> dict[str, bytes]:
    return parts(EXAMPLE)


def sheet_part(contents: dict[str, bytes], title: str) -> str:
    """The part name of the sheet called ``title`` (from workbook.xml and its rels)."""
    book = ElementTree.fromstring(contents["xl/workbook.xml"])
    rels = ElementTree.fromstring(contents["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG_REL}Relationship")}
    for sheet in book.iter(f"{_MAIN}sheet"):
        if sheet.get("name") == title:
            target = targets[sheet.get(f"{_REL}id")]
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(title)


def with_parts(target: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    """The 記入例 with its parts changed by ``change(contents)`` (a part set to None is left out)."""
    contents = dict(_example_parts())
    change(contents)
    write_parts(target, {name: data for name, data in contents.items() if data is not None})


def edit_sheet(target: Path, title: str, change: Callable[[str], str]) -> None:
    """The 記入例 with the XML text of one sheet part changed by ``change``."""
    def apply(contents):
        name = sheet_part(contents, title)
        contents[name] = change(contents[name].decode()).encode()
    with_parts(target, apply)


def set_cell(xml: str, ref: str, body: str, kind: str | None = None) -> str:
    """Replace the cell ``ref`` of a sheet's XML by one with ``body`` inside (``<v>…</v>``,
    ``<f>…</f><v>…</v>``, ``<is>…</is>``) and type ``kind``, keeping its style."""
    found = re.search(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', xml)
    if not found:
        raise KeyError(f"no cell {ref} in this sheet part")
    style = re.search(r'\ss="(\d+)"', found["attrs"])
    cell = f'<c r="{ref}"' + (f' s="{style[1]}"' if style else "") + (f' t="{kind}"' if kind else "")
    return xml[:found.start()] + f"{cell}>{body}</c>" + xml[found.end():]


def formula_of(xml: str, ref: str) -> str:
    """The ``<f>`` element of cell ``ref`` as written (to keep a formula while changing its result)."""
    found = re.search(rf'<c r="{ref}"[^>]*>(<f[^>]*>.*?</f>)', xml)
    if not found:
        raise KeyError(f"no formula in {ref}")
    return found[1]


def add_merges(xml: str, *refs: str) -> str:
    """Add ``<mergeCell ref=…>`` entries to a sheet's XML (which already has merged cells)."""
    def grow(found):
        count = int(found[1]) + len(refs)
        extra = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
        return f'<mergeCells count="{count}">{found[2]}{extra}</mergeCells>'
    return re.sub(r'<mergeCells count="(\d+)">(.*?)</mergeCells>', grow, xml, count=1, flags=re.S)


def append_rows(xml: str, rows: str, dimension: str | None = None) -> str:
    """Add ``<row>`` elements at the end of a sheet's data (and, if given, a new dimension)."""
    xml = xml.replace("</sheetData>", rows + "</sheetData>", 1)
    if dimension:
        xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', xml, count=1)
    return xml


class _Example:
    """The 記入例 loaded by openpyxl once. Each case changes it, saves, and undoes its changes
    (loading takes ~0.2 s, saving ~0.03 s, and a deep copy loses the styles)."""

    def __init__(self):
        import openpyxl
        self.book = openpyxl.load_workbook(EXAMPLE)

    def save_with(self, target: Path, edits: dict[str, dict[str, object]], change=None) -> None:
        from openpyxl.utils.cell import coordinate_to_tuple

        undo = [change(self.book)] if change else []
        try:
            for title, cells in edits.items():
                sheet = self.book[title]
                for ref, value in cells.items():
                    key = coordinate_to_tuple(ref)
                    if key in sheet._cells:             # asking sheet[ref] would create the cell
                        undo.append(lambda cell=sheet[ref], value=sheet[ref].value: setattr(cell, "value", value))
                    else:
                        undo.append(lambda sheet=sheet, key=key: sheet._cells.pop(key))
                    sheet[ref].value = value
            self.book.save(target)
        finally:
            for step in reversed(undo):
                step()


@cache
def _example() -> _Example:
    return _Example()


def example_with(target: Path, edits: dict[str, dict[str, object]], *, change=None) -> None:
    """The 記入例 with cells changed, saved by openpyxl. ``change(book)`` makes changes to the
    sheets themselves and returns a function that undoes them."""
    _example().save_with(target, edits, change)


def patch_entry(data: bytearray, name: str, *, method: int, crc: int, size: int) -> None:
    """Rewrite one zip entry's compression method, CRC-32 and uncompressed size, in its local
    header and its central directory record (what zipfile would not write: a stream deflated
    elsewhere, or a size that lies)."""
    end = data.rfind(b"PK\x05\x06")
    count = int.from_bytes(data[end + 10:end + 12], "little")
    at = int.from_bytes(data[end + 16:end + 20], "little")
    for _ in range(count):
        name_len, extra_len, comment_len = (int.from_bytes(data[at + i:at + i + 2], "little")
                                            for i in (28, 30, 32))
        if data[at + 46:at + 46 + name_len].decode() == name:
            local = int.from_bytes(data[at + 42:at + 46], "little")
            for header, (m, c, s) in ((at, (10, 16, 24)), (local, (8, 14, 22))):
                data[header + m:header + m + 2] = method.to_bytes(2, "little")
                data[header + c:header + c + 4] = crc.to_bytes(4, "little")
                data[header + s:header + s + 4] = size.to_bytes(4, "little")
            return
        at += 46 + name_len + extra_len + comment_len
    raise KeyError(name)


def _deflate(data: bytes, mode: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(mode)


@cache
def _bomb() -> tuple[str, bytes, int, int]:
    """The 記入例's 計画様式7 part with BOMB_BYTES of spaces inside <sheetData>, as a raw deflate
    stream (~1 MB): (part name, stream, CRC-32, size).

    One 16 MiB block of spaces is deflated once, ending in a full flush (byte-aligned, no back
    references), and repeated; so building it costs a CRC pass, not 1.1 GB of compression."""
    name = sheet_part(_example_parts(), "計画様式7")
    head, tail = _example_parts()[name].split(b"<sheetData>", 1)
    head += b"<sheetData>"
    chunk = b" " * (1 << 24)
    count, rest = divmod(BOMB_BYTES, len(chunk))
    stream = (_deflate(head, zlib.Z_FULL_FLUSH) + _deflate(chunk, zlib.Z_FULL_FLUSH) * count
              + _deflate(b" " * rest + tail, zlib.Z_FINISH))
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(b" " * rest + tail, crc)
    return name, stream, crc, len(head) + BOMB_BYTES + len(tail)


def write_bomb(target: Path, *, declared: int | None = None) -> None:
    """The 記入例 whose 計画様式7 part decompresses to over 1 GB (declared honestly, or as
    ``declared`` bytes: a header that lies)."""
    name, stream, crc, size = _bomb()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, data in _example_parts().items():
            if part == name:
                info = zipfile.ZipInfo(part, date_time=(2025, 6, 2, 0, 0, 0))
                info.compress_type = zipfile.ZIP_STORED      # the stream as is; patched below
                zf.writestr(info, stream)
            else:
                zf.writestr(part, data)
    data = bytearray(target.read_bytes())
    patch_entry(data, name, method=zipfile.ZIP_DEFLATED, crc=crc, size=size if declared is None else declared)
    target.write_bytes(bytes(data))


def minimal_pdf() -> bytes:
    """A small valid PDF (one empty A4 page)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _entities(root: str, body: str) -> str:
    """An XML declaration and a DOCTYPE for ``root`` with the given internal subset."""
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE {root} [\n{body}\n]>\n'


def _laughs() -> str:
    """Ten levels of entities, each ten of the one below: &lol9; is 10^9 × "lol"."""
    lines = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 if n > 1 else "")) * 10}">' for n in range(1, 10)]
    return "\n".join(lines)


def _without_declaration(xml: bytes) -> str:
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", xml.decode(), count=1)


# --- the cases: not a workbook at all -------------------------------------------------------

@case("empty", exits={2})
def _empty(target):
    target.write_bytes(b"")


@case("not-a-zip", exits={2})
def _not_a_zip(target):
    target.write_text("これは Excel ブックではありません。申請書をそのまま貼り付けたテキストです。\n" * 20,
                      encoding="utf-8")


@case("pdf-renamed", exits={2})
def _pdf(target):
    target.write_bytes(minimal_pdf())


@case("old-xls", suffix=".xls", exits={2}, reason=(".xls",))
def _old_xls(target):
    """An OLE2 compound file (the .xls container): its magic, then a header's worth of bytes."""
    target.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504) + b"\xff" * 1024)


@case("encrypted", exits={2}, reason=("パスワード",))
def _encrypted(target):
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError as exc:
        raise Unavailable(f"msoffcrypto-tool is not installed ({exc})") from None
    if not hasattr(OOXMLFile, "encrypt"):
        raise Unavailable("this msoffcrypto-tool cannot encrypt (OOXMLFile.encrypt needs version 5.1+)")
    with EXAMPLE.open("rb") as source, target.open("wb") as out:
        OOXMLFile(source).encrypt("ISICO2025", out)


@case("truncated", exits={2})
def _truncated(target):
    data = EXAMPLE.read_bytes()
    target.write_bytes(data[:len(data) // 2])


@case("empty-zip", exits={2})
def _empty_zip(target):
    write_parts(target, {})


@case("zip-without-workbook", exits={2})
def _zip_without_workbook(target):
    """The 記入例's package with everything under xl/ left out."""
    with_parts(target, lambda c: c.update({n: None for n in c if n.startswith("xl/")}))


# --- the cases: a package built to exhaust the reader ---------------------------------------

@case("zip-bomb", exits={2}, reason=("展開すると", "GB", "MB"))
def _zip_bomb(target):
    write_bomb(target)


@case("zip-bomb-lying-size", exits={2})
def _zip_bomb_lying(target):
    """The same bomb, its headers claiming the part is as small as the original sheet."""
    write_bomb(target, declared=len(_example_parts()[_bomb()[0]]))


@case("billion-laughs", exits={2}, reason=("DTD",))
def _billion_laughs(target):
    """sharedStrings.xml with nested entities: the first string expands to 3 GB of "lol"."""
    def change(contents):
        xml = _without_declaration(contents["xl/sharedStrings.xml"])
        xml = re.sub(r"<t([^>]*)>", r"<t\1>&lol9;", xml, count=1)
        contents["xl/sharedStrings.xml"] = (_entities("sst", _laughs()) + xml).encode()
    with_parts(target, change)


@case("billion-laughs-sheet", exits={2}, reason=("DTD",))
def _billion_laughs_sheet(target):
    """計画様式7's part with nested entities, expanded in an inline string (F6)."""
    def change(xml):
        xml = set_cell(xml, "F6", "<is><t>&lol9;</t></is>", "inlineStr")
        return _entities("worksheet", _laughs()) + re.sub(r"^<\?xml[^>]*\?>\s*", "", xml, count=1)
    edit_sheet(target, "計画様式7", change)


@case("external-entity", exits={2}, reason=("DTD",))
def _external_entity(target):
    """sharedStrings.xml reading /etc/passwd through an external entity (XXE)."""
    def change(contents):
        xml = _without_declaration(contents["xl/sharedStrings.xml"])
        xml = re.sub(r"<t([^>]*)>", r"<t\1>&xxe;", xml, count=1)
        contents["xl/sharedStrings.xml"] = (
            _entities("sst", '<!ENTITY xxe SYSTEM "file:///etc/passwd">') + xml).encode()
    with_parts(target, change)


@case("deep-xml-nesting")
def _deep_nesting(target):
    """100,000 nested elements in an extension list of 計画様式7 (a recursive parser's end)."""
    depth = 100_000
    ext = ('<extLst><ext uri="{00000000-0000-0000-0000-000000000000}">' + "<x>" * depth
           + "</x>" * depth + "</ext></extLst>")
    edit_sheet(target, "計画様式7", lambda xml: xml.replace("</worksheet>", ext + "</worksheet>"))


@case("too-many-parts")
def _too_many_parts(target):
    """The 記入例 with 12,000 extra (empty) entries in the zip."""
    with_parts(target, lambda c: c.update({f"xl/media/junk{n}.bin": b"" for n in range(12_000)}))


# --- the cases: the sheet grid --------------------------------------------------------------

@case("value-at-xfd1048576", exits={0}, no_errors=True, exactly=("PV009",),
      findings=[("PV009", "warning", "計画様式7", "XFD1048576")])
def _xfd1048576(target):
    example_with(target, {"計画様式7": {"XFD1048576": "メモ"}})


@case("value-at-xfd1", exits={0}, no_errors=True)
def _xfd1(target):
    example_with(target, {"計画様式7": {"XFD1": "メモ"}})


@case("dimension-whole-grid", exits={0, 1})
def _dimension(target):
    """計画様式7's <dimension> claims A1:XFD1048576 (its cells are unchanged)."""
    edit_sheet(target, "計画様式7",
               lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml, count=1))


@case("rows-20000", exits={0, 1})
def _rows_20000(target):
    """20,000 rows pasted below the form on 計画様式7 (rows 100..20099, columns B, F, G, I)."""
    rows = "".join(
        f'<row r="{r}"><c r="B{r}"><v>{r - 99}</v></c><c r="F{r}" t="inlineStr"><is><t>貼り付けた行{r - 99}</t>'
        f'</is></c><c r="G{r}"><v>{r % 7 + 1}</v></c><c r="I{r}"><v>{(r % 13 + 1) * 1000}</v></c></row>'
        for r in range(100, 20_100))
    edit_sheet(target, "計画様式7", lambda xml: append_rows(xml, rows, "A1:N20099"))


@case("too-many-cells")
def _too_many_cells(target):
    """1,040,000 numbers below the form on 計画様式7 (rows 100..40099, columns B..AA; after the
    first, each cell without an address, as some writers do)."""
    cells = '<c t="n"><v>1000</v></c>' * 25
    rows = "".join(f'<row r="{r}"><c r="B{r}"><v>{r}</v></c>{cells}</row>' for r in range(100, 40_100))
    edit_sheet(target, "計画様式7", lambda xml: append_rows(xml, rows, "A1:AA40099"))


@case("sheet-part-missing", exits={2}, reason=("計画様式7", "sheet7.xml"))
def _sheet_part_missing(target):
    """xl/worksheets/sheet7.xml left out, workbook.xml and its rels still naming it."""
    with_parts(target, lambda c: c.update({sheet_part(c, "計画様式7"): None}))


@case("sheet-deleted")
def _sheet_deleted(target):
    def delete(book):
        sheet = book["計画様式5"]
        index = book.index(sheet)
        book.remove(sheet)
        return lambda: book._add_sheet(sheet, index)
    example_with(target, {}, change=delete)


def _sheet_setting(name: str, attribute: str, value):
    """A change for example_with: one attribute of one sheet set, and its undo."""
    def change(book):
        sheet = book[name]
        old = getattr(sheet, attribute)
        setattr(sheet, attribute, value)
        return lambda: setattr(sheet, attribute, old)
    return change


@case("sheet-renamed")
def _sheet_renamed(target):
    example_with(target, {}, change=_sheet_setting("計画様式4", "title", "様式4（事業計画）"))


@case("sheet-hidden", exits={0, 1})
def _sheet_hidden(target):
    example_with(target, {}, change=_sheet_setting("計画様式3", "sheet_state", "hidden"))


@case("sheets-reordered", exits={0}, no_errors=True)
def _sheets_reordered(target):
    """別紙1 first and 計画様式7 last."""
    def reorder(book):
        order = list(book._sheets)
        book._sheets.sort(key=lambda sheet: {"別紙1": 0, "計画様式7": 2}.get(sheet.title, 1))
        return lambda: book._sheets.__setitem__(slice(None), order)
    example_with(target, {}, change=reorder)


@case("merge-reversed")
def _merge_reversed(target):
    edit_sheet(target, "計画様式7", lambda xml: add_merges(xml, "Z1:A1"))


@case("merge-overlapping")
def _merge_overlapping(target):
    """Merges over the title (B2:N2) and over the header and first rows of the expense table."""
    edit_sheet(target, "計画様式7", lambda xml: add_merges(xml, "A1:C3", "J5:K8", "K7:L9"))


@case("merge-malformed")
def _merge_malformed(target):
    edit_sheet(target, "計画様式7", lambda xml: add_merges(xml, "B2:", "F6:G", "ZZZZ1:A1"))


@case("merge-whole-sheet")
def _merge_whole_sheet(target):
    """One merged range covering every cell of 計画様式7."""
    edit_sheet(target, "計画様式7", lambda xml: add_merges(xml, "A1:XFD1048576"))


# --- the cases: formulas and what they cache ------------------------------------------------

def _cached_error(cell: str, code: str):
    def build(target):
        def change(xml):
            formula = formula_of(xml, cell)
            return set_cell(xml, cell, f"{formula}<v>{code}</v>", "e")
        edit_sheet(target, "計画様式7", change)
    return build


case("cached-ref-error", exits={1}, findings=[("PV011", "error", "計画様式7", "J6")])(
    _cached_error("J6", "#REF!"))
case("cached-value-error", exits={1}, findings=[("PV011", "error", "計画様式7", "J7")])(
    _cached_error("J7", "#VALUE!"))
case("cached-div0-error", exits={1}, findings=[("PV011", "error", "計画様式7", "J8")])(
    _cached_error("J8", "#DIV/0!"))


@case("external-link-formula", exits={1}, findings=[("PV012", "error", "計画様式7", "J6")])
def _external_formula(target):
    """J6 = '[予算.xlsx]Sheet1'!A1, as openpyxl writes it (no externalLink part)."""
    example_with(target, {"計画様式7": {"J6": "='[予算.xlsx]Sheet1'!A1"}})


@case("external-link-part", exits={1}, findings=[("PV012", "error", "計画様式7", "J6")])
def _external_part(target):
    """J6 = [1]Sheet1!$A$1 with an externalLink part naming 予算.xlsx, as Excel writes it."""
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    link = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{rel_ns}"><externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/>'
            '</sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>240000</v>'
            '</cell></row></sheetData></sheetDataSet></externalBook></externalLink>')
    link_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 f'<Relationship Id="rId1" Type="{rel_ns}/externalLinkPath" Target="予算.xlsx" '
                 'TargetMode="External"/></Relationships>')

    def change(contents):
        name = sheet_part(contents, "計画様式7")
        contents[name] = set_cell(contents[name].decode(), "J6", "<f>[1]Sheet1!$A$1</f><v>240000</v>").encode()
        contents["xl/externalLinks/externalLink1.xml"] = link.encode()
        contents["xl/externalLinks/_rels/externalLink1.xml.rels"] = link_rels.encode()
        book = contents["xl/workbook.xml"].decode()
        contents["xl/workbook.xml"] = book.replace(
            "</sheets>", '</sheets><externalReferences><externalReference r:id="rIdExt1"/></externalReferences>',
            1).encode()
        rels = contents["xl/_rels/workbook.xml.rels"].decode()
        contents["xl/_rels/workbook.xml.rels"] = rels.replace(
            "</Relationships>", f'<Relationship Id="rIdExt1" Type="{rel_ns}/externalLink" '
            'Target="externalLinks/externalLink1.xml"/></Relationships>').encode()
        types = contents["[Content_Types].xml"].decode()
        contents["[Content_Types].xml"] = types.replace(
            "</Types>", '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>').encode()
    with_parts(target, change)


@case("macros", suffix=".xlsm", exits={0}, no_errors=True)
def _macros(target):
    make_xlsm(EXAMPLE, target)


@case("macros-named-xlsx")
def _macros_named_xlsx(target):
    """A macro-enabled workbook whose name says .xlsx."""
    make_xlsm(EXAMPLE, target)


# --- the cases: what a cell holds -----------------------------------------------------------

_LONG = "能登産アテ間伐材を活用した高齢者向け軽量木製食器の開発。"


@case("text-32767-chars", exits={0, 1})
def _text_32767(target):
    """Excel's longest cell text in 計画様式3's first field and in 計画様式7!F6 品名."""
    text = (_LONG * (32_767 // len(_LONG) + 1))[:32_767]
    example_with(target, {"計画様式3": {"B5": text}, "計画様式7": {"F6": text}})


@case("text-100000-chars")
def _text_100000(target):
    """More text than Excel allows in one cell (openpyxl writes it anyway)."""
    example_with(target, {"計画様式3": {"B5": (_LONG * 4000)[:100_000]}})


@case("control-characters", exits={0, 1})
def _control_characters(target):
    """\\x01, \\x1b and \\x7f in 計画様式1 助成事業名 (D19) and 計画様式7 品名 (F6), as Excel escapes them."""
    def change(contents):
        for title, ref, text in (("計画様式1", "D19", "能登産間伐材_x0001_を活用した_x001B_[31m食器_x007F_"),
                                 ("計画様式7", "F6", "能登産アテ_x0001__x001B__x007F_間伐材（板材）")):
            name = sheet_part(contents, title)
            contents[name] = set_cell(contents[name].decode(), ref, f"<is><t>{text}</t></is>", "inlineStr").encode()
    with_parts(target, change)


@case("control-characters-raw")
def _control_characters_raw(target):
    """The same characters as raw bytes in the XML, which makes the part not well-formed."""
    edit_sheet(target, "計画様式1",
               lambda xml: set_cell(xml, "D19", "<is><t>能登産\x01間伐材\x1b[31m食器\x7f</t></is>", "inlineStr"))


@case("bad-shared-string-index")
def _bad_shared_string(target):
    """計画様式7!F6 pointing at shared string 999999, which does not exist."""
    edit_sheet(target, "計画様式7", lambda xml: set_cell(xml, "F6", "<v>999999</v>", "s"))


@case("dates-as-text", exits={0}, no_errors=True)
def _dates_as_text(target):
    """事業実施期間 typed as text: 「令和7年10月1日」 and 「2027/2/26」, an order date as 「2025/10/1」."""
    example_with(target, {"計画様式1": {"D21": "令和7年10月1日", "D22": "2027/2/26"},
                          "計画様式7": {"L6": "2025/10/1"}})


@case("amount-negative", exits={0, 1})
def _amount_negative(target):
    example_with(target, {"計画様式7": {"I6": -6000}})


@case("amount-fractional", exits={0, 1})
def _amount_fractional(target):
    example_with(target, {"計画様式7": {"I6": 1234.5}})


@case("amount-nan", exits={0, 1})
def _amount_nan(target):
    """計画様式7!I6 stored as <v>NaN</v> (xsd:double allows it; Excel never writes it)."""
    edit_sheet(target, "計画様式7", lambda xml: set_cell(xml, "I6", "<v>NaN</v>", "n"))


@case("amount-1e20", exits={0, 1})
def _amount_huge(target):
    example_with(target, {"計画様式7": {"I6": 10 ** 20}})


@case("number-as-fullwidth-text", exits={1}, findings=[("PV010", "error", "計画様式7", "I6")])
def _number_as_text(target):
    """単価 typed as the text 「６，０００」 (全角 digits and comma)."""
    example_with(target, {"計画様式7": {"I6": "６，０００"}})


# --- the cases: a small file that declares a great deal of work ----------------------------------
# Each is small on disk (a few KB to a few MB, compressed) and declares work far beyond its size:
# ranges, repeats, counts. Every one must be answered within the same 10 s and 1 GiB.

def _merge_refs(xml: str, refs) -> str:
    """``xml`` with its <mergeCells> holding ``refs`` too (the element added if there is none)."""
    refs = list(refs)
    extra = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    if "<mergeCells" in xml:
        return add_merges(xml, *refs)
    return xml.replace("</sheetData>", f'</sheetData><mergeCells count="{len(refs)}">{extra}</mergeCells>', 1)


@case("merge-a1-d999999", exits={0, 1, 2})
def _merge_huge(target):
    """One merge of AA1:AD999999 on 計画様式7 (4 million cells, just inside the old per-merge cap)."""
    edit_sheet(target, "計画様式7", lambda xml: _merge_refs(xml, ["AA1:AD999999"]))


@case("merges-300-large", exits={0, 1, 2})
def _merges_large(target):
    """300 merges of a column each down to row 999,999 on 計画様式7 (1.2 billion cells declared)."""
    from openpyxl.utils import get_column_letter as letter
    edit_sheet(target, "計画様式7",
               lambda xml: _merge_refs(xml, [f"{letter(c)}1:{letter(c)}999999" for c in range(30, 330)]))


@case("merges-200000", exits={0, 1, 2})
def _merges_many(target):
    """200,000 small merges (two cells each) below the form on 計画様式7."""
    edit_sheet(target, "計画様式7",
               lambda xml: _merge_refs(xml, [f"B{r}:C{r}" for r in range(1000, 201_000)]))


@case("merges-overlapping-many", exits={0, 1, 2})
def _merges_overlapping_many(target):
    """20,000 merges that all cover the form of 計画様式7 (A1:N{r}, each overlapping every other)."""
    edit_sheet(target, "計画様式7",
               lambda xml: _merge_refs(xml, [f"A1:N{r}" for r in range(60, 20_060)]))


@case("shared-formula-long", exits={0, 1, 2})
def _shared_formula_long(target):
    """One shared formula of 8,000 characters filled over 200,000 cells of 計画様式7 (column P)."""
    text = "+".join(f"A{n}" for n in range(1, 1400))[:8000]
    cells = "".join(f'<row r="{r}"><c r="P{r}"><f t="shared" si="900"/></c></row>' for r in range(1001, 201_000))
    master = f'<row r="1000"><c r="P1000"><f t="shared" ref="P1000:P200999" si="900">{text}</f></c></row>'
    edit_sheet(target, "計画様式7", lambda xml: append_rows(xml, master + cells))


@case("formulas-long-many", exits={0, 1, 2})
def _formulas_long_many(target):
    """7,000 cells each with its own 8,000-character formula (56 MB of formula text) on 計画様式7."""
    text = "+".join(f"A{n}" for n in range(1, 1400))[:8000]
    rows = "".join(f'<row r="{r}"><c r="P{r}"><f>{text}</f></c></row>' for r in range(1000, 8000))
    edit_sheet(target, "計画様式7", lambda xml: append_rows(xml, rows))


@case("formula-nested-parentheses", exits={0, 1, 2})
def _formula_nested(target):
    """計画様式7!J6 (an amount) with a formula of 4,000 nested parentheses."""
    def change(xml):
        return set_cell(xml, "J6", "<f>" + "(" * 4000 + "G6*I6" + ")" * 4000 + "</f><v>6000</v>")
    edit_sheet(target, "計画様式7", change)


def _book_with_sheets(contents: dict[str, bytes], entries: list[tuple[str, str]]) -> None:
    """workbook.xml and its rels naming ``entries`` [(sheet name, worksheet target)] after the sheets it has."""
    book = contents["xl/workbook.xml"].decode()
    rels = contents["xl/_rels/workbook.xml.rels"].decode()
    sheets = "".join(f'<sheet name="{name}" sheetId="{1000 + n}" r:id="rIdX{n}"/>' for n, (name, _t) in enumerate(entries))
    links = "".join(f'<Relationship Id="rIdX{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/worksheet" Target="{t}"/>' for n, (_name, t) in enumerate(entries))
    contents["xl/workbook.xml"] = book.replace("</sheets>", sheets + "</sheets>", 1).encode()
    contents["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", links + "</Relationships>", 1).encode()


@case("sheets-10000-one-part", exits={0, 1, 2})
def _sheets_one_part(target):
    """10,000 sheet entries that all point at 計画様式7's worksheet part."""
    def change(contents):
        _book_with_sheets(contents, [(f"写し{n}", "worksheets/sheet7.xml") for n in range(10_000)])
    with_parts(target, change)


@case("sheets-3000-distinct", exits={0, 1, 2})
def _sheets_distinct(target):
    """3,000 extra sheets, each a part of its own holding a copy of 計画様式7."""
    def change(contents):
        sheet = contents["xl/worksheets/sheet7.xml"]
        names = [(f"写し{n}", f"worksheets/extra{n}.xml") for n in range(3000)]
        _book_with_sheets(contents, names)
        ct = contents["[Content_Types].xml"].decode()
        over = "".join(f'<Override PartName="/xl/worksheets/extra{n}.xml" ContentType="application/'
                       f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for n in range(3000))
        contents["[Content_Types].xml"] = ct.replace("</Types>", over + "</Types>").encode()
        contents.update({f"xl/worksheets/extra{n}.xml": sheet for n in range(3000)})
    with_parts(target, change)


@case("whitespace-4x63mb", exits={0, 1, 2})
def _whitespace(target):
    """Four sheets each padded with 63 MB of whitespace (each one a text run past its limit; together past the total)."""
    def change(contents):
        pad = " " * (63 * 1024 * 1024 - 40_000)
        for title in ("計画様式1", "計画様式2", "計画様式7", "計画様式8"):
            name = sheet_part(contents, title)
            contents[name] = contents[name].replace(b"</sheetData>", pad.encode() + b"</sheetData>", 1)
    with_parts(target, change)


@case("whitespace-run-20mb", exits={2}, reason=("切れ目のない文字列",))
def _whitespace_run(target):
    """20 MB of whitespace in one run inside 計画様式1's sheet data (under the size limits, over the longest text)."""
    def change(contents):
        name = sheet_part(contents, "計画様式1")
        contents[name] = contents[name].replace(b"</sheetData>", b" " * (20 << 20) + b"</sheetData>", 1)
    with_parts(target, change)


@case("whitespace-2x31mb-split", exits={0, 1})
def _whitespace_split(target):
    """Two sheets each padded with 31 MB of whitespace in runs of 512 KB between empty rows (just under
    the total and the longest-text limits: what the reader must then carry)."""
    def change(contents):
        run = " " * (512 * 1024)
        for title in ("計画様式1", "計画様式2"):
            name = sheet_part(contents, title)
            pad = "".join(f'{run}<row r="{900 + n}"/>' for n in range(62))
            contents[name] = contents[name].replace(b"</sheetData>", pad.encode() + b"</sheetData>", 1)
    with_parts(target, change)


@case("attributes-million", exits={0, 1, 2})
def _attributes(target):
    """計画様式7!F6 with a million attributes."""
    attrs = " ".join(f'a{n}="1"' for n in range(1_000_000))
    edit_sheet(target, "計画様式7", lambda xml: xml.replace('<c r="F6"', f'<c {attrs} r="F6"', 1))


@case("attribute-value-60mb", exits={0, 1, 2})
def _attribute_value(target):
    """One attribute of 60 MB on a row of 計画様式7."""
    edit_sheet(target, "計画様式7", lambda xml: xml.replace('<row r="6"', '<row x="' + "a" * (60 << 20) + '" r="6"', 1))


@case("namespaces-100000", exits={0, 1, 2})
def _namespaces(target):
    """計画様式7's root element declaring 100,000 namespace prefixes."""
    decl = " ".join(f'xmlns:n{n}="urn:n{n}"' for n in range(100_000))
    edit_sheet(target, "計画様式7", lambda xml: re.sub(r"<worksheet\b", "<worksheet " + decl, xml, count=1))


@case("shared-strings-million", exits={0, 1, 2})
def _shared_strings(target):
    """A million extra shared strings after the 記入例's own."""
    def change(contents):
        xml = contents["xl/sharedStrings.xml"].decode()
        extra = "".join(f"<si><t>文字列{n}</t></si>" for n in range(1_000_000))
        contents["xl/sharedStrings.xml"] = xml.replace("</sst>", extra + "</sst>").encode()
    with_parts(target, change)


@case("rich-text-runs-million", exits={0, 1, 2})
def _rich_runs(target):
    """計画様式1!D19 (the project name) as an inline string of a million rich-text runs."""
    runs = "<r><t>能</t></r>" * 1_000_000
    edit_sheet(target, "計画様式1", lambda xml: set_cell(xml, "D19", f"<is>{runs}</is>", "inlineStr"))


@case("rows-million-empty", exits={0, 1, 2})
def _rows_empty(target):
    """A million empty <row> elements below the form on 計画様式7."""
    rows = "".join(f'<row r="{r}"/>' for r in range(100, 1_000_100))
    edit_sheet(target, "計画様式7", lambda xml: append_rows(xml, rows))


@case("defined-names-200000", exits={0, 1, 2})
def _defined_names(target):
    """200,000 defined names in workbook.xml (a part every reader parses whole)."""
    def change(contents):
        book = contents["xl/workbook.xml"].decode()
        names = "".join(f'<definedName name="N{n}">計画様式7!$A$1</definedName>' for n in range(200_000))
        if "<definedNames>" in book:
            book = book.replace("<definedNames>", "<definedNames>" + names, 1)
        else:
            book = book.replace("</sheets>", "</sheets><definedNames>" + names + "</definedNames>", 1)
        contents["xl/workbook.xml"] = book.encode()
    with_parts(target, change)


@case("relationships-500000", exits={0, 1, 2})
def _relationships(target):
    """500,000 relationships in workbook.xml.rels, none of them a sheet."""
    def change(contents):
        rels = contents["xl/_rels/workbook.xml.rels"].decode()
        extra = "".join(f'<Relationship Id="rIdJ{n}" Type="urn:junk" Target="junk{n}.xml"/>' for n in range(500_000))
        contents["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", extra + "</Relationships>").encode()
    with_parts(target, change)


@case("content-types-million", exits={0, 1, 2})
def _content_types(target):
    """A million overrides in [Content_Types].xml."""
    def change(contents):
        ct = contents["[Content_Types].xml"].decode()
        extra = "".join(f'<Override PartName="/x/{n}.xml" ContentType="application/xml"/>' for n in range(1_000_000))
        contents["[Content_Types].xml"] = ct.replace("</Types>", extra + "</Types>").encode()
    with_parts(target, change)


@case("styles-500000", exits={0, 1, 2})
def _styles(target):
    """500,000 cell formats in styles.xml, and a date-formatted cell holding a number no date can be
    (which makes the reader look the formats up)."""
    def change(contents):
        styles = contents["xl/styles.xml"].decode()
        extra = '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>' * 500_000
        styles = re.sub(r"</cellXfs>", extra + "</cellXfs>", styles, count=1)
        contents["xl/styles.xml"] = styles.encode()
        name = sheet_part(contents, "計画様式7")
        contents[name] = append_rows(contents[name].decode(), '<row r="1000"><c r="P1000" s="400000"><v>1000000000000000</v></c></row>'
                                     ).encode()
    with_parts(target, change)


@case("conditional-formats-200000", exits={0, 1, 2})
def _conditional(target):
    """200,000 conditional formats on 計画様式7 (annotate reads them to put its own after)."""
    rules = "".join(f'<conditionalFormatting sqref="P{n}"><cfRule type="expression" dxfId="0" priority="{n}">'
                    f'<formula>TRUE</formula></cfRule></conditionalFormatting>' for n in range(1, 200_001))
    def change(xml):
        return re.sub(r"(</mergeCells>|</sheetData>)", lambda m: m[1] + rules, xml, count=1)
    edit_sheet(target, "計画様式7", change)


@case("data-validations-100000", exits={0, 1, 2})
def _validations(target):
    """100,000 data validations (drop-down lists) on 計画様式7."""
    items = "".join(f'<dataValidation type="list" sqref="P{n}"><formula1>"a,b"</formula1></dataValidation>'
                    for n in range(1, 100_001))
    block = f'<dataValidations count="100000">{items}</dataValidations>'
    def change(xml):
        xml = re.sub(r"<dataValidations\b.*?</dataValidations>", "", xml, count=1, flags=re.S)
        return re.sub(r"(<pageMargins\b)", lambda m: block + m[1], xml, count=1)
    edit_sheet(target, "計画様式7", change)


@case("comments-200000", exits={0, 1, 2})
def _comments(target):
    """A comments part with 200,000 notes on 計画様式7 (and its legacy drawing)."""
    def change(contents):
        name = sheet_part(contents, "計画様式7")
        folder, base = name.rsplit("/", 1)
        notes = "".join(f'<comment ref="P{n}" authorId="0"><text><t>メモ{n}</t></text></comment>' for n in range(1, 200_001))
        contents["xl/comments900.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><comments xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><authors><author>a</author></authors><commentList>{notes}</commentList></comments>').encode()
        rels_name = f"{folder}/_rels/{base}.rels"
        rels = contents.get(rels_name, b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                                       b'openxmlformats.org/package/2006/relationships"></Relationships>').decode()
        contents[rels_name] = rels.replace("</Relationships>", '<Relationship Id="rIdC900" Type="http://schemas.'
                                           'openxmlformats.org/officeDocument/2006/relationships/comments" '
                                           'Target="../comments900.xml"/></Relationships>').encode()
        ct = contents["[Content_Types].xml"].decode()
        contents["[Content_Types].xml"] = ct.replace("</Types>", '<Override PartName="/xl/comments900.xml" ContentType='
                                                     '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                                     'comments+xml"/></Types>').encode()
    with_parts(target, change)


@case("zip-entries-900000", exits={2}, reason=("部品が",))
def _zip_entries(target):
    """A zip whose directory lists 900,000 empty entries after the 記入例's parts (86 MB: inside the
    file-size limit). The entries are packed here directly: zipfile takes a minute to write them."""
    import struct

    head = bytearray()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for name, data in _example_parts().items():
            zf.writestr(name, data)
    data = bytearray(target.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", data[end + 10:end + 12] + data[end + 12:end + 20])
    directory = bytes(data[offset:offset + size])
    local, central = [head], [directory]
    at = offset
    for n in range(900_000):
        name = f"z/{n}".encode()
        local.append(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name),
                                   0, 0, 0, 0, 0, at) + name)
        at += 30 + len(name)
    body = bytes(data[:offset]) + b"".join(local)
    directory = b"".join(central)
    total = count + 900_000
    zip64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, total, total, len(directory), len(body))
    locator = struct.pack("<IIQI", 0x07064B50, 0, len(body) + len(directory), 1)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    target.write_bytes(body + directory + zip64 + locator + eocd)


# --- the cases: just inside every limit (the most work a file may ask for and still be checked) ---

@case("cells-190000-numbers", exits={0, 1})
def _cells_numbers(target):
    """190,000 numbers below the form on 計画様式7 (under the 200,000 cells of a sheet)."""
    cols = "BCDEFGHIJK"
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in cols) + "</row>"
                   for r in range(100, 19_100))
    edit_sheet(target, "計画様式7", lambda xml: append_rows(xml, rows))


@case("cells-100000-texts", exits={0, 1})
def _cells_texts(target):
    """100,000 distinct texts (shared strings) below the form on 計画様式7 (each string and each cell
    is four tags: together near the 1,000,000 tags of a workbook)."""
    def change(contents):
        sst = contents["xl/sharedStrings.xml"].decode()
        first = sst.count("<si>")
        sst = sst.replace("</sst>", "".join(f"<si><t>貼り付けた文字{n}</t></si>" for n in range(100_000)) + "</sst>")
        contents["xl/sharedStrings.xml"] = sst.encode()
        name = sheet_part(contents, "計画様式7")
        cols = "BCDEFGHIJK"
        rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>{first + (r - 100) * 10 + i}</v></c>'
                                                   for i, c in enumerate(cols)) + "</row>" for r in range(100, 10_100))
        contents[name] = append_rows(contents[name].decode(), rows).encode()
    with_parts(target, change)


@case("merges-49000", exits={0, 1})
def _merges_49000(target):
    """49,000 merges of two cells below the form on 計画様式7 (under the 50,000 of a sheet)."""
    edit_sheet(target, "計画様式7", lambda xml: _merge_refs(xml, [f"B{r}:C{r}" for r in range(1000, 50_000)]))


@case("sheets-250", exits={0, 1})
def _sheets_250(target):
    """240 extra sheets, each a part of its own holding a copy of 計画様式8 (under the 255 sheets)."""
    def change(contents):
        sheet = contents[sheet_part(contents, "計画様式8")]
        _book_with_sheets(contents, [(f"写し{n}", f"worksheets/extra{n}.xml") for n in range(240)])
        ct = contents["[Content_Types].xml"].decode()
        over = "".join(f'<Override PartName="/xl/worksheets/extra{n}.xml" ContentType="application/'
                       f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for n in range(240))
        contents["[Content_Types].xml"] = ct.replace("</Types>", over + "</Types>").encode()
        contents.update({f"xl/worksheets/extra{n}.xml": sheet for n in range(240)})
    with_parts(target, change)


@case("formulas-3900000-chars", exits={0, 1})
def _formula_chars(target):
    """480 cells of one 8,000-character formula each on 計画様式7 (3.84 million characters, under 4 million)."""
    text = "+".join(f"A{n}" for n in range(1, 1400))[:8000]
    rows = "".join(f'<row r="{r}"><c r="P{r}"><f>{text}</f></c></row>' for r in range(1000, 1480))
    edit_sheet(target, "計画様式7", lambda xml: append_rows(xml, rows))


@case("tags-990000", exits={0, 1})
def _tags(target):
    """Empty rows below the form on 計画様式7 up to just under the 1,000,000 tags of a workbook."""
    rows = "".join(f'<row r="{r}"/>' for r in range(100, 960_000))
    edit_sheet(target, "計画様式7", lambda xml: append_rows(xml, rows))


# --- controls -------------------------------------------------------------------------------

@case("example", exits={0}, no_errors=True)
def _example_copy(target):
    """The valid 記入例 itself."""
    target.write_bytes(EXAMPLE.read_bytes())


@case("blank-template", exits={1})
def _blank_template(target):
    """ISICO's blank 様式: checked, with errors for the empty required fields."""
    target.write_bytes(TEMPLATE.read_bytes())


CASE_NAMES = case_names()
