"""Text -> tokens: numbers, words (runs of letters with digits and subscripts), operators and
LaTeX commands. Brackets are matched here, so unbalanced or too deeply nested input is refused
before any parsing. Words are not split here: that needs the whole input (see ``names``).
"""

from __future__ import annotations

import re

import sympy

from nablab.errors import LimitError, ParseError
from nablab.expression import ParseWarning
from nablab.parse import limits
from nablab.parse.tokens import BASE_GROUP, CLOSERS, CMD, CONST, END, NUM, OP, OPENERS, WORD, Token
from nablab.parse.vocabulary import (
    GREEK,
    GREEK_VARIANTS,
    LATEX_FUNCTIONS,
    LATEX_IGNORED,
    LATEX_LOG_SHORTHANDS,
    LATEX_OPERATORS,
    LATEX_STRUCTURES,
    function_spec,
)

_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?|\.(\d+)")
_EXPONENT = re.compile(r"[eE]([+-]?\d+)")
_LETTERS = re.compile(r"[A-Za-z]+")
_DIGITS = re.compile(r"\d+")
_SUB_PART = re.compile(r"\d+|[A-Za-z]+")
_OPS = frozenset("+-*/^(),=[]{}|_")
#: the common tokens in one match (anything else goes the slow way, char by char): spaces,
#: whole numbers not followed by a decimal point or an exponent, words, operators
_SCAN = re.compile(
    r"( +)|(\d+)(?![.\deE])"
    rf"|([A-Za-z]{{1,{limits.MAX_NAME_LENGTH}}})(\d{{0,{limits.MAX_DIGITS}}})(?![A-Za-z\d_])"
    r"|(\*\*|[-+*/^(),=\[\]{}|])")
_SPACE, _INT, _WORD, _OP = 1, 2, 4, 5  # lastindex of each kind (a word ends with its digits)
_GREEK = frozenset(GREEK)

_HINTS = {
    "!": "factorials are not supported",
    ";": "enter a single expression, without ';'",
    ".": "write decimals with a digit after the point, like 2.5; '.' has no other meaning",
    "'": "quotes are not part of the syntax; nablab grad computes derivatives for you",
    '"': "quotes are not part of the syntax",
    ":": "enter only the function, e.g. x^2 + y",
    "<": "inequalities are not functions; enter only the function",
    ">": "inequalities are not functions; enter only the function",
    "&": "LaTeX alignment '&' is not supported; paste a single formula",
    "%": "percent signs are not supported; write /100",
}


