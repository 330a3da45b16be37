"""The official template of a version is read from the workbook once and kept in the user's cache as
plain data: a cold check reads that instead. What is kept is exactly what the workbook gives (values
of every type, formulas, cached results, merged ranges); a damaged entry or a changed template is read
from the workbook again."""

import shutil

import pytest

from planvalidator import reference
from planvalidator.layout import known_layouts
from planvalidator.resources import templates_dir
from planvalidator.workbook import load_grid


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reference._reference_grid.cache_clear()
    yield tmp_path / "cache" / "planvalidator"
    reference._reference_grid.cache_clear()


def _same(a, b):
    assert list(a.sheets) == list(b.sheets)
    for name in a.sheets:
        x, y = a.sheets[name], b.sheets[name]
        assert x.values == y.values and x.formulas == y.formulas and x.cached == y.cached, name
        assert x.merged == y.merged, name
        assert all(type(x.values[k]) is type(y.values[k]) for k in x.values), name
        assert all(x.span(r1, c1) == y.span(r1, c1) == (r1, c1, r2, c2) for r1, c1, r2, c2 in x.merged), name


@pytest.mark.parametrize("layout", [layout for layout in known_layouts() if layout.reference],
                         ids=lambda layout: layout.template)
def test_the_template_is_read_once_and_then_from_the_cache(cache, monkeypatch, layout):
    from_workbook = load_grid(templates_dir() / layout.template / layout.reference)
    first = reference.reference_grid(layout)
    _same(from_workbook, first)
    assert len(list(cache.glob("reference-*.json"))) == 1
    reference._reference_grid.cache_clear()
    monkeypatch.setattr(reference, "load_grid", lambda path: pytest.fail("read from the workbook again"))
    _same(from_workbook, reference.reference_grid(layout))


def test_a_damaged_entry_is_read_from_the_workbook_again(cache):
    layout = next(layout for layout in known_layouts() if layout.reference)
    expected = load_grid(templates_dir() / layout.template / layout.reference)
    reference.reference_grid(layout)
    for damaged in ("{", '{"__file__": "x", "values": {}}', "[]"):
        for entry in cache.glob("reference-*.json"):
            entry.write_text(damaged, encoding="utf-8")
        reference._reference_grid.cache_clear()
        _same(expected, reference.reference_grid(layout))


def test_a_changed_template_is_read_again(cache, tmp_path, monkeypatch):
    """Another template file under the same version (a corrected template ISICO republished) is not
    answered from the entry of the old one."""
    import openpyxl

    layout = next(layout for layout in known_layouts() if layout.reference)
    reference.reference_grid(layout)
    folder = tmp_path / "templates"
    shutil.copytree(templates_dir(), folder)
    path = folder / layout.template / layout.reference
    book = openpyxl.load_workbook(path)
    book.worksheets[0]["A1"] = "改訂された様式"
    book.save(path)
    monkeypatch.setattr("planvalidator.resources.templates_dir", lambda: folder)
    reference._reference_grid.cache_clear()
    grid = reference.reference_grid(layout)
    assert grid.sheets[book.worksheets[0].title].values[(1, 1)] == "改訂された様式"
    assert len(list(cache.glob("reference-*.json"))) == 2
