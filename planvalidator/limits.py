"""Every limit on what planvalidator reads, in one place (docs/reliability.md, 「信頼性」, lists them).

A workbook comes from a stranger: these bound the time and memory one file can take, so a
hostile file gets a one-line answer instead of exhausting the machine. Each limit is far
above any real 事業計画書 (the 記入例 is 0.2 MB of XML, 19 parts, 10 sheets, its largest sheet
4,000 cells; an expense table grown to 10,000 rows is 8.4 MB of XML and 630,000 tags).

Every quantity a file *declares* is bounded before work proportional to it starts: the zip's
entry count (from its end record, before the directory is read), each part's size (from the
directory, before it is decompressed), the tags, the longest tag and the longest text of each
XML part (counted at C speed, before any parser sees it), the sheets, cells, merged ranges and
formula text (counted while the sheet is scanned, before anything is built from them).
"""

from __future__ import annotations

MiB = 1024 * 1024

# --- one workbook file ----------------------------------------------------------------------
MAX_FILE_BYTES = 100 * MiB          # the .xlsx / .xlsm as stored (pictures included)
MAX_PARTS = 10_000                  # entries in the zip (read from its end record first)
MAX_PART_BYTES = 48 * MiB           # one XML part (a sheet, the shared strings) decompressed
MAX_XML_BYTES = 64 * MiB            # all XML parts decompressed together (400,000 cells are ~40 MB)
MAX_MARKUP = 1_000_000              # tags (「<」) in all XML parts together
MAX_TREE_MARKUP = 400_000           # tags in one part other than a sheet read whole as a tree
                                    # (workbook.xml, styles, relationships, comments, content types)
MAX_TAG_BYTES = 64 * 1024           # one tag with its attributes (a real one is under 2 KB)
MAX_TEXT_RUN_BYTES = 1 * MiB        # text between two tags (one cell's text is at most ~100 KB)

# --- the sheets -------------------------------------------------------------------------------
MAX_SHEETS = 255                    # sheets in the workbook (the form has 10)
MAX_SHEET_CELLS = 200_000           # cells with a value or formula in one sheet
MAX_WORKBOOK_CELLS = 400_000        # … in all sheets together
MAX_FORMULA_CHARS = 4_000_000       # formula text in all sheets, each shared formula counted in
                                    # every cell it fills (Excel: 8,192 characters a formula)
MAX_MERGES = 50_000                 # merged ranges in one sheet
MAX_MERGE_LINES = 1_000_000         # the rows (or columns) merged ranges span, summed over a sheet
MERGE_LABEL_SPAN = 1_000            # a merge wider *and* taller than this is a block, not a label
MAX_GRID_CELLS = 4_000_000          # the rectangle (rows × columns) the value reader allocates for
                                    # one sheet; cells far outside it are left out and reported (PV009)
MAX_WORKBOOK_GRID = 8_000_000       # … for all sheets together
MAX_TEXT_CHARS = 32_767             # Excel's own limit for one cell's text

# --- the optional server (planvalidator serve) ----------------------------------------------
MAX_REQUEST_BYTES = 20 * MiB        # one request body
REQUEST_SECONDS = 30.0              # one request, from arrival to answer; a check past it is stopped
HEADER_SECONDS = 10.0               # a connection's request line and headers, from its first byte
MAX_HEADER_BYTES = 32 * 1024        # a request's headers together
MAX_UPLOAD_PARTS = 8                # parts of a multipart upload
MAX_PART_HEADER_BYTES = 4 * 1024    # the headers of one part (a Content-Disposition with its parameters)
MAX_QUEUED_CHECKS = 48              # checks waiting for a worker; past it 503 with Retry-After
MAX_BODIES_BYTES = 512 * MiB        # the bodies of all requests being read or waiting, together; past it 503
QUICK_SECONDS = 0.5                 # a check running longer is a slow one: one worker is always kept
                                    # for the others (planvalidator/server/workers.py)
MAX_CONFIG_BYTES = 256 * 1024       # a planvalidator.toml / pyproject.toml / --config

# --- reading an expense line as Japanese (planvalidator/japanese.py) -----------------------------
MAX_READ_BYTES = 48_000             # one text SudachiPy reads as Japanese (it refuses more than 49,149 bytes);
                                    # a longer 品名・内容 is matched by its words alone

# --- an intake (planvalidator batch) ---------------------------------------------------------------
MAX_APPLICATION_FILES = 200         # files in one application (its folder or zip)
MAX_APPLICATION_BYTES = 256 * MiB   # one application's files together, decompressed
MAX_ATTACHMENT_BYTES = 100 * MiB    # one attachment (a PDF of a scanned 決算書 can be large)
MAX_INTAKE_FILES = 5_000            # files in an intake sent as one zip (the page's intake mode, planvalidator serve)
MAX_INTAKE_BYTES = 256 * MiB        # … decompressed together (the request itself is MAX_REQUEST_BYTES at most)
MAX_FOLDER_DEPTH = 4                # subfolders inside an application's folder
APPLICATION_SECONDS = 60.0          # checking one application in a worker; past it the worker is stopped
PDF_PAGES_READ = 10                 # pages of an attachment whose text is read (a 決算報告書: a cover and ~7 statements)
PDF_TEXT_CHARS = 40_000             # characters kept of one attachment's text
MAX_PDF_STREAM_BYTES = 16 * MiB     # one page's content decompressed (a text page is ~100 KB)
WORKER_MEMORY_BYTES = 2 * 1024 * MiB   # address space of one worker process (batch, the check page);
                                       # the workers started are fewer where the machine has less memory

# --- a summary written before (planvalidator batch -o 受付チェック.xlsx over an existing one) ----------------
MAX_SUMMARY_ROWS = 20_000           # rows of its 申請一覧 read back (staff's notes carried over)
MAX_SUMMARY_COLUMNS = 200           # columns of its 申請一覧 read back

# --- the data cache (planvalidator.datacache, in the user's cache folder) ---------------------
CACHE_KEEP_DAYS = 30                # an entry no run has read for this long is removed when one is written
MAX_CACHE_ENTRIES = 400             # entries kept at most (a release makes ~25; the oldest go first)
