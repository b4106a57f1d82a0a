"""The catalogue covers every rule, and every rule states itself in one line of math."""

from __future__ import annotations

from nablab.steps.rules import RULES
from nablab.steps.wording import CATALOGUE, wording


def test_every_rule_has_a_catalogue_entry_and_no_entry_is_orphaned():
    assert set(RULES) == set(CATALOGUE)


def test_entries_are_complete():
    for name, entry in CATALOGUE.items():
        assert entry.title and entry.explanation.endswith("."), name
        assert entry.formula.strip(), name
        assert entry.formula.count("{") == entry.formula.count("}"), name
        assert wording(name) is entry


def test_every_rule_docstring_is_one_line_of_math():
    for name, cls in RULES.items():
        doc = (cls.__doc__ or "").strip()
        assert doc, name
        assert "=" in doc.splitlines()[0] or name in {"partial", "evaluate"}, name
