"""An intake: the applications ISICO received, as ``planvalidator batch`` finds them in a folder.

INTAKE holds one subfolder or one ``.zip`` per application (the 事業計画書 and its PDF attachments),
or workbooks side by side (a flat folder: each workbook is an application whose attachments are
not known). Nothing is extracted to disk under a name taken from the zip: members are read into
memory, within :mod:`planvalidator.limits`, and their names are only labels — no path traversal.
"""

from __future__ import annotations

import hashlib
import posixpath
import zipfile
from pathlib import Path

from planvalidator import limits
from planvalidator.errors import CannotCheck

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
# files a person never meant to submit: Office lock files, macOS and Windows folder litter
_LITTER_PREFIXES = ("~$", ".~lock", "._")
_LITTER_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# a copy planvalidator itself wrote (annotate, batch --annotate) is not an application's file
from planvalidator.results_sheet import SUFFIX as _OUR_COPY  # noqa: E402
from planvalidator.structs import Frozen, Struct


class Source(Frozen):
    """Where one application is: a subfolder, a zip, or a lone workbook (attachments unknown); or the
    same held in memory (an intake uploaded as a zip, :func:`unpack`): then ``path`` is only a label."""
    id: str             # its name in the intake (shown to staff)
    path: Path
    kind: str           # "folder" | "zip" | "workbook"
    files: tuple = ()   # in memory: a folder's or a lone workbook's files (File with data), read within limits
    data: bytes | None = None   # in memory: a zip's bytes

    @property
    def held(self) -> bool:
        return bool(self.files) or self.data is not None

    def digest(self) -> str:
        """A digest of what the application holds (names and bytes), for reusing an earlier result."""
        h = hashlib.sha256(self.kind.encode())
        if self.held:                           # the same digest as the same application on disk
            if self.kind == "folder":
                for f in self.files:
                    h.update(f.name.encode() + b"\0" + str(len(f.data)).encode() + b"\0" + f.data)
            else:
                h.update(self.data if self.data is not None else self.files[0].data)
        elif self.kind == "folder":
            for name, path in _folder_files(self.path):
                h.update(name.encode() + b"\0" + str(path.stat().st_size).encode() + b"\0")
                with path.open("rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
        else:
            with self.path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        return h.hexdigest()


class File(Struct):
    """One file of an application: its name inside the application and its bytes (or path)."""
    name: str
    path: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is None:
            self.data = self.path.read_bytes()
        return self.data

    @property
    def suffix(self) -> str:
        return posixpath.splitext(self.name)[1].lower()


def _litter(name: str) -> bool:
    base = posixpath.basename(name)
    return (base in _LITTER_NAMES or base.startswith(_LITTER_PREFIXES) or name.startswith("__MACOSX/")
            or "/__MACOSX/" in name)


def discover(intake: str | Path) -> tuple[list[Source], list[str]]:
    """The applications of an intake folder, in name order, and the names of the files left out (neither
    a folder, a zip nor a workbook: a 受付簿, a README …)."""
    root = Path(intake)
    if root.is_file():
        raise CannotCheck("フォルダではありません（受付フォルダを指定してください。1 つの事業計画書は planvalidator check "
                          "で、その添付と一緒なら申請のフォルダを入れたフォルダを指定します）", file=str(intake))
    if not root.is_dir():
        raise CannotCheck("受付フォルダが見つかりません（申請ごとのフォルダか zip、または事業計画書を入れたフォルダを指定してください）",
                          file=str(intake))
    sources, skipped = [], []
    inside = root.resolve()
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        name = entry.name
        if _litter(name) or name.startswith("."):
            continue
        if entry.is_symlink() and not _within(entry, inside):
            skipped.append(name)                # a link out of the intake (to /etc …) is not followed
            continue
        if entry.is_dir():
            sources.append(Source(name, entry, "folder"))
        elif entry.suffix.lower() == ".zip":
            sources.append(Source(name, entry, "zip"))
        elif entry.suffix.lower() in WORKBOOK_SUFFIXES and _OUR_COPY not in entry.stem:
            sources.append(Source(name, entry, "workbook"))
        elif entry.suffix.lower() == ".xls":
            sources.append(Source(name, entry, "workbook"))   # answered with the reader's one line (old format)
        else:
            skipped.append(name)
    return sources, skipped


def _within(entry: Path, root: Path) -> bool:
    try:
        entry.resolve(strict=True).relative_to(root)
        return True
    except (OSError, ValueError, RuntimeError):
        return False


def _folder_files(folder: Path) -> list[tuple[str, Path]]:
    out = []

    def walk(path: Path, prefix: str, depth: int):
        for entry in sorted(path.iterdir(), key=lambda p: p.name):
            name = prefix + entry.name
            if _litter(name) or entry.name.startswith(".") or entry.is_symlink():
                continue
            if entry.is_dir():
                if depth < limits.MAX_FOLDER_DEPTH:
                    walk(entry, name + "/", depth + 1)
            elif entry.is_file():
                out.append((name, entry))

    walk(folder, "", 0)
    return out


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it: Windows' zip tool writes Japanese names in cp932
    without the UTF-8 flag, which Python reads as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("cp932")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    # a label only: never a path on this machine; drop drive letters, leading slashes and ..
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..") and not p.endswith(":")]
    return "/".join(parts)


def _zip_files(path, id: str, max_files: int = limits.MAX_APPLICATION_FILES,
               max_bytes: int = limits.MAX_APPLICATION_BYTES) -> list[File]:
    """The files of a zip (``path``: a path or a binary stream), each read into memory within the limits."""
    from planvalidator.package import open_zip, read_capped
    from planvalidator.partxml import PackageError, size_text

    try:
        zf = open_zip(path)
    except PackageError as exc:
        raise CannotCheck(f"zip の{exc.reason}", file=id) from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CannotCheck(f"zip として開けません（{type(exc).__name__}: 壊れているか zip ではありません）", file=id) from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > max_files:
            raise CannotCheck(f"zip に {len(infos):,} 個のファイルがあり、上限の {max_files:,} 個を超えます", file=id)
        total = sum(i.file_size for i in infos)
        if total > max_bytes:
            raise CannotCheck(f"zip を展開すると {size_text(total)} になり、上限の {size_text(max_bytes)} を超えます", file=id)
        files = []
        for info in infos:
            name = _member_name(info)
            if "\x00" in getattr(info, "orig_filename", ""):     # zipfile cuts a name at its NUL: the real one
                whole = zipfile.ZipInfo(info.orig_filename.replace("\x00", "\x01"))
                whole.flag_bits = info.flag_bits
                name = _member_name(whole)
            if not name or _litter(name):
                continue
            if any(ch < " " or ch == "\x7f" for ch in name):
                shown = "".join(ch if ch >= " " and ch != "\x7f" else "?" for ch in name)
                raise CannotCheck(f"zip の中に使えない文字（制御文字）を名前に含むファイルがあります（「{shown[:80]}」）。"
                                  "名前を付け直して zip にしてもらってください", file=id)
            if info.flag_bits & 0x1:
                raise CannotCheck(f"zip の「{name}」にパスワードがかかっていて開けません（パスワードなしの zip で出してください）",
                                  file=id)
            if info.file_size > limits.MAX_ATTACHMENT_BYTES:
                raise CannotCheck(f"zip の「{name}」は展開すると {size_text(info.file_size)} になり、上限の "
                                  f"{size_text(limits.MAX_ATTACHMENT_BYTES)} を超えます", file=id)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
                raise CannotCheck(f"zip の「{name}」は読めない圧縮形式です", file=id)
            try:
                data = read_capped(zf, info, name)
            except PackageError as exc:
                raise CannotCheck(f"zip の「{name}」: {exc.reason}", file=id) from None
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as exc:
                raise CannotCheck(f"zip の「{name}」を展開できません（{type(exc).__name__}: 壊れています）", file=id) from None
            except Exception as exc:  # noqa: BLE001 — zlib.error and the like from a corrupt stream
                raise CannotCheck(f"zip の「{name}」を展開できません（{type(exc).__name__}）", file=id) from None
            files.append(File(name, data=data))
        return files


def files_of(source: Source) -> list[File]:
    """Every file of an application, bounded; a zip read in memory."""
    from planvalidator.partxml import size_text

    if source.files:
        return list(source.files)
    if source.data is not None:
        import io

        return _zip_files(io.BytesIO(source.data), source.id)
    if source.kind == "workbook":
        return [File(source.path.name, path=source.path)]
    if source.kind == "zip":
        return _zip_files(source.path, source.id)
    found = _folder_files(source.path)
    if len(found) > limits.MAX_APPLICATION_FILES:
        raise CannotCheck(f"フォルダに {len(found):,} 個のファイルがあり、上限の {limits.MAX_APPLICATION_FILES:,} 個を超えます",
                          file=source.id)
    total = sum(p.stat().st_size for _, p in found)
    if total > limits.MAX_APPLICATION_BYTES:
        raise CannotCheck(f"フォルダのファイルが合わせて {size_text(total)} あり、上限の "
                          f"{size_text(limits.MAX_APPLICATION_BYTES)} を超えます", file=source.id)
    return [File(name, path=path) for name, path in found]


def split(files: list[File]) -> tuple[File | None, list[File]]:
    """The 事業計画書 and the attachments. Of several workbooks, the one named 事業計画書 (or 計画書),
    else the first; the others are attachments like any other file."""
    books = [f for f in files if f.suffix in WORKBOOK_SUFFIXES + (".xls",) and _OUR_COPY not in f.name]
    if not books:
        return None, files
    named = [f for f in books if "事業計画書" in f.name] or [f for f in books if "計画書" in f.name] or books
    book = named[0]
    return book, [f for f in files if f is not book]


def unpack(data: bytes, name: str) -> tuple[list[Source], list[str]]:
    """An intake sent as one zip (the page's intake mode): its applications held in memory, as
    :func:`discover` finds them in a folder — each top-level folder, zip or workbook an application;
    one folder holding them all (a zipped 受付 folder) is looked into. Nothing is written to disk; the
    zip is read within :data:`~planvalidator.limits.MAX_INTAKE_FILES` and ``MAX_INTAKE_BYTES``.
    ``Source.path`` is a label: the folder the zip unpacks to (its own name) / the application."""
    import io

    files = _zip_files(io.BytesIO(data), name, limits.MAX_INTAKE_FILES, limits.MAX_INTAKE_BYTES)
    tops = {f.name.split("/", 1)[0] for f in files}
    root = posixpath.splitext(posixpath.basename(name))[0] or "受付"
    if len(tops) == 1 and all("/" in f.name for f in files):
        inner = [File(f.name.split("/", 1)[1], data=f.data) for f in files]
        if any("/" in f.name or f.suffix == ".zip" for f in inner):    # a folder of applications, not one
            root, files = next(iter(tops)), inner
    groups: dict[str, list[File]] = {}
    sources, skipped = [], []
    for f in files:
        top, _, rest = f.name.partition("/")
        if top.startswith("."):
            continue
        if rest:
            if rest.count("/") <= limits.MAX_FOLDER_DEPTH and not any(p.startswith(".") for p in rest.split("/")):
                groups.setdefault(top, []).append(File(rest, data=f.data))
        elif f.suffix == ".zip":
            sources.append(Source(top, Path(root) / top, "zip", data=f.data))
        elif f.suffix in WORKBOOK_SUFFIXES + (".xls",) and _OUR_COPY not in posixpath.splitext(top)[0]:
            sources.append(Source(top, Path(root) / top, "workbook", files=(f,)))
        else:
            skipped.append(top)
    for top, members in groups.items():
        if len(members) > limits.MAX_APPLICATION_FILES:
            raise CannotCheck(f"「{top}」に {len(members):,} 個のファイルがあり、上限の {limits.MAX_APPLICATION_FILES:,} 個を"
                              f"超えます", file=name)
        members.sort(key=lambda f: f.name.split("/"))        # the order a folder on disk is read in
        sources.append(Source(top, Path(root) / top, "folder", files=tuple(members)))
    return sorted(sources, key=lambda s: s.id), sorted(skipped)
