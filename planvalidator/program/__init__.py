"""Program parameters (schemas/<version>/program.yaml): rates, caps, periods, expense lists, keywords.

Everything a rule needs to know about the program lives in that file, with the clause it comes
from; this package gives it types. The file is validated when it is loaded (pydantic models that
forbid unknown keys): a misspelt key or a value of the wrong type stops the check with one line
naming the file and the key, never a rule that fails later on a missing value.

- :mod:`~planvalidator.program.spec` — the file's shape and its messages;
- :mod:`~planvalidator.program.store` — the validated values, remembered per file content (the profiles'
  too);
- :mod:`~planvalidator.program.model` — the typed views the rules read (:class:`Program`, :class:`Category` …);
- :mod:`~planvalidator.program.load` — :func:`load_program`.
"""

from planvalidator.program.load import load_program
from planvalidator.program.model import (ApplicationWindow, AttachmentBundle, AttachmentKind, AttachmentVocabulary,
                                         Category, ContentRules, Contradiction, DeemedLarge, Document, ItemFit,
                                         Organisation, Program, Region, SmeLimit)
from planvalidator.program.spec import ProgramFileError

__all__ = ["ApplicationWindow", "AttachmentBundle", "AttachmentKind", "AttachmentVocabulary", "Category",
           "ContentRules", "Contradiction", "DeemedLarge", "Document", "ItemFit", "Organisation", "Program",
           "ProgramFileError", "Region", "SmeLimit", "load_program"]