class Lexer:
    """One pass over normalised text; ``cols`` maps text positions to source columns."""

    def __init__(self, text: str, cols: list[int] | None, source: str, latex: bool) -> None:
        self.s = text
        self.cols = cols
        self.source = source
        self.latex = latex
        self.tokens: list[Token] = []
        self.warnings: list[ParseWarning] = []

    # positions ----------------------------------------------------------------------------
    def col(self, i: int) -> int:
        if self.cols is None:
            return i + 1
        if i >= len(self.cols):
            return (self.cols[-1] + 1) if self.cols else 1
        return self.cols[i]

    def end_col(self, j: int) -> int:
        """Source column just after text position j-1 (for slicing the source)."""
        return self.col(j - 1) + 1 if j > 0 else 1

    def error(self, message: str, i: int, hint: str | None = None,
              cls: type[ParseError] = ParseError) -> ParseError:
        return cls(message, column=self.col(i), hint=hint, source=self.source)

    # main loop ------------------------------------------------------------------------------
    def run(self) -> list[Token]:
        s, n = self.s, len(self.s)
        i = 0
        space = False
        stack: list[tuple[str, int]] = []
        toks = self.tokens
        cols = self.cols
        scan = _SCAN.match
        max_tokens = limits.MAX_TOKENS
        identity = cols is None
        while i < n:
            m = scan(s, i)
            kind = m.lastindex if m is not None else None
            if kind == _SPACE:
                space = True
                i = m.end()
                continue
            start = len(toks)
            if kind == _WORD and identity:
                j = m.end()
                tok = Token(WORD, m.group(3), i + 1, j + 1, i, space)
                tok.digits = m.group(4)
                toks.append(tok)
                i = j
            elif kind == _INT:
                j = m.end()
                if j - i > limits.MAX_DIGITS:
                    i = self._number(i, space)
                else:
                    text = m.group()
                    tok = Token(NUM, text, i + 1 if identity else self.col(i),
                                j + 1 if identity else self.end_col(j), i, space)
                    tok.value = sympy.Integer(int(text))
                    toks.append(tok)
                    i = j
            elif kind == _OP:
                ch = m.group()
                j = m.end()
                if ch == "**":
                    ch = "^"
                elif ch in "([{)]}":
                    self._bracket(ch, i, stack)
                toks.append(Token(OP, ch, i + 1 if identity else self.col(i),
                                  j + 1 if identity else self.end_col(j), i, space))
                i = j
            elif kind == _WORD:
                i = self._word(i, space)
            else:
                ch = s[i]
                if ch == "$" and self.latex:
                    space = True
                    i += 1
                    continue
                if ch.isdigit() or (ch == "." and i + 1 < n and s[i + 1].isdigit()):
                    i = self._number(i, space)
                elif ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
                    i = self._word(i, space)
                elif ch == "\\":
                    i = self._command(i, space, stack)
                elif ch == "_" and not self.latex:
                    raise self.error("unexpected '_'", i,
                                     "'_' writes a subscript right after a name: x_1, x_n, w_{12}")
                elif ch in _OPS:
                    self._bracket(ch, i, stack)
                    toks.append(Token(OP, ch, self.col(i), self.end_col(i + 1), i, space))
                    i += 1
                else:
                    raise self.error(f"unexpected character '{ch}'", i,
                                     _HINTS.get(ch, "use + - * / ^ ( ) , | and names, numbers"))
            if len(toks) > start:
                space = False
                if len(toks) > max_tokens:
                    raise self.error(f"the input has more than {limits.MAX_TOKENS} tokens", i,
                                     "split the work into smaller functions", LimitError)
        if stack:
            opener, at = stack[-1]
            raise self.error(f"unbalanced '{opener}' opened at column {self.col(at)}", at,
                             f"add the closing '{OPENERS[opener]}'")
        toks.append(Token(END, "", self.col(n) if n else 1, self.col(n) if n else 1, n, space))
        return toks

    def _bracket(self, ch: str, i: int, stack: list[tuple[str, int]]) -> None:
        if ch in OPENERS:
            stack.append((ch, i))
            if len(stack) > limits.MAX_DEPTH:
                raise self.error(f"brackets nested more than {limits.MAX_DEPTH} deep", i,
                                 "simplify the expression", LimitError)
        elif ch in CLOSERS:
            if not stack:
                raise self.error(f"unbalanced '{ch}': nothing opened before it", i,
                                 f"remove it or add '{CLOSERS[ch]}' earlier")
            opener, at = stack.pop()
            if OPENERS[opener] != ch:
                raise self.error(
                    f"'{opener}' opened at column {self.col(at)} is closed by '{ch}'", i,
                    f"close it with '{OPENERS[opener]}'")

    # numbers ----------------------------------------------------------------------------------
    def _number(self, i: int, space: bool) -> int:
        s = self.s
        m = _NUMBER.match(s, i)
        assert m is not None
        whole, frac = (m.group(1) or ""), (m.group(2) or m.group(3) or "")
        if len(whole) + len(frac) > limits.MAX_DIGITS:
            raise self.error(f"a number with more than {limits.MAX_DIGITS} digits", i,
                             "this number is too long to work with", LimitError)
        j = m.end()
        exp_text = ""
        e = _EXPONENT.match(s, j)
        if e is not None:
            exp_text = e.group(1)
            if len(exp_text.lstrip("+-")) > 6 or abs(int(exp_text)) > limits.MAX_SCI_EXPONENT:
                raise self.error(
                    f"the exponent in '{s[i:e.end()][:40]}' is too large", i,
                    f"scientific notation is limited to e±{limits.MAX_SCI_EXPONENT}", LimitError)
            j = e.end()
        tok = Token(NUM, s[i:j], self.col(i), self.end_col(j), i, space)
        if not frac and m.group(3) is None and e is None:
            tok.value = sympy.Integer(int(whole))
        else:
            digits = (whole + frac).lstrip("0")
            if digits:
                lead = len(whole.lstrip("0")) - 1 if whole.lstrip("0") else \
                    -(len(frac) - len(frac.lstrip("0")) + 1)
                magnitude = lead + (int(exp_text) if exp_text else 0)
                if abs(magnitude) > limits.MAX_SCI_EXPONENT:
                    raise self.error(f"the number '{s[i:j][:40]}' is out of range", i,
                                     "decimals must lie between 1e-300 and 1e300", LimitError)
                if len(digits.rstrip("0")) > limits.FLOAT_DIGITS:
                    self.warnings.append(ParseWarning(
                        f"'{s[i:j][:40]}' is rounded to double precision "
                        f"(about {limits.FLOAT_DIGITS} significant digits)",
                        self.col(i)))
            tok.value = sympy.Float(s[i:j], limits.FLOAT_DIGITS)
        self.tokens.append(tok)
        return j

    # words ------------------------------------------------------------------------------------
    def _word(self, i: int, space: bool, m: re.Match | None = None) -> int:
        if m is None:
            m = _LETTERS.match(self.s, i)
            assert m is not None
        if m.end() - i > limits.MAX_NAME_LENGTH:
            raise self.error(f"a name longer than {limits.MAX_NAME_LENGTH} letters", i,
                             "use shorter names", LimitError)
        j = m.end()
        if self.cols is None:
            tok = Token(WORD, m.group(), i + 1, j + 1, i, space)
            if j < len(self.s) and (self.s[j] == "_" or self.s[j].isdigit()):
                j = self._tail(tok, j)
                tok.end = j + 1
        else:
            tok = Token(WORD, m.group(), self.col(i), 0, i, space)
            if j < len(self.s) and (self.s[j] == "_" or self.s[j].isdigit()):
                j = self._tail(tok, j)
            tok.end = self.end_col(j)
        self.tokens.append(tok)
        return j

    def _tail(self, tok: Token, j: int) -> int:
        """Digits and a subscript after a word: ``x1``, ``x_1``, ``x_{1,n}``, ``log_b``."""
        s = self.s
        d = _DIGITS.match(s, j)
        if d is not None:
            if d.end() - j > limits.MAX_DIGITS:
                raise self.error("a subscript number is too long", j, None, LimitError)
            tok.digits = d.group()
            j = d.end()
        if j < len(s) and s[j] == "_":
            k = j + 1
            if k < len(s) and s[k] == "{":
                close = s.find("}", k)
                parts = tuple(p.strip() for p in s[k + 1:close].split(",")) if close >= 0 \
                    else ()
                simple = close >= 0 and all(_SUB_PART.fullmatch(p) for p in parts)
                if tok.text == "log" and not tok.digits and not simple:
                    tok.base = BASE_GROUP  # log_{x+1}: the grammar reads the {…} group
                    return k
                if close < 0:
                    raise self.error("unbalanced '{' opened here", k, "add the closing '}'")
                if not simple:
                    raise self.error(f"unsupported subscript '_{{{s[k + 1:close]}}}'", k,
                                     "subscripts are numbers or letters: x_1, x_n, x_{1,n}")
                tok.sub = parts
                return close + 1
            if self.latex:
                if k < len(s) and s[k].isalnum():
                    tok.sub = (s[k],)
                    return k + 1
            else:
                p = _SUB_PART.match(s, k)
                if p is not None:
                    if p.end() - k > limits.MAX_NAME_LENGTH:
                        raise self.error("a subscript is too long", k, None, LimitError)
                    tok.sub = (p.group(),)
                    return p.end()
            raise self.error("a subscript must follow '_'", j,
                             "write x_1, x_n or x_{1,n}")
        return j

    # LaTeX --------------------------------------------------------------------------------------
    def _command(self, i: int, space: bool, stack: list[tuple[str, int]]) -> int:
        s = self.s
        if not self.latex:
            raise self.error("a LaTeX command in typed input", i,
                             "leave LaTeX detection automatic, or pass latex=True / --latex")
        m = _LETTERS.match(s, i + 1)
        if m is not None:
            name, j = m.group(), m.end()
        elif i + 1 < len(s):
            name, j = s[i + 1], i + 2
        else:
            raise self.error("a lone '\\' at the end", i, "remove it")
        toks = self.tokens
        if name in LATEX_IGNORED:
            return j
        if name in ("{", "}"):
            ch = "(" if name == "{" else ")"
            self._bracket(ch, i, stack)
            toks.append(Token(OP, ch, self.col(i), self.end_col(j), i, space))
            return j
        if name in LATEX_OPERATORS:
            toks.append(Token(OP, LATEX_OPERATORS[name], self.col(i), self.end_col(j), i, space))
            return j
        if name in LATEX_STRUCTURES:
            toks.append(Token(CMD, LATEX_STRUCTURES[name], self.col(i), self.end_col(j), i, space))
            return j
        if name in ("left", "right"):
            return self._delimiter(name, i, j, space, stack)
        if name in ("operatorname", "mathrm", "text", "textrm", "mathit"):
            return self._named(name, i, j, space)
        if name in LATEX_LOG_SHORTHANDS:
            return self._log_shorthand(name, i, j, space)
        canonical = GREEK_VARIANTS.get(name, name)
        if name in LATEX_FUNCTIONS or canonical in _GREEK:
            tok = Token(WORD, canonical, self.col(i), 0, i, space)
            tok.atomic = True
            j = self._tail(tok, j)
            tok.end = self.end_col(j)
            toks.append(tok)
            return j
        raise self.error(f"unknown LaTeX command '\\{name}'", i,
                         "supported: \\frac \\sqrt \\sum \\cdot \\times \\left \\right, "
                         "\\sin … \\ln \\log \\exp, Greek letters, \\operatorname{…}, \\mathrm{e}")

    def _delimiter(self, which: str, i: int, j: int, space: bool,
                   stack: list[tuple[str, int]]) -> int:
        s = self.s
        while j < len(s) and s[j] == " ":
            j += 1
        if j < len(s) and s[j] == ".":
            return j + 1  # the empty delimiter of \left. … \right|
        if j < len(s) and s[j] in "()[]|":
            ch, k = s[j], j + 1
        elif j < len(s) and s[j] == "\\":
            m = _LETTERS.match(s, j + 1)
            name = m.group() if m else s[j + 1:j + 2]
            k = (m.end() if m else j + 2)
            if name in ("lvert", "rvert", "vert", "|"):
                ch = "|"
            elif name in ("{", "}"):
                ch = "(" if name == "{" else ")"
            else:
                raise self.error(f"unsupported delimiter after '\\{which}'", j,
                                 "use \\left( \\right) or \\left| \\right|")
        else:
            raise self.error(f"'\\{which}' must be followed by a delimiter", j,
                             "use \\left( \\right) or \\left| \\right|")
        self._bracket(ch, i, stack)
        self.tokens.append(Token(OP, ch, self.col(i), self.end_col(k), i, space))
        return k

    def _named(self, cmd: str, i: int, j: int, space: bool) -> int:
        s = self.s
        while j < len(s) and s[j] == " ":
            j += 1
        close = s.find("}", j)
        if j >= len(s) or s[j] != "{" or close < 0:
            raise self.error(f"'\\{cmd}' needs a name in braces", j,
                             f"write \\{cmd}{{sigmoid}}")
        name = s[j + 1:close].strip()
        if cmd in ("mathrm", "text", "textrm", "mathit") and name == "e":
            tok = Token(CONST, "e", self.col(i), self.end_col(close + 1), i, space)
            tok.value = sympy.E
            self.tokens.append(tok)
            return close + 1
        if name in LATEX_LOG_SHORTHANDS:
            return self._log_shorthand(name, i, close + 1, space)
        if function_spec(name) is not None and name != "sum":
            tok = Token(WORD, name, self.col(i), 0, i, space)
            tok.atomic = True
            k = self._tail(tok, close + 1)
            tok.end = self.end_col(k)
            self.tokens.append(tok)
            return k
        raise self.error(f"unknown function '\\{cmd}{{{name}}}'", i,
                         "known functions: sin cos tan … exp ln log sqrt abs sigmoid softplus relu")


    def _log_shorthand(self, name: str, i: int, j: int, space: bool) -> int:
        """``\\lg`` and ``\\lb``: the word log10 / log2 (never split, no subscript)."""
        if j < len(self.s) and self.s[j] == "_":
            raise self.error(f"\\{name} is the logarithm to base {LATEX_LOG_SHORTHANDS[name]} "
                             "and takes no subscript", j, "for another base write \\log_{b} x")
        tok = Token(WORD, "log", self.col(i), self.end_col(j), i, space)
        tok.digits = LATEX_LOG_SHORTHANDS[name]
        tok.atomic = True
        self.tokens.append(tok)
        return j


def tokenize(text: str, cols: list[int] | None, source: str,
             latex: bool) -> tuple[list[Token], list[ParseWarning]]:
    """Tokens (ending with an END token) and the warnings found while reading numbers."""
    lexer = Lexer(text, cols, source, latex)
    return lexer.run(), lexer.warnings
