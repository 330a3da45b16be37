"""Writing a file so that it is either whole or not there: every file planvalidator writes goes
through :func:`write_file`.

The new content goes to a temporary file of a name no one else uses, created exclusively in the
target's folder (``O_CREAT | O_EXCL``: a symlink planted there is never followed, two writers
never share one), is flushed to the disk, then renamed over the target in one step. A process
killed at any moment leaves the old file as it was; the temporary file it may leave carries its
process id, and the next write beside it removes it once that process is gone.

Writing over an existing file (``annotate --in-place``, a summary written again) keeps what the
file was: its permission bits, its owner and group where this user may set them, and its extended
attributes. A new file gets the permissions ``open()`` would give it (0666 less the umask).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Callable

_MARK = ".planvalidator-"           # in every temporary name: .<name>.planvalidator-<pid>-<random>.tmp


def write_file(target: str | Path, write: Callable[[BinaryIO], None], *, mode_from: str | Path | None = None) -> None:
    """Write ``target`` through ``write(stream)``, atomically. An existing ``target`` keeps its mode,
    owner, group and extended attributes; a new one takes the permission bits of ``mode_from``
    (the file it is a copy of: a private workbook's annotated copy stays private), else the
    umask's."""
    import tempfile

    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    clear_stale(folder, target.name)
    fd, name = tempfile.mkstemp(prefix=f".{target.name[:100]}{_MARK}{os.getpid()}-", suffix=".tmp", dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        info = _regular(target)
        source = _regular(mode_from) if mode_from is not None and info is None else None
        if info is not None:
            _keep(tmp, target, info)
        elif source is not None:
            os.chmod(tmp, stat.S_IMODE(source.st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    _sync_folder(folder)


def write_bytes(target: str | Path, data: bytes, **options) -> None:
    write_file(target, lambda fh: fh.write(data), **options)


def _regular(path) -> os.stat_result | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError, TypeError):
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def _keep(tmp: Path, model: Path, info: os.stat_result) -> None:
    """Give ``tmp`` the mode, owner, group and extended attributes of ``model``, as far as allowed."""
    os.chmod(tmp, stat.S_IMODE(info.st_mode))
    if hasattr(os, "chown"):
        try:
            os.chown(tmp, info.st_uid, info.st_gid)
        except OSError:                      # another user's file: ours keeps our owner
            try:
                os.chown(tmp, -1, info.st_gid)
            except OSError:
                pass
    if hasattr(os, "listxattr"):
        try:
            names = os.listxattr(model)
        except OSError:
            return
        for attr in names:
            try:
                os.setxattr(tmp, attr, os.getxattr(model, attr))
            except OSError:                  # a namespace this user may not write (security.*, trusted.*)
                pass


def clear_stale(folder: Path, name: str) -> None:
    """Remove temporary files left beside ``name`` by writers that were killed (their process is gone)."""
    prefix = f".{name[:100]}{_MARK}"
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False) or _alive(int(pid), info):
                continue
            if not hasattr(os, "getuid") or info.st_uid == os.getuid():
                os.unlink(entry.path)
        except OSError:
            pass


def _alive(pid: int, info: os.stat_result) -> bool:
    """Whether the writer of a temporary file may still be at work."""
    if os.name == "nt":                      # os.kill(pid, 0) would send Ctrl+C there: go by age instead
        import time
        return time.time() - info.st_mtime < 24 * 3600
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _sync_folder(folder: Path) -> None:
    """The rename itself made durable (where the system lets a folder be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
