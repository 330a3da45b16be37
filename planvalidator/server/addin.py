"""The Excel on the web add-in: its manifest, task pane and icons (xlwings' Office.js client posts
the book to ``/xlwings/check``)."""

import struct
import zlib
from html import escape

XLWINGS_JS = "https://cdn.jsdelivr.net/gh/xlwings/xlwings@{version}/xlwingsjs/dist/xlwings.min.js"
ADDIN_ID = "6b1f1c2e-5a3d-4c59-9a39-8f2f0e6c7a11"


def taskpane_html(base: str) -> str:
    import xlwings

    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>planvalidator</title>
<script src="https://appsforoffice.microsoft.com/lib/1/hosted/office.js"></script>
<script src="{XLWINGS_JS.format(version=xlwings.__version__)}"></script></head>
<body style="font-family: sans-serif">
<h3>事業計画書のチェック</h3>
<p>新商品・新サービス開発支援事業助成金の事業計画書をチェックし、指摘をこのブックに書き込みます
（セルの色・メモ・「チェック結果」シート）。</p>
<button id="check" style="font-size: 1.1em; padding: .5em 1em">申請書をチェック</button>
<script>
Office.onReady(() => {{
  document.getElementById("check").onclick = () =>
    xlwings.runPython("{escape(base)}/xlwings/check", {{ auth: "planvalidator" }});
}});
</script></body></html>"""


def manifest_xml(base: str) -> str:
    base = escape(base)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="TaskPaneApp">
  <Id>{ADDIN_ID}</Id>
  <Version>1.0.0.0</Version>
  <ProviderName>planvalidator</ProviderName>
  <DefaultLocale>ja-JP</DefaultLocale>
  <DisplayName DefaultValue="planvalidator 事業計画書チェック"/>
  <Description DefaultValue="新商品・新サービス開発支援事業助成金の事業計画書をチェックします"/>
  <IconUrl DefaultValue="{base}/icon-32.png"/>
  <HighResolutionIconUrl DefaultValue="{base}/icon-64.png"/>
  <AppDomains><AppDomain>{base}</AppDomain></AppDomains>
  <Hosts><Host Name="Workbook"/></Hosts>
  <Requirements><Sets DefaultMinVersion="1.1"><Set Name="ExcelApi" MinVersion="1.9"/></Sets></Requirements>
  <DefaultSettings><SourceLocation DefaultValue="{base}/taskpane.html"/></DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
</OfficeApp>
"""


def png(size: int) -> bytes:
    """A plain square icon (the add-in manifest needs one), written without an imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + bytes((0x44, 0x54, 0x6A)) * size
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * size)) + chunk(b"IEND", b""))
