"""The VBA project of the button workbook: xlwings' quickstart project with our macro in it.

xlwings ships ``quickstart.xlsm``, a workbook whose VBA project (made by Excel) references the
xlwings add-in, so ``RunPython`` resolves once ``xlwings addin install`` has run. We keep that
project — its references, document modules and protection records exactly as Excel wrote them —
and replace the source of its one standard module with the button's macro. The standalone variant
starts from ``quickstart_standalone.xlsm`` instead, whose project carries xlwings' VBA module
itself (no add-in needed, but tied to the xlwings version it came with). The compiled
p-code of the original is dropped (``_VBA_PROJECT`` version 0xFFFF, module offsets 0), which
tells Excel to compile the project from source when the workbook opens ([MS-OVBA] 2.3.4.1).

Writing needs the [MS-OVBA] 2.4.1 compression and a compound file ([MS-CFB] v3), both below;
olefile reads the original.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

MACRO = "CheckApplication"
FIX_MACRO = "FixApplication"        # the safe fixes applied to the open book (planvalidator fix, live)
MODULE_SOURCE = (
    'Attribute VB_Name = "Module1"\r\n'
    "' planvalidator: check this workbook (the button on sheet 1 runs this)\r\n"
    f"Sub {MACRO}()\r\n"
    '    RunPython "import planvalidator.xl; planvalidator.xl.main()"\r\n'
    "End Sub\r\n"
    "' planvalidator: write the safe fixes into this workbook, then check it (Alt+F8 FixApplication)\r\n"
    f"Sub {FIX_MACRO}()\r\n"
    '    RunPython "import planvalidator.xl; planvalidator.xl.main(fix=True)"\r\n'
    "End Sub\r\n"
)


# --- [MS-OVBA] 2.4.1 compression ---------------------------------------------------------------

def _copy_token_split(position: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) of a copy token at ``position`` in its chunk."""
    bits = max(4, (position - 1).bit_length())
    return bits, (0xFFFF >> bits) + 3


def compress(data: bytes) -> bytes:
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        body = _compress_chunk(chunk)
        if len(body) > 4096 and len(chunk) == 4096:       # raw chunk: exactly 4096 bytes
            out += struct.pack("<H", 0x3FFF) + chunk
        elif len(body) > 4096:
            raise ValueError("a final chunk that does not compress cannot be stored")
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if i >= len(chunk):
                break
            offset, length = _longest_match(chunk, i)
            if length >= 3:
                bits, _max = _copy_token_split(i)
                out += struct.pack("<H", ((offset - 1) << (16 - bits)) | (length - 3))
                flags |= 1 << bit
                i += length
            else:
                out.append(chunk[i])
                i += 1
        out[flag_at] = flags
    return bytes(out)


def _longest_match(chunk: bytes, i: int) -> tuple[int, int]:
    if i == 0:
        return 0, 0
    _bits, max_length = _copy_token_split(i)
    best_offset, best_length = 0, 0
    limit = min(max_length, len(chunk) - i)
    for candidate in range(i - 1, -1, -1):
        length = 0
        while length < limit and chunk[candidate + length] == chunk[i + length]:
            length += 1
        if length > best_length:
            best_offset, best_length = i - candidate, length
            if length == limit:
                break
    return best_offset, best_length


