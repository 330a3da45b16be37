"""The button workbook (templates/r7/jigyo-keikakusho-r7-button.xlsm): reproducible, macro-enabled,
a VBA project whose macro calls planvalidator, a button bound to it — read by independent tools
(olevba, LibreOffice), not only by the code that wrote it."""

import io
import random
import re
import shutil
import subprocess

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from support.helpers import R7, TEMPLATE, finding_keys, parts
from support.package_diff import differences
from planvalidator import vba
from planvalidator.annotate import annotate_file
from planvalidator.button import build_button_workbook
from planvalidator.engine import check_file

SHIPPED = R7 / "jigyo-keikakusho-r7-button.xlsm"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def macros(path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.mark.parametrize("data", [b"", b"x", b"abcabcabcabc" * 400, bytes(random.Random(1).randrange(256)
                                                                         for _ in range(3000)),
                                  (vba.MODULE_SOURCE * 60).encode()])
def test_compression_is_read_back_by_an_independent_decompressor(data):
    packed = vba.compress(data)
    assert vba.decompress(packed) == data
    if data:
        assert bytes(decompress_stream(bytearray(packed))) == data


def test_the_shipped_workbook_is_what_the_command_builds(tmp_path):
    fresh = build_button_workbook(TEMPLATE, tmp_path / "fresh.xlsm")
    assert parts(fresh) == parts(SHIPPED)


def test_the_macro_calls_planvalidator_through_the_xlwings_addin():
    code = macros(SHIPPED)
    assert 'RunPython "import planvalidator.xl; planvalidator.xl.main()"' in code["Module1.bas"]
    assert re.search(r"^Sub CheckApplication\(\)", code["Module1.bas"], re.M)
    # and the safe fixes written into the open book first (Alt+F8 FixApplication: planvalidator fix, live)
    assert re.search(r'^Sub FixApplication\(\)\r?\n    RunPython "import planvalidator.xl; planvalidator.xl.main\(fix=True\)"',
                     code["Module1.bas"], re.M)
    ole = olefile.OleFileIO(io.BytesIO(parts(SHIPPED)["xl/vbaProject.bin"]))
    assert ole.openstream("VBA/_VBA_PROJECT").read()[2:4] == b"\xff\xff"     # compiled from source on open
    directory = vba.decompress(ole.openstream("VBA/dir").read())
    assert b"xlwings.xlam" in directory                                     # the add-in reference is kept


def test_the_workbook_is_macro_enabled_with_a_button_bound_to_the_macro():
    contents = parts(SHIPPED)
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in contents["[Content_Types].xml"]
    assert b'codeName="ThisWorkbook"' in contents["xl/workbook.xml"]
    vml = contents["xl/drawings/vmlDrawing1.vml"].decode()
    assert 'ObjectType="Button"' in vml and "<x:FmlaMacro>[0]!CheckApplication</x:FmlaMacro>" in vml
    assert "申請書をチェック" in vml
    original = parts(TEMPLATE)
    untouched = [n for n in original if n not in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
                 and not n.startswith("xl/worksheets/")]
    assert all(contents[n] == original[n] for n in untouched)


def test_the_button_workbook_checks_like_the_template_and_annotates_without_loss(tmp_path):
    assert finding_keys(check_file(SHIPPED)) == finding_keys(check_file(TEMPLATE))
    copy = tmp_path / "申請書.xlsm"
    shutil.copy(SHIPPED, copy)
    _report, out = annotate_file(copy)
    assert out.suffix == ".xlsm" and differences(copy, out) == []
    assert 'ObjectType="Button"' in parts(out)["xl/drawings/vmlDrawing1.vml"].decode()
    assert "Module1.bas" in macros(out)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)")
def test_libreoffice_opens_it_and_keeps_macro_and_button(tmp_path):
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "xlsm", "--outdir", str(tmp_path / "lo"), str(SHIPPED)], check=True, capture_output=True,
                   timeout=240)
    resaved = tmp_path / "lo" / SHIPPED.name
    assert 'RunPython "import planvalidator.xl; planvalidator.xl.main()"' in macros(resaved)["Module1.bas"]
    vml = "".join(data.decode("utf-8", "replace") for name, data in parts(resaved).items() if name.endswith(".vml"))
    assert "CheckApplication" in vml                                  # LibreOffice bound the button to it


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    from click.testing import CliRunner
    from planvalidator.cli import main
    out = tmp_path_factory.mktemp("standalone") / "申請書チェック.xlsm"
    result = CliRunner().invoke(main, ["excel-template", "--standalone", str(out)])
    assert result.exit_code == 0 and "VBA モジュール入り" in result.output
    return out


def test_standalone_carries_xlwings_module_and_needs_no_addin(standalone):
    code = macros(standalone)
    assert 'RunPython "import planvalidator.xl; planvalidator.xl.main()"' in code["Module1.bas"]
    assert re.search(r"^Public Function RunPython\(", code["xlwings.bas"], re.M | re.I)   # xlwings' own module
    ole = olefile.OleFileIO(io.BytesIO(parts(standalone)["xl/vbaProject.bin"]))
    directory = vba.decompress(ole.openstream("VBA/dir").read())
    assert b"xlwings.xlam" not in directory                                # no reference to the add-in
    assert ole.openstream("VBA/_VBA_PROJECT").read()[2:4] == b"\xff\xff"
    assert finding_keys(check_file(standalone)) == finding_keys(check_file(TEMPLATE))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)")
def test_libreoffice_opens_the_standalone_workbook(standalone, tmp_path):
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "xlsm", "--outdir", str(tmp_path / "lo"), str(standalone)], check=True, capture_output=True,
                   timeout=240)
    code = macros(tmp_path / "lo" / standalone.name)
    assert "planvalidator.xl.main()" in code["Module1.bas"] and "RunPython" in code["xlwings.bas"]
