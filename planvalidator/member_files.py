"""Which of a group's statements are a member's (公募要領 6.(3) ②「代表申請者を含む構成員全ての決算書又は
確定申告書等」): a member is looked for by its name, its legal form left out, in each file's name and text.

- NAMED: a file has the whole name.
- PARTIAL: none has it, but one has a good part of it (「白山精機」 for 「白山精機製作所」, a name written
  with another kanji): perhaps the member's, perhaps another company's — uncertain.
- UNATTRIBUTED: none has any of it, but some statements name no member at all (a scan named
  「決算書R5.pdf」, a PDF without the company's name): whose they are cannot be told — uncertain.
- NONE: no statements of the member, and every statement is someone else's.
"""

from __future__ import annotations

from planvalidator.attachments import member_key
from planvalidator.structs import Frozen

NAMED, PARTIAL, UNATTRIBUTED, NONE = "named", "partial", "unattributed", "none"

PART_SHARE = (2, 3)          # a part of a name counts when it is at least this share of it …
PART_MIN = 3                 # … and at least this many characters (「石川」 of an address is not a name)


class MemberMatch(Frozen):
    """How far the attached files name a member (NAMED / PARTIAL / UNATTRIBUTED / NONE)."""
    level: str                           # NAMED / PARTIAL / UNATTRIBUTED / NONE
    files: tuple = ()                    # the files that name it (NAMED), part of it (PARTIAL), nobody (UNATTRIBUTED)
    part: str = ""                       # PARTIAL: the part of the name found


def match(name: str, files, members=()) -> MemberMatch:
    """How the statements ``files`` (planvalidator.attachments.Attachment) stand for one member;
    ``members``: every member's name, to tell the files that name nobody."""
    named = tuple(a for a in files if a.mentions(name))
    if named:
        return MemberMatch(NAMED, named)
    parts = [(a, part) for a in files if (part := longest_part(name, a))]
    if parts:
        best = max(len(part) for _, part in parts)
        return MemberMatch(PARTIAL, tuple(a for a, part in parts if len(part) == best),
                           next(part for _, part in parts if len(part) == best))
    nobodys = tuple(a for a in files if not any(a.mentions(m) or longest_part(m, a) for m in members))
    if nobodys:
        return MemberMatch(UNATTRIBUTED, nobodys)
    return MemberMatch(NONE)


def longest_part(name: str, attachment) -> str:
    """The longest part of a name (legal form left out) that the file's name or text has, when it is long
    enough to stand for the name (:data:`PART_SHARE`, :data:`PART_MIN`); "" when none is."""
    key = member_key(name)
    shortest = max(PART_MIN, -(-len(key) * PART_SHARE[0] // PART_SHARE[1]))
    haystack = member_key(attachment.name) + "\n" + attachment.text
    for size in range(len(key) - 1, shortest - 1, -1):
        for start in range(len(key) - size + 1):
            if key[start:start + size] in haystack:
                return key[start:start + size]
    return ""
