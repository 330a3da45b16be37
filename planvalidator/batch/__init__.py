"""``planvalidator batch``: every application of an intake checked, attachments included, each in a
worker process that may crash, hang or abort without stopping the batch; results of unchanged
applications reused from earlier runs.

The workers are pebble's process pool: a task past its time limit is stopped with its process, and a
worker that dies (a native crash, an abort, the memory limit) fails only its own task — pebble starts
a new one and the pool goes on, which ``concurrent.futures.ProcessPoolExecutor`` does not do (one dead
worker breaks the whole pool).
"""

from __future__ import annotations

from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable

from planvalidator import limits
from planvalidator.batch.application import (
    check_application,
    fill_row,
    missing_documents,
)
from planvalidator.batch.cache import ResultCache, default_cache_dir
from planvalidator.batch.names import annotated_name, annotated_stems, file_name
from planvalidator.intake import Source
from planvalidator.processes import limit_memory
from planvalidator.structs import Frozen
from planvalidator.summary import CANNOT_CHECK, Application

__all__ = ["Application", "BatchOptions", "ResultCache", "annotated_name", "annotated_stems", "check_application",
           "default_cache_dir", "file_name", "fill_row", "missing_documents", "run"]


class BatchOptions(Frozen):
    options: object = None                    # engine.Options (rule selection)
    annotate_dir: Path | None = None          # write an annotated copy of each workbook here
    jobs: int = 1                             # worker processes
    timeout: float = limits.APPLICATION_SECONDS
    cache_dir: Path | None = None             # reuse results of unchanged applications (None: never)


# --- the run (the pool of worker processes) ----------------------------------------------------------

def _failed(source: Source, reason: str) -> Application:
    return Application(id=source.id, source=str(source.path), error=reason, verdict=CANNOT_CHECK)


def _digest(source: Source) -> str | None:
    try:
        return source.digest()                  # the summary marks staff notes 変更あり when it changed
    except OSError:
        return None


def run(sources: list[Source], batch: BatchOptions, progress: Callable[[Application], None] | None = None,
        ) -> tuple[list[Application], int]:
    """Check every application; returns them in the intake's order and how many were reused.

    Each application goes to the workers as soon as it is known to need a check, so they start while the
    rest of the intake is still being looked at; without a cache the digests (which only the summary
    needs) are taken after everything is handed out, while the workers check."""
    import multiprocessing
    from concurrent.futures import as_completed
    from contextlib import ExitStack

    from pebble import ProcessExpired, ProcessPool

    cache = ResultCache(batch.cache_dir, batch.options, batch.annotate_dir) if batch.cache_dir else None
    if batch.annotate_dir is not None:
        Path(batch.annotate_dir).mkdir(parents=True, exist_ok=True)
    results: list[Application | None] = [None] * len(sources)
    keys: dict[int, str] = {}
    reused = 0
    stems = annotated_stems(sources)
    digests: dict[int, str | None] = {}
    futures: dict = {}
    with ExitStack() as stack:
        pool = None
        for i, source in enumerate(sources):
            if cache is not None:
                digests[i] = _digest(source)
                stem = stems[source.id] if batch.annotate_dir else None
                keys[i] = cache.key(source, stem, digests[i]) if digests[i] else None
                if keys[i] and (app := cache.get(keys[i], source, batch.annotate_dir, stem)) is not None:
                    app.reused = True
                    app.fingerprint = digests[i]
                    results[i] = app
                    reused += 1
                    if progress:
                        progress(app)
                    continue
            if pool is None:                    # started at the first application to check (none when all are reused)
                context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                                      else None)
                pool = stack.enter_context(ProcessPool(max_workers=max(1, batch.jobs), initializer=limit_memory,
                                                       context=context))
            futures[pool.schedule(check_application, args=(source, batch.options, batch.annotate_dir,
                                                           stems[source.id]),
                                  timeout=batch.timeout)] = i
        if cache is None:
            for i, source in enumerate(sources):
                digests[i] = _digest(source)
        for future in as_completed(futures):
            i = futures[future]
            source = sources[i]
            keep = True
            try:
                app = Application.from_dict(future.result())
            except FutureTimeout:
                app, keep = _failed(source, f"{batch.timeout:g} 秒以内にチェックが終わらないため打ち切りました"), False
            except ProcessExpired as exc:
                app, keep = _failed(source, f"チェック中に処理が異常終了しました（終了コード {exc.exitcode}）。"
                                            f"ファイルが壊れているか、細工されている可能性があります"), False
            except Exception as exc:  # noqa: BLE001 — a result that cannot come back is its row
                app, keep = _failed(source, f"チェックの結果を受け取れませんでした（{type(exc).__name__}）"), False
            app.fingerprint = digests[i]
            results[i] = app
            if cache is not None and keep and keys.get(i):
                cache.put(keys[i], app)
            if progress:
                progress(app)
    return [r for r in results if r is not None], reused
