import pytest
from django.core.exceptions import ValidationError

from core.text import multiline, single_line


@pytest.mark.parametrize("text", ["A\x00B", "A\x01B", "tab\there", "line\nbreak", "\x1b[31m"])
def test_a_name_refuses_every_c0_control_character(text):
    with pytest.raises(ValidationError, match="U\\+00"):
        single_line(text)


def test_a_long_text_keeps_tabs_and_line_breaks_but_not_other_controls():
    multiline("first line\r\n\tsecond line")

    with pytest.raises(ValidationError, match="U\\+0007"):
        multiline("bell\x07")
