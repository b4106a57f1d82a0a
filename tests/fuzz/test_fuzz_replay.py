"""The ordinary suite's share of the fuzzing: every input the coverage-guided fuzzer kept
(tests/data/fuzz_corpus/) is parsed again under the same property, read the way the fuzz target
reads it and in each LaTeX mode, and a small hypothesis run of the ``./dev fuzz`` strategies."""

from __future__ import annotations

import fuzz_property
import pytest
from fuzz_grammar import inputs
from fuzz_property import PropertyViolation, Tally, check, check_bytes, corpus_files
from hypothesis import HealthCheck, given, settings

from nablab.errors import ParseError

CORPUS_FILES = corpus_files()


def test_the_corpus_is_there_small_and_deduplicated() -> None:
    assert len(CORPUS_FILES) >= 100
    assert all(len(data) <= 256 for _, data in CORPUS_FILES)
    assert len({data for _, data in CORPUS_FILES}) == len(CORPUS_FILES)


def test_every_corpus_file_keeps_the_property() -> None:
    tally = Tally()
    for _name, data in CORPUS_FILES:
        check_bytes(data)  # as the fuzzer ran it
        for mode in (None, True, False):
            check(data[1:].decode("utf-8", errors="replace"), latex=mode, tally=tally)
    assert tally.tried == 3 * len(CORPUS_FILES)
    assert tally.parsed > 0 and sum(tally.refused.values()) > 0  # both paths are replayed


def test_the_findings_are_in_the_corpus() -> None:
    """The two inputs atheris found (0^-m and m/0^z gave zoo^m) and the deep chain hypothesis
    found (a cosh tower: SymPy's evalf overflowed, a traceback instead of an error; 1 over a
    relu that SymPy knows is 0: zoo) stay replayed. (The nested sech that took a minute to build is tests/calculus/test_deadline.py's:
    replayed here it would spend the limit four times.)"""
    texts = {data[1:] for _, data in CORPUS_FILES}
    assert {b"+m-0**-m", b"+m/0**ze**-zz", b"sec(2cosh(sinh(2cosh(2cosh(2sec(2))))))",
            b"Max(1/relu-(Abs(A)))"} <= texts


def test_the_property_catches_a_column_outside_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def bad_parse(text: str, latex: bool | None = None) -> None:
        raise ParseError("broken", column=len(text) + 5, source=text)

    monkeypatch.setattr(fuzz_property, "parse", bad_parse)
    with pytest.raises(PropertyViolation, match="outside"):
        check("x +")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(inputs)
def test_generated_inputs_keep_the_property(text: str) -> None:
    check(text)
    check(text, latex=True)
