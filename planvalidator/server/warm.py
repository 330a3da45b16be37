"""Imported once in the fork server the check workers start from (:mod:`planvalidator.server.workers`):
checks the bundled 記入例, so that every worker forked after it starts with the program data,
template layouts, schemas and keyword patterns already loaded — a worker that replaces a killed
one answers its first request as fast as the others."""

def _warm() -> None:
    try:
        from planvalidator.resources import templates_dir
        from planvalidator.server import work
        from planvalidator.workbook import InMemory

        example = templates_dir() / "r7" / "kinyurei-r7.xlsx"
        work.check(InMemory(example.name, example.read_bytes()))
        work.annotate(InMemory(example.name, example.read_bytes()))
    except Exception:  # noqa: BLE001 — only speed depends on it
        pass


_warm()
