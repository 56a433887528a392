import pytest

from core import cells


@pytest.mark.parametrize("text", ["=1+1", "+48 22 000", "-2", "@SUM(A1)", "\t=1", "\r=1", "\n=1"])
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert cells.cell(text) == "'" + text.replace("\r", "\n")


@pytest.mark.parametrize("value", ["Anna Nowak", "a=b", "", 12, -3, 2.5, None])
def test_plain_text_and_numbers_are_left_alone(value):
    assert cells.cell(value) == value


def test_characters_xml_cannot_carry_become_a_replacement_mark():
    assert cells.cell("A\x01B\x1fC") == "A\ufffdB\ufffdC"
