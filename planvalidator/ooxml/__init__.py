"""Editing the XML parts of an OOXML spreadsheet package, one kind of part per module.

These modules know SpreadsheetML and nothing of what planvalidator writes with it; the
package's zip parts come from :class:`planvalidator.package.Package`, which writes back every
part they do not touch byte for byte.

- :mod:`.styles`: ``xl/styles.xml``, fonts, fills, borders and cell / differential formats found or added.
- :mod:`.cells`: one ``<c>`` element written or read, shared strings included.
- :mod:`.conditional`: conditional formats (expression rules) added to or removed from a worksheet.
- :mod:`.comments`: a worksheet's legacy comments (notes) and the VML drawing that shows them.
- :mod:`.sheets`: the workbook's list of worksheets: a sheet added or removed with its
  relationship, content type and local defined names; the active and selected tabs.
- :mod:`.worksheet`: a new worksheet part written from scratch (view, columns, rows, merges,
  filter, hyperlinks, page setup).
"""
