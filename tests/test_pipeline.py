"""The syntax check of generated Python, which compiles it one class at a time."""

from __future__ import annotations

import pytest
from promspec.pipeline import compile_in_parts

MODULE = '''"""A module."""


class First:
    value = 1


class Second:
    value = 2
'''


def test_compile_in_parts_accepts_valid_module() -> None:
    compile_in_parts(MODULE, "module.py")


def test_compile_in_parts_reports_line_of_whole_source() -> None:
    broken = MODULE.replace("value = 2", "value = (2")

    with pytest.raises(SyntaxError) as raised:
        compile_in_parts(broken, "module.py")

    assert raised.value.filename == "module.py"
    assert raised.value.lineno == 9


def test_compile_in_parts_split_inside_docstring() -> None:
    # The module docstring contains the text that separates classes, so the
    # first part ends inside a string; the whole source is valid all the same.
    source = '"""Text.\n\n\nclass in a docstring\n"""\n' + MODULE

    compile_in_parts(source, "module.py")
