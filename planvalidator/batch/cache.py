"""Results of earlier runs reused: one signed JSON file per application, keyed by its content and by what
checked it."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from planvalidator import __version__
from planvalidator.batch.names import annotated_name
from planvalidator.intake import Source
from planvalidator.summary import RUN_FIELDS, Application


def _schemas_digest() -> str:
    """The program and layout data every check reads (all versions): a result is reused only under the same."""
    from planvalidator.resources import schemas_dir

    h = hashlib.sha256()
    root = schemas_dir()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".md"):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class ResultCache:
    """Results of earlier runs, one JSON file each, keyed by the application's content and by what checked it
    (planvalidator's version, the program data, the rule selection, and — when copies are annotated —
    where this application's copy goes).

    Only what the content decides is taken from an entry: the application's name, folder and annotated
    copy always come from the run that reads it (:meth:`get`), so seven folders holding one workbook
    are seven rows of their own names, and a renamed folder comes back under its new name. Each entry
    carries an HMAC of itself under a key kept in the cache folder; an entry that does not match it
    (edited by hand, copied from elsewhere, cut short) is checked again. The folder is the user's own
    (0700, the key 0600)."""

    def __init__(self, folder: Path, options, annotate_dir: Path | None):
        self.folder = Path(folder)
        selection = getattr(options, "selection", None)
        setting = repr((getattr(selection, "select", None), getattr(selection, "ignore", None),
                        sorted((getattr(selection, "severity", None) or {}).items()),
                        getattr(options, "accept", None), getattr(options, "course", None),
                        str(annotate_dir) if annotate_dir else None))
        self._salt = f"{__version__}\0{_schemas_digest()}\0{setting}".encode()
        self._key: bytes | None = None

    def key(self, source: Source, stem: str | None = None, digest: str | None = None) -> str:
        """The entry of ``source``'s content (``digest``: :meth:`Source.digest`, when known already; and, when
        copies are annotated, of the name its copy is given)."""
        digest = digest or source.digest()
        return hashlib.sha256(self._salt + b"\0" + digest.encode() + b"\0" + (stem or "").encode()).hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def _secret(self) -> bytes:
        """The key the entries are signed with, made on first use (0600, in a 0700 folder)."""
        if self._key is None:
            private_folder(self.folder)
            path = self.folder / "key"
            try:
                key = path.read_bytes()
            except OSError:
                key = b""
            if len(key) != 32:
                key = os.urandom(32)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(key)
                except OSError:
                    pass                        # a cache that cannot be written only costs time next run
            self._key = key
        return self._key

    def _sign(self, text: str) -> str:
        import hmac
        return hmac.new(self._secret(), text.encode("utf-8"), hashlib.sha256).hexdigest()

    def get(self, key: str, source: Source, annotate_dir: Path | None = None, stem: str | None = None) -> Application | None:
        """The earlier result of ``source``, as this run names it; None when there is none to trust."""
        import hmac

        try:
            entry = json.loads(self._file(key).read_text(encoding="utf-8"))
            body, mac = entry["application"], entry["hmac"]
            if not isinstance(body, str) or not hmac.compare_digest(str(mac), self._sign(body)):
                return None
            app = Application.from_dict({**json.loads(body), "id": source.id, "source": str(source.path)})
        except (OSError, ValueError, TypeError, KeyError):
            return None
        annotated = None
        if annotate_dir is not None and app.workbook and app.error is None:
            annotated = str(Path(annotate_dir) / annotated_name(stem or source.id, app.workbook))
            if not Path(annotated).is_file():
                return None                     # the annotated copy is gone: check (and write it) again
        app.id, app.source, app.annotated = source.id, str(source.path), annotated
        return app

    def put(self, key: str, app: Application) -> None:
        data = {k: v for k, v in app.to_dict().items() if k not in ("id", "source", *RUN_FIELDS)}
        body = json.dumps(data, ensure_ascii=False)
        path = self._file(key)
        try:
            private_folder(self.folder)
            path.parent.mkdir(mode=0o700, exist_ok=True)
            from planvalidator.atomic import write_bytes
            write_bytes(path, json.dumps({"application": body, "hmac": self._sign(body)}).encode("utf-8"))
        except OSError:
            pass                                # a cache that cannot be written only costs time next run


def private_folder(folder: Path) -> None:
    """``folder`` made (0700) or, if it is ours already, made private."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if not hasattr(os, "getuid") or folder.stat().st_uid == os.getuid():
            os.chmod(folder, 0o700)
    except OSError:
        pass


def default_cache_dir() -> Path:
    from planvalidator.resources import cache_dir

    return cache_dir() / "batch"
