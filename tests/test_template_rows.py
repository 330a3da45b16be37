"""The template's side of PV012's row alignment (planvalidator.rowmap.TemplateRows: its fixed texts and each row's
signature, with the No column's numbers and without) is worked out once per template version and kept in the
user's cache: what is kept is exactly what the template gives, the check reads the same rows from it, and a
damaged entry is worked out again."""

import pytest

from planvalidator import expected_formulas as ef, reference, rowmap
from planvalidator.engine import Context, _template
from planvalidator.layout import known_layouts
from planvalidator.reader import read
from support.helpers import EXAMPLE, edit, insert_rows_like_excel


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reference._reference_grid.cache_clear()
    ef._KNOWN.clear()
    rowmap._TEMPLATE_ROWS.clear()
    yield tmp_path / "cache" / "planvalidator"
    reference._reference_grid.cache_clear()
    ef._KNOWN.clear()
    rowmap._TEMPLATE_ROWS.clear()


@pytest.mark.parametrize("layout", [layout for layout in known_layouts() if layout.reference],
                         ids=lambda layout: layout.template)
def test_what_is_kept_is_what_the_template_gives(layout):
    grid = reference.reference_grid(layout)
    for name, sheet in grid.sheets.items():
        rows = rowmap.TemplateRows.of(sheet)
        assert rowmap.TemplateRows.from_plain(rows.plain()) == rows, name
        assert any(rows.signatures[True]) or not sheet.values, name


@pytest.fixture(scope="module")
def inserted(tmp_path_factory):
    """The 記入例 with rows inserted into its expense table and the No column renumbered (both alignments run)."""
    def prepare(book):
        insert_rows_like_excel(book, "計画様式7", 10, 3)
        ws = book["計画様式7"]
        for n, r in enumerate(range(6, 49), 1):
            ws[f"B{r}"] = n
    return edit(EXAMPLE, tmp_path_factory.mktemp("rows") / "inserted.xlsx", {}, prepare=prepare)


def _expected(path):
    plan = read(path)
    found = Context(plan, template=_template(plan)).expected_formulas
    return found.cells, {theirs: rows for theirs, (_ours, rows) in found.names.items()}


def test_a_check_reads_the_same_rows_from_the_cache(cache, inserted, monkeypatch):
    worked_out = _expected(inserted)
    assert len(list(cache.glob("rowmap-*.json"))) == 1
    assert any(tr != r for rows in worked_out[1].values() for tr, r in rows.items())   # (rows did move)
    ef._KNOWN.clear()
    rowmap._TEMPLATE_ROWS.clear()
    monkeypatch.setattr(rowmap.TemplateRows, "of", classmethod(lambda cls, sheet: pytest.fail("worked out again")))
    assert _expected(inserted) == worked_out
    assert _expected(EXAMPLE)[1] == {theirs: {r: r for r in rows} for theirs, rows in _expected(EXAMPLE)[1].items()}


def test_a_damaged_entry_is_worked_out_again(cache, inserted):
    expected = _expected(inserted)
    for damaged in ("{", '{"__file__": "x", "values": {}}', "[]"):
        for entry in cache.glob("rowmap-*.json"):
            entry.write_text(damaged, encoding="utf-8")
        ef._KNOWN.clear()
        rowmap._TEMPLATE_ROWS.clear()
        assert _expected(inserted) == expected


def test_a_changed_template_is_worked_out_again(cache):
    """A template grid whose cells differ (a corrected template, another reading of it) is not answered from the
    entry of the old one."""
    import copy

    layout = next(layout for layout in known_layouts() if layout.reference)
    official = reference.reference_grid(layout)
    ef.template_rows(layout, official)
    changed = copy.deepcopy(official)
    sheet = changed.sheets["計画様式7"] if "計画様式7" in changed.sheets else next(iter(changed.sheets.values()))
    (r, c), _text = next((pos, v) for pos, v in sorted(sheet.values.items()) if isinstance(v, str))
    sheet.values[(r + 200, c)] = sheet.values.pop((r, c))
    ef.template_rows(layout, changed)
    assert len(list(cache.glob("rowmap-*.json"))) == 2
    assert rowmap.template_rows(sheet) == rowmap.TemplateRows.of(sheet) != rowmap.template_rows(
        official.sheets[sheet.name])
