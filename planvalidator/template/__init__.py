"""The official workbook as a form: what it is made of (snapshot) and what changed between two versions (diff)."""
