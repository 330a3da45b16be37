"""Every limit on what planvalidator reads, in one place (the README's 「信頼性」 lists them).

A workbook comes from a stranger: these bound the time and memory one file can take, so a
hostile file gets a one-line answer instead of exhausting the machine. Each limit is far
above any real 事業計画書 (the 記入例 is 0.1 MB, its largest sheet 4,000 cells).
"""

from __future__ import annotations

MiB = 1024 * 1024

# --- one workbook file ----------------------------------------------------------------------
MAX_FILE_BYTES = 100 * MiB          # the .xlsx / .xlsm as stored (pictures included)
MAX_PART_BYTES = 64 * MiB           # one XML part (a sheet, the shared strings) decompressed
MAX_XML_BYTES = 256 * MiB           # all XML parts decompressed together
MAX_PARTS = 10_000                  # entries in the zip

# --- one sheet ------------------------------------------------------------------------------
MAX_SHEET_CELLS = 500_000           # cells with a value or formula
MAX_GRID_CELLS = 4_000_000          # the rectangle (rows × columns) the value reader allocates;
                                    # cells far outside it are left out and reported (PV009)
MAX_TEXT_CHARS = 32_767             # Excel's own limit for one cell's text

# --- the optional server (planvalidator serve) ----------------------------------------------
MAX_REQUEST_BYTES = 20 * MiB        # one request body
REQUEST_SECONDS = 30.0              # one request, from arrival to answer
CHECKS_AT_ONCE = 4                  # checks running at once (timed-out ones included: a thread cannot be stopped)

# --- reading an expense line as Japanese (planvalidator/japanese.py) -----------------------------
MAX_READ_BYTES = 48_000             # one text SudachiPy reads as Japanese (it refuses more than 49,149 bytes);
                                    # a longer 品名・内容 is matched by its words alone

# --- an intake (planvalidator batch) ---------------------------------------------------------------
MAX_APPLICATION_FILES = 200         # files in one application (its folder or zip)
MAX_APPLICATION_BYTES = 256 * MiB   # one application's files together, decompressed
MAX_ATTACHMENT_BYTES = 100 * MiB    # one attachment (a PDF of a scanned 決算書 can be large)
MAX_FOLDER_DEPTH = 4                # subfolders inside an application's folder
APPLICATION_SECONDS = 60.0          # checking one application in a worker; past it the worker is stopped
PDF_PAGES_READ = 10                 # pages of an attachment whose text is read (a 決算報告書: a cover and ~7 statements)
PDF_TEXT_CHARS = 40_000             # characters kept of one attachment's text
WORKER_MEMORY_BYTES = 4 * 1024 * MiB   # address space of one batch worker (the dictionary and pools included)