def decompress(data: bytes) -> bytes:
    if not data or data[0] != 0x01:
        raise ValueError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        compressed = header & 0x8000
        body = data[pos + 2:pos + size]
        pos += size
        chunk_start = len(out)
        if not compressed:
            out += body[:4096]
            continue
        j = 0
        while j < len(body):
            flags = body[j]
            j += 1
            for bit in range(8):
                if j >= len(body):
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", body, j)[0]
                    j += 2
                    bits, _max = _copy_token_split(len(out) - chunk_start)
                    length = (token & (0xFFFF >> bits)) + 3
                    offset = (token >> (16 - bits)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(body[j])
                    j += 1
    return bytes(out)


# --- the dir stream ([MS-OVBA] 2.3.4.2) ---------------------------------------------------------

def _records(data: bytes) -> list[list]:
    """[[id, payload]] of the dir stream. PROJECTVERSION (0x0009) carries 6 bytes after its
    Reserved field of 4; every other record is id, size, payload."""
    out, pos = [], 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        pos += 6
        if rid == 0x0009:
            size = 6
        out.append([rid, data[pos:pos + size]])
        pos += size
    return out


def _pack(records) -> bytes:
    out = bytearray()
    for rid, payload in records:
        size = 4 if rid == 0x0009 else len(payload)
        out += struct.pack("<HI", rid, size) + payload
    return bytes(out)


def modules(records) -> list[dict]:
    """Module name, stream name and source offset, in the order of the dir stream."""
    found, current = [], None
    for rid, payload in records:
        if rid == 0x0019:
            current = {"name": payload.decode("latin-1")}
            found.append(current)
        elif rid == 0x001A and current is not None:
            current["stream"] = payload.decode("latin-1")
        elif rid == 0x0031 and current is not None:
            current["offset"] = struct.unpack("<I", payload)[0]
    return found


# --- the compound file ([MS-CFB] version 3) ---------------------------------------------------

FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI, CUTOFF = 512, 64, 4096


def _name_key(name: str) -> tuple[int, str]:
    return len(name), name.upper()


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` ("PROJECT", "VBA/dir" …: one level of storages)."""
    # the directory: root, storages, streams
    entries = [{"name": "Root Entry", "type": 5, "children": []}]
    storages: dict[str, dict] = {}
    for path in sorted(streams):
        parent = entries[0]
        *folders, leaf = path.split("/")
        for folder in folders:
            if folder not in storages:
                storages[folder] = {"name": folder, "type": 1, "children": []}
                entries.append(storages[folder])
                parent["children"].append(storages[folder])
            parent = storages[folder]
        entry = {"name": leaf, "type": 2, "children": [], "data": streams[path]}
        entries.append(entry)
        parent["children"].append(entry)
    for i, e in enumerate(entries):
        e["id"] = i
        e.update(left=NOSTREAM, right=NOSTREAM, child=NOSTREAM)
    for e in entries:
        if e["children"]:
            e["child"] = _tree(sorted(e["children"], key=lambda c: _name_key(c["name"])))

    # the mini stream (streams under 4096 bytes) and regular streams
    mini = bytearray()
    mini_fat: list[int] = []
    big: list[dict] = []
    for e in entries:
        data = e.get("data")
        if data is None:
            e["start"], e["size"] = 0, 0
            continue
        e["size"] = len(data)
        if len(data) < CUTOFF:
            count = max(1, -(-len(data) // MINI)) if data else 0
            e["start"] = len(mini) // MINI if data else END
            for k in range(count):
                mini_fat.append(len(mini) // MINI + 1 if k < count - 1 else END)
                mini += data[k * MINI:(k + 1) * MINI].ljust(MINI, b"\x00")
        else:
            big.append(e)

    def sectors(n: int) -> int:
        return -(-n // SECTOR)

    dir_bytes = len(entries) * 128
    n_dir = sectors(dir_bytes)
    n_minifat = sectors(len(mini_fat) * 4)
    n_mini = sectors(len(mini))
    n_big = sum(sectors(len(e["data"])) for e in big)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + n_minifat + n_mini + n_big:
        n_fat += 1

    fat: list[int] = [FATSECT] * n_fat
    layout: list[bytes] = []

    def chain(data: bytes) -> int:
        count = sectors(len(data))
        first = len(fat)
        for k in range(count):
            fat.append(first + k + 1 if k < count - 1 else END)
        layout.append(data.ljust(count * SECTOR, b"\x00"))
        return first

    dir_start_at = len(fat)
    # directory sectors are written after the entries know their start sectors
    fat.extend([0] * n_dir)
    layout.append(b"")                                  # placeholder for the directory
    minifat_start = chain(b"".join(struct.pack("<I", v) for v in mini_fat)) if mini_fat else END
    mini_start = chain(bytes(mini)) if mini else END
    for e in big:
        e["start"] = chain(e["data"])
    for k in range(n_dir):
        fat[dir_start_at + k] = dir_start_at + k + 1 if k < n_dir - 1 else END
    entries[0]["start"], entries[0]["size"] = mini_start, len(mini)

    directory = bytearray()
    for e in entries:
        directory += _dir_entry(e)
    while len(directory) % SECTOR:
        directory += _dir_entry(None)
    layout[0] = bytes(directory)

    fat_bytes = b"".join(struct.pack("<I", v) for v in fat).ljust(n_fat * SECTOR, b"\xff")
    difat = [i for i in range(n_fat)] + [FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x00" * 16, 0x003E, 0x0003, 0xFFFE,
        9, 6, b"\x00" * 6, 0, n_fat, dir_start_at, 0, CUTOFF, minifat_start, n_minifat, END, 0,
    ) + b"".join(struct.pack("<I", v) for v in difat)
    return header + fat_bytes + b"".join(layout)


def _tree(nodes: list[dict]) -> int:
    """A balanced binary tree of siblings (all black); returns the root's id."""
    if not nodes:
        return NOSTREAM
    mid = len(nodes) // 2
    root = nodes[mid]
    root["left"] = _tree(nodes[:mid])
    root["right"] = _tree(nodes[mid + 1:])
    return root["id"]


def _dir_entry(e: dict | None) -> bytes:
    if e is None:
        return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\x00" * 16,
                           0, 0, 0, 0, 0)
    name = e["name"].encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name) + 2, e["type"], 1, e["left"], e["right"], e["child"],
                       b"\x00" * 16, 0, 0, 0, e["start"], e["size"])


# --- the project ---------------------------------------------------------------------------------

def quickstart_project(standalone: bool = False) -> bytes:
    """The VBA project of xlwings' quickstart workbook: the one that references the add-in, or
    (``standalone``) the one that carries xlwings' own VBA module and needs no add-in."""
    import xlwings
    name = "quickstart_standalone.xlsm" if standalone else "quickstart.xlsm"
    with zipfile.ZipFile(Path(os.path.dirname(xlwings.__file__)) / name) as zf:
        return zf.read("xl/vbaProject.bin")


def build_project(source: str = MODULE_SOURCE, codepage: str = "ascii", *, standalone: bool = False) -> bytes:
    """xlwings' quickstart VBA project with Module1's source replaced and no compiled p-code."""
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(quickstart_project(standalone)))
    streams = {"/".join(p): ole.openstream("/".join(p)).read() for p in ole.listdir(streams=True)}
    records = _records(decompress(streams["VBA/dir"]))
    for module in modules(records):
        raw = streams[f"VBA/{module['stream']}"]
        text = source.encode(codepage) if module["name"] == "Module1" else decompress(raw[module["offset"]:])
        streams[f"VBA/{module['stream']}"] = compress(text)
    for record in records:
        if record[0] == 0x0031:                            # MODULEOFFSET: the source starts the stream
            record[1] = struct.pack("<I", 0)
    streams["VBA/dir"] = compress(_pack(records))
    cache = streams["VBA/_VBA_PROJECT"]
    streams["VBA/_VBA_PROJECT"] = cache[:2] + b"\xff\xff" + b"\x00" + b"\x00\x00"   # no p-code: compile on open
    return write_cfb(streams)
