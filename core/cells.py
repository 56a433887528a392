"""The one way a value goes into an exported CSV or XLSX cell.

Text in exports was typed by people (a commander's name, a role, a note). A spreadsheet runs a
cell that starts with = + - @ (or a tab or carriage return before them) as a formula, so such
text gets a leading apostrophe and stays text (OWASP "CSV injection"). openpyxl refuses control
characters that XML 1.0 cannot carry; the API refuses them on input now (core.text), but rows
written before that may still hold some, so they become U+FFFD instead of a 500. Line breaks are
written as a line feed: XML reads a raw carriage return back as one, so CRLF would not survive XLSX."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value):
    """`value` as it may be written to a CSV or XLSX cell: numbers and dates unchanged, text inert."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def row(values) -> list:
    return [cell(value) for value in values]
