"""Free text typed by people: no C0 control characters (U+0000–U+001F).

They are invisible, break exports (XML 1.0 cannot carry them, so openpyxl refuses the whole
workbook) and are never typed by a person. Long texts keep what a text area sends: tab, line
feed and carriage return. One validator for model fields (so ModelForms, ModelSerializers, the
admin and imports get it), the same for plain form and serializer fields."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_SHORT = re.compile(r"[\x00-\x1f]")
_LONG = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@deconstructible
class NoControlCharacters:
    """Refuses C0 control characters; `multiline` allows tab, line feed and carriage return."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value):
        if not isinstance(value, str):
            return
        found = (_LONG if self.multiline else _SHORT).search(value)
        if found:
            raise ValidationError(
                _("Remove the control character U+%(code)s: only printable text is accepted here."),
                code="control_character",
                params={"code": f"{ord(found.group()):04X}"},
            )

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


single_line = NoControlCharacters()
multiline = NoControlCharacters(multiline=True)
