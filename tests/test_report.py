"""The report: the escaping of what comes from a study file (the verdict rules are in test_claims.py)."""

import pytest

from mc_sparsity._report.text import escape_text


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "# a heading\n## another", "![x](http://evil/x.png)",
                                  "a | b", "[link](javascript:alert(1))"])
def test_study_names_are_escaped(text):
    escaped = escape_text(text)
    assert "\n" not in escaped and "<" not in escaped and "](" not in escaped
    for char in "#|[]()!":
        assert char not in escaped.replace("\\" + char, "")
