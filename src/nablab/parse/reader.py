"""``parse(text)``: the whole reading, from raw text to an :class:`Expression`.

normalise Unicode -> lex -> strip ``f(x, y) =`` -> split words into names -> parse -> decide
variables and parameters. Nothing here evaluates text; every limit is checked on the way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sympy

from nablab import collector
from nablab.errors import LimitError, ParseError
from nablab.expression import Expression, ParseWarning
from nablab.parse import limits
from nablab.parse.grammar import Parser
from nablab.parse.latex import looks_like_latex
from nablab.parse.lexer import Lexer
from nablab.parse.names import canonical, natural_key, split_letters
from nablab.parse.nodes import leaf, native_of, sympy_of
from nablab.parse.tokens import BASE_GROUP, CONST, FUNC, NUM, OP, SYM, WORD, Token
from nablab.parse.unicode import normalize
from nablab.parse.vocabulary import CONSTANTS, GREEK, LOG_SHORTHANDS, function_spec

_GREEK = frozenset(GREEK)
_SPLIT_NAMES = re.compile(r"[,\s]+")


def parse(text: str, variables: str | Sequence[str] | None = None,
          latex: bool | None = None) -> Expression:
    """Read ``text`` (typed math or LaTeX) into an :class:`Expression`.

    ``variables`` (``"x,y"`` or ``["x", "y"]``) fixes the variables and their order; other
    symbols become parameters. Without it the variables are all symbols in natural order
    (sum limits like N are parameters). ``latex``: None detects LaTeX, True/False forces it.
    Raises :class:`ParseError` (or :class:`LimitError`) with a column and a hint.
    """
    with collector.paused():  # many small acyclic objects (nablab.collector)
        return _parse(text, variables, latex)


def _parse(text: str, variables: str | Sequence[str] | None, latex: bool | None) -> Expression:
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}")
    if len(text) > limits.MAX_INPUT_CHARS:
        raise LimitError(f"the input is longer than {limits.MAX_INPUT_CHARS} characters",
                         hint="split the work into smaller functions")
    norm, cols = normalize(text)
    if not norm.strip():
        raise ParseError("the input is empty", column=1, source=text,
                         hint="enter a function, for example x^2 y + sin(xy)")
    is_latex = looks_like_latex(norm) if latex is None else bool(latex)
    lexer = Lexer(norm, cols, text, is_latex)
    tokens = lexer.run()
    warnings = lexer.warnings
    declared_list = declared_names(variables)
    tokens, defined = _strip_definition(tokens, text)
    if declared_list is None and defined:
        declared_list = defined
    declared = frozenset(declared_list or ())
    tokens = resolve_words(tokens, declared, is_latex, warnings, text, lexer.col)
    parser = Parser(tokens, text, declared, warnings)
    root = parser.parse()
    if root.sp is not None:  # built in SymPy already (numbers, sums over data)
        free_syms = [s for s in root.sp.free_symbols if isinstance(s, sympy.Symbol)]
    else:
        free_syms = [sympy.Symbol(s.name) for s in root.se.free_symbols]
    free = sorted(free_syms, key=lambda s: natural_key(s.name))
    if declared_list:
        var_syms = tuple(sympy.Symbol(n) for n in declared_list)
        chosen = set(var_syms)
        params = tuple(s for s in free if s not in chosen)
    else:
        var_syms = tuple(s for s in free if s not in parser.limit_symbols)
        params = tuple(s for s in free if s in parser.limit_symbols)
    if root.sp is not None:
        return Expression(text, root.sp, var_syms, params, tuple(warnings), is_latex,
                          native=native_of(root))
    return Expression(text, None, var_syms, params, tuple(warnings), is_latex,
                      native=root.se, build=lambda: sympy_of(root, text))


def declared_names(variables: str | Sequence[str] | None) -> list[str] | None:
    """Canonical names of declared variables (``θ_0`` -> theta0), validated; None if none."""
    if variables is None:
        return None
    if isinstance(variables, str):
        raw = [v for v in _SPLIT_NAMES.split(variables.strip()) if v]
    else:
        raw = [str(v).strip() for v in variables]
    if not raw:
        return None
    names: list[str] = []
    for item in raw:
        name = _one_name(item)
        if name in names:
            raise ParseError(f"variable '{item}' is declared twice",
                             hint="list each variable once")
        names.append(name)
    return names


def canonical_name(item: str) -> str:
    """The symbol name the parser reads ``item`` as (``x_1`` and ``x_{1}`` -> x1, ``θ₀`` ->
    theta0), so a point or a start point may spell a name as the function does; ``item``
    itself when it is not a valid name (the caller then says it is not in the function)."""
    text = str(item).strip()
    try:
        return _one_name(text)
    except ParseError:
        return text


def _one_name(item: str) -> str:
    bad = ParseError(f"'{item}' is not a valid variable name",
                     hint="names are letters, optionally with digits or a subscript: x, x1, "
                          "theta_0, w_{12}")
    if not item or len(item) > limits.MAX_NAME_LENGTH + 10:
        raise bad
    try:
        norm, cols = normalize(item)
        toks = Lexer(norm, cols, item, looks_like_latex(norm)).run()
    except ParseError:
        raise bad from None
    if len(toks) != 2 or toks[0].kind != WORD:
        raise bad
    t = toks[0]
    name = canonical(t.text, t.digits, t.sub)
    if function_spec(t.text + t.digits) is not None and not t.sub:
        raise ParseError(f"'{item}' is a function name, not a variable",
                         hint="choose another name")
    return name


def _strip_definition(tokens: list[Token], source: str) -> tuple[list[Token], list[str] | None]:
    """``f(x, y) = rhs`` -> rhs and [x, y]; ``z = rhs`` -> rhs; other equations refused."""
    if "=" not in source:
        return tokens, None  # no '=' typed: the only way to get an '=' token
    depth = 0
    equals: list[int] = []
    for k, t in enumerate(tokens):
        if t.kind == OP:
            if t.text in "([{":
                depth += 1
            elif t.text in ")]}":
                depth -= 1
            elif t.text == "=" and depth == 0:
                equals.append(k)
    if not equals:
        return tokens, None
    refuse = ("equations are not accepted: enter only the function",
              "write the right-hand side, or f(x, y) = … to name the variables")
    if len(equals) > 1:
        t = tokens[equals[1]]
        raise ParseError(refuse[0], column=t.col, hint=refuse[1], source=source)
    k = equals[0]
    left, right = tokens[:k], tokens[k + 1:]
    eq = tokens[k]
    if len(right) == 1:
        raise ParseError("nothing after '='", column=eq.col, hint="write the function after '='",
                         source=source)
    ok = bool(left) and left[0].kind == WORD
    names: list[str] = []
    if ok and len(left) > 1:
        ok = (len(left) >= 4 and left[1].is_op("(") and left[-1].is_op(")")
              and all(t.kind == WORD if j % 2 == 0 else t.is_op(",")
                      for j, t in enumerate(left[2:-1])))
        names = [canonical(t.text, t.digits, t.sub) for t in left[2:-1:2]]
        if ok and len(set(names)) != len(names):
            raise ParseError("a variable is named twice on the left of '='", column=left[0].col,
                             source=source)
    if not ok:
        raise ParseError(refuse[0], column=eq.col, hint=refuse[1], source=source)
    return right, (names or None)


def _piece(kind: str, text: str, col: int, end: int, space: bool) -> Token:
    return Token(kind, text, col, end, 0, space)


def resolve_words(tokens: list[Token], declared: frozenset[str], latex: bool,
                  warnings: list[ParseWarning], source: str,
                  col_at: Callable[[int], int]) -> list[Token]:
    """Replace each word by its pieces: symbols, functions and constants (see ``names``)."""
    standalone = frozenset(
        [t.text for t in tokens
         if t.kind == WORD and not t.atomic and len(t.text) == 1 and not t.digits and not t.sub]
        + [d for d in declared if len(d) == 1])
    out: list[Token] = []
    word_id = 0
    for k, t in enumerate(tokens):
        if t.kind != WORD:
            out.append(t)
            continue
        word_id += 1
        full = canonical(t.text, t.digits, t.sub)
        if full in declared:
            p = _piece(SYM, full, t.col, t.end, t.space)
            p.word = word_id
            out.append(p)
            continue
        if not t.sub and t.digits and function_spec(t.text + t.digits) is not None:
            p = _piece(FUNC, t.text + t.digits, t.col, t.end, t.space)
            p.word = word_id
            out.append(p)
            continue
        if len(t.text) == 1 and not t.sub and not t.atomic:  # x, x1, e: the common case
            name = t.text
            if t.digits or name not in CONSTANTS or name in declared:
                p = _piece(SYM, name + t.digits, t.col, t.end, t.space)
            else:
                p = _piece(CONST, name, t.col, t.end, t.space)
                p.value = CONSTANTS[name]
            p.word = word_id
            out.append(p)
            continue
        if t.atomic:
            pieces, guess = [t.text], False
        else:
            nxt = tokens[k + 1]
            call = nxt.is_op("(") and not nxt.space and not t.digits and not t.sub
            pieces, guess = split_letters(t.text, declared, standalone, latex, call)
            if call and pieces == [t.text] and t.text in LOG_SHORTHANDS:
                # lg(x): refused as an unknown function until the shorthands were read (a
                # product l·g(x), where l and g stand alone elsewhere, is kept as it was)
                p = _piece(FUNC, "log" + LOG_SHORTHANDS[t.text], t.col, t.end, t.space)
                p.word = word_id
                out.append(p)
                continue
        offset = 0
        last = len(pieces) - 1
        made: list[Token] = []
        for idx, name in enumerate(pieces):
            col = t.col if t.atomic else col_at(t.pos + offset)
            end = t.end if idx == last else col_at(t.pos + offset + len(name))
            offset += len(name)
            tail = idx == last and bool(t.digits or t.sub)
            made.extend(_resolve_piece(name, t, col, end, tail, declared, source, col_at))
        if t.base is BASE_GROUP and made and made[-1].kind == FUNC and made[-1].text == "log":
            made[-1].base = BASE_GROUP
        for idx, p in enumerate(made):
            p.word = word_id
            p.glued = idx > 0
            p.space = t.space if idx == 0 else False
        out.extend(made)
        if guess:
            typed = source[t.col - 1:t.end - 1]
            if len(pieces) > 1:
                shown = "·".join(p.text for p in made if p.kind != NUM)
                log = (f" (for the logarithm to base {LOG_SHORTHANDS[t.text]} write "
                       f"{t.text}(…))" if t.text in LOG_SHORTHANDS else "")
                warnings.append(ParseWarning(
                    f"read '{typed}' as {shown}; declare the variables or write * to change "
                    f"this{log}", t.col))
            else:
                warnings.append(ParseWarning(
                    f"read '{typed}' as one name; write {'*'.join(t.text)} for a product",
                    t.col))
    return out


def _resolve_piece(name: str, t: Token, col: int, end: int, tail: bool,
                   declared: frozenset[str], source: str,
                   col_at: Callable[[int], int]) -> list[Token]:
    if name in declared and not tail:
        return [_piece(SYM, name, col, end, False)]
    spec = function_spec(name) if name not in declared else None
    if spec is not None:
        p = _piece(FUNC, name, col, end, False)
        if not tail:
            return [p]
        if name == "log" and t.sub and not t.digits:
            if len(t.sub) != 1:
                raise ParseError("log_b takes one base", column=col, source=source)
            part = t.sub[0]
            if part.isdigit():
                p.base = leaf(sympy.Integer(int(part)))
            elif part in CONSTANTS and part not in declared:
                p.base = leaf(CONSTANTS[part])
            else:
                p.base = leaf(sympy.Symbol(part))
            return [p]
        if t.digits and not t.sub:
            pos = t.pos + len(t.text)
            num = _piece(NUM, t.digits, t.col if t.atomic else col_at(pos), t.end, False)
            num.value = sympy.Integer(int(t.digits))
            return [p, num]
        raise ParseError(f"the function {name} cannot take a subscript", column=col,
                         source=source, hint="only log takes a base: log_2(x)")
    if name in CONSTANTS and name not in declared and not tail:
        p = _piece(CONST, name, col, end, False)
        p.value = CONSTANTS[name]
        return [p]
    sym = canonical(name, t.digits, t.sub) if tail else name
    p = _piece(SYM, sym, col, end, False)
    p.atomic = len(name) > 1 and name not in _GREEK and name not in declared
    return [p]
