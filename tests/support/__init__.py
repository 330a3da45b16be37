"""Helpers the tests share (not tests themselves): workbooks built from the official R7 files, revised
templates, intakes with PDFs, hostile files, the server's test work. Imported as ``support.<module>``
(tests/ is on pytest's pythonpath)."""
