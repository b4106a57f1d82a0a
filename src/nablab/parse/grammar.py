"""The typed-and-LaTeX grammar: a hand-written recursive-descent parser over resolved tokens.

Precedence, loosest first::

    sum      := product (('+' | '-') product)*                    built flat: 20 000 terms is fine
    product  := unary (('*' | '/') unary | implicit power)*        2x, x y, (x+1)(y-1), 1/2x = x/2
    unary    := ('-' | '+') unary | power                           -x^2 = -(x^2)
    power    := primary ('^' exponent)?                             right-associative: x^y^z
    exponent := ('-' | '+') exponent | power                        2^-x = 2^(-x)
    primary  := number | name | constant | (sum) | |sum| | function | \\frac | \\sqrt | \\sum

A function without parentheses takes the implicit product that follows, up to the next
function or explicit operator: ``sin 2x`` = sin(2x), ``sin x^2`` = sin(x²), ``sin x + y`` =
sin(x) + y, ``cos x sin y`` = cos(x)·sin(y). Every power of numbers is size-checked first.
``\\frac``, ``\\sqrt`` and sums live in ``structures``.
"""

from __future__ import annotations

import sympy
from sympy import S

from nablab.errors import DomainError, LimitError, ParseError
from nablab.expression import ParseWarning
from nablab.parse import limits
from nablab.parse.magnitude import exp_size, number_log10, power_size, too_large
from nablab.parse.structures import StructuresMixin, _zero
from nablab.parse.tokens import CMD, CONST, END, FUNC, NUM, OP, OPENERS, SYM, Token
from nablab.parse.vocabulary import FUNCTIONS, FunctionSpec, function_spec

_BAD = {
    id(S.ComplexInfinity): ("an undefined value (division by zero, log(0), tan(π/2), …)",
                            "a denominator or a logarithm's argument is zero here"),
    id(S.NaN): ("an undefined value (like 0/0)", "check the expression near here"),
    id(S.Infinity): ("an infinite value", "check the expression near here"),
    id(S.NegativeInfinity): ("an infinite value", "check the expression near here"),
}
_TOO_LARGE_HINT = (f"numbers are limited to about 10^{int(limits.MAX_LOG10_MAGNITUDE)}; "
                   f"exponents of a symbol to {limits.MAX_EXPONENT}")
_POWER_FORMS = {"sqrt": S.Half, "cbrt": sympy.Rational(1, 3)}


def absolute_value(u: sympy.Expr) -> sympy.Expr:
    """|u|, canonical: SymPy leaves Abs(-Abs(x)) as Abs(Abs(x)), which does not read back
    equal (sympify makes it Abs(x)); ||u|| is |u|."""
    if isinstance(u, sympy.Abs):  # SymPy's Abs(Abs(z)) writes z in a non-canonical form
        return u
    return _single_abs(sympy.Abs(u))


def _single_abs(v: sympy.Expr, depth: int = 0) -> sympy.Expr:
    # SymPy splits |a·b| into |a|·|b| and may leave the parts unevaluated (|1/y| where reading
    # back gives 1/|y|, ||x|| where it gives |x|): evaluate them again, a few levels deep
    if depth > 4:
        return v
    if isinstance(v, sympy.Abs):
        inner = v.args[0]
        if isinstance(inner, sympy.Abs):
            return _single_abs(inner, depth + 1)
        again = sympy.Abs(inner)
        return v if again == v else _single_abs(again, depth + 1)
    if v.is_Mul or v.is_Pow:
        args = [_single_abs(a, depth + 1) for a in v.args]
        if any(new is not old for new, old in zip(args, v.args, strict=True)):
            return v.func(*args)
    return v


class Parser(StructuresMixin):
    """Parses one token list; collects warnings and the symbols used in sum limits."""

    def __init__(self, tokens: list[Token], source: str, declared: frozenset[str],
                 warnings: list[ParseWarning]) -> None:
        self.toks = tokens
        self.i = 0
        self.source = source
        self.declared = declared
        self.warnings = warnings
        self.depth = 0
        self.abs_depth = 0
        self.limit_symbols: set[sympy.Symbol] = set()
        self.bound_indices: set[sympy.Symbol] = set()
        self._log_warned = False

    # helpers ----------------------------------------------------------------------------------
    def peek(self) -> Token:
        return self.toks[self.i]

    def advance(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, message: str, tok: Token, hint: str | None = None,
              cls: type[ParseError] = ParseError) -> ParseError:
        return cls(message, column=tok.col, hint=hint, source=self.source)

    def warn(self, message: str, tok: Token) -> None:
        self.warnings.append(ParseWarning(message, tok.col))

    def snippet(self, first: Token, last: Token) -> str:
        return self.source[first.col - 1:max(last.end - 1, first.col)].strip()

    def enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > limits.MAX_DEPTH:
            raise self.error(f"the expression is nested more than {limits.MAX_DEPTH} deep", tok,
                             "simplify the expression or split it up", LimitError)

    def leave(self) -> None:
        self.depth -= 1

    def expect(self, text: str, what: str) -> Token:
        t = self.peek()
        if t.kind == OP and t.text == text:
            return self.advance()
        found = "the end of the input" if t.kind == END else f"'{self.describe(t)}'"
        hint = (f"add '{text}' at column {t.col}" if t.kind == END
                else f"insert '{text}' before column {t.col} or fix what comes there")
        raise self.error(f"expected '{text}' {what}, found {found}", t, hint)

    @staticmethod
    def describe(t: Token) -> str:
        return t.text if t.kind != END else "end"

    def check(self, value: sympy.Expr, tok: Token) -> sympy.Expr:
        """Refuse zoo/nan/oo and numbers beyond the limits as soon as they appear."""
        bad = _BAD.get(id(value))
        if bad is not None:
            raise self.error(f"this gives {bad[0]}", tok, bad[1])
        if value.is_Number:
            hi, lo = number_log10(value)
            if too_large(max(hi, -lo if lo != float("-inf") else 0.0)):
                raise self.error("this number is too large", tok, _TOO_LARGE_HINT, LimitError)
            if value.is_Float and abs(hi) > limits.MAX_SCI_EXPONENT and not value.is_zero:
                raise self.error("this decimal is out of the floating-point range", tok,
                                 "decimals must lie between 1e-300 and 1e300", LimitError)
            return value
        if value.is_Atom:
            return value
        for a in value.args:
            bad = _BAD.get(id(a))
            if bad is not None:
                raise self.error(f"this gives {bad[0]}", tok, bad[1])
        return value

    def real(self, value: sympy.Expr, tok: Token) -> sympy.Expr:
        """Refuse i appearing where a root or logarithm of a negative number was evaluated
        (sqrt(-4) = 2i, ln(-2) = ln 2 + iπ): nablab works over the reals."""
        if value.has(S.ImaginaryUnit) or (value.is_number and value.is_extended_real is False):
            raise self.not_real(tok)  # also asin(2), acosh(0): constants with no real value
        return value

    def not_real(self, tok: Token) -> DomainError:
        return DomainError("this is not a real number", column=tok.col, source=self.source,
                           hint="nablab works over the real numbers: an even root or a "
                                "logarithm of a negative number, or asin/acos of a number "
                                "outside [-1, 1], has no real value")

    def starts_operand(self, t: Token) -> bool:
        k = t.kind
        if k in (NUM, SYM, CONST, FUNC, CMD):
            return True
        if k == OP:
            return t.text in OPENERS or (t.text == "|" and self.abs_depth == 0)
        return False

    # levels ------------------------------------------------------------------------------------
    def parse(self) -> sympy.Expr:
        value = self.sum_level()
        t = self.peek()
        if t.kind != END:
            if t.is_op("="):
                raise self.error("equations are not accepted: enter only the function", t,
                                 "write the right-hand side, or f(x, y) = … to name the variables")
            if t.is_op(","):
                raise self.error("unexpected ','", t,
                                 "commas separate arguments inside f(…, …) only")
            if t.is_op("|"):
                raise self.error("unexpected '|'", t, "|…| must enclose an expression")
            if t.is_op(")", "]", "}"):
                raise self.error(f"unexpected '{t.text}'", t)
            raise self.error(f"unexpected '{self.describe(t)}'", t)
        return value

    def sum_level(self) -> sympy.Expr:
        first = self.peek()
        self.enter(first)
        terms = [self.product_level()]
        while True:
            t = self.peek()
            if t.kind != OP:
                break
            if t.text == "+":
                self.advance()
                terms.append(self.product_level())
            elif t.text == "-":
                self.advance()
                terms.append(self.check(-self.product_level(), t))
            else:
                break
        self.leave()
        if len(terms) == 1:
            return terms[0]
        return self.check(sympy.Add(*terms), first)

    def product_level(self) -> sympy.Expr:
        # a leading sign applies to the whole product: -(a)(b) = -((a)(b)), as SymPy builds it
        start = self.peek()
        negative = False
        while start.kind == OP and start.text in ("+", "-"):
            negative ^= start.text == "-"
            self.advance()
            start = self.peek()
        value = self.product(start)
        return self.check(-value, start) if negative else value

    def product(self, start: Token) -> sympy.Expr:
        factors = [self.power_level()]
        while True:
            t = self.peek()
            if t.kind == OP and t.text == "*":
                self.advance()
                factors.append(self.unary())
            elif t.kind == OP and t.text == "/":
                self.advance()
                den = self.denominator(start, t)
                if _zero(den):
                    raise self.error("this gives division by zero", t,
                                     "the denominator is zero")
                factors.append(self.check(sympy.Pow(den, -1), t))
            elif self.starts_operand(t):
                self.no_two_numbers(t)
                factors.append(self.power_level())
            else:
                break
        if len(factors) == 1:
            return factors[0]
        return self.check(sympy.Mul(*factors), start)

    def no_two_numbers(self, t: Token) -> None:
        if t.kind == NUM and self.toks[self.i - 1].kind == NUM:
            raise self.error("two numbers in a row", t,
                             "write an operator between them, like 2*3, or remove the space")

    def denominator(self, start: Token, slash: Token) -> sympy.Expr:
        first = self.peek()
        den = self.unary()
        if first.word >= 0 and first.kind in (SYM, CONST, FUNC):
            parts = [den]
            names = [first.text]
            while self.peek().glued and self.peek().word == first.word:
                names.append(self.peek().text)
                parts.append(self.power_level())
            if len(parts) > 1:
                den = self.check(sympy.Mul(*parts), first)
                last = self.toks[self.i - 1]
                self.warn(f"read '{self.snippet(start, last)}' with '{self.snippet(first, last)}' "
                          f"as one denominator: …/({'·'.join(names)})", slash)
        t = self.peek()
        if self.starts_operand(t) and not (t.kind == NUM and self.toks[self.i - 1].kind == NUM):
            num = self.source[start.col - 1:slash.col - 1].strip()
            den_text = self.snippet(first, self.toks[self.i - 1])
            rest = "(…)" if t.kind == OP else self.source[t.col - 1:t.end - 1]
            self.warn(f"read '{num}/{den_text}{rest}' as ({num}/{den_text})·{rest}; "
                      f"write {num}/({den_text}{rest}) to divide by {den_text}{rest}", slash)
        return den

    def unary(self) -> sympy.Expr:
        t = self.peek()
        if t.kind == OP and t.text in ("+", "-"):
            self.advance()
            self.enter(t)
            value = self.unary()
            self.leave()
            return self.check(-value, t) if t.text == "-" else value
        return self.power_level()

    def power_level(self) -> sympy.Expr:
        base = self.primary()
        t = self.peek()
        if t.kind == OP and t.text == "^":
            self.advance()
            return self.power(base, self.exponent(), t)
        return base

    def exponent(self) -> sympy.Expr:
        t = self.peek()
        self.enter(t)
        if t.kind == OP and t.text in ("+", "-"):
            self.advance()
            value = self.exponent()
            value = self.check(-value, t) if t.text == "-" else value
        else:
            value = self.power_level()
        self.leave()
        return value

    def power(self, base: sympy.Expr, ex: sympy.Expr, tok: Token) -> sympy.Expr:
        if ex.is_Number and abs(ex) > limits.MAX_EXPONENT:
            raise self.error("this power is too large", tok, _TOO_LARGE_HINT, LimitError)
        if base.is_number and ex.is_number and too_large(power_size(base, ex)):
            raise self.error("this power is too large", tok, _TOO_LARGE_HINT, LimitError)
        if base.is_Number and base < 0 and ex.is_Rational and not ex.is_Integer:
            raise DomainError("a negative number to a fractional power is not a real number",
                              column=tok.col, source=self.source,
                              hint="for the real cube root of -8 write -(8^(1/3))")
        if _zero(base) and ex.is_Number and ex < 0:
            raise self.error("this gives division by zero", tok, "0 to a negative power")
        if base.is_Add and not base.is_number and ex.is_Integer and ex not in (S.Zero, S.One):
            # what evaluation would give (Add._eval_power only acts on numbers and infinities),
            # without its assumption queries, which cost ms per power on big inputs
            return sympy.Pow(base, ex, evaluate=False)
        value = sympy.Pow(base, ex)
        if value.is_Mul and any(a.is_Mul for a in value.args):
            # SymPy's roots of numeric products can leave a Mul inside a Mul, which does not
            # read back equal; flatten it as a fresh Mul would be
            value = sympy.Mul(*value.args)
        if base.is_number and ex.is_number:
            self.real(value, tok)
        return self.check(value, tok)

    # primaries -------------------------------------------------------------------------------------
    def primary(self) -> sympy.Expr:
        t = self.advance()
        k = t.kind
        if k in (NUM, CONST):
            return t.value
        if k == SYM:
            return self.symbol(t)
        if k == FUNC:
            return self.function(t)
        if k == CMD:
            if t.text == "frac":
                return self.frac(t)
            if t.text == "sqrt":
                return self.latex_sqrt(t)
            return self.latex_sum(t)
        if k == OP:
            if t.text in OPENERS:
                return self.group(t)
            if t.text == "|":
                return self.absolute(t)
        prev = self.toks[self.i - 2] if self.i >= 2 else None
        after = f" after '{self.describe(prev)}'" if prev is not None else ""
        if k == END:
            raise self.error(f"the input ends too early: something is missing{after}", t,
                             "complete the expression")
        raise self.error(f"unexpected '{self.describe(t)}'{after}", t,
                         "a number, a name or '(' is missing here")

    def symbol(self, t: Token) -> sympy.Expr:
        nt = self.peek()
        if nt.kind == OP and nt.text == "(" and not nt.space:
            if t.atomic:
                raise self.error(f"unknown function '{t.text}'", t,
                                 f"known functions include sin, exp, ln, sqrt, abs; for a product "
                                 f"write {t.text}*(…)")
            self.warn(f"read '{t.text}(…)' as the product {t.text}·(…): {t.text} is not a "
                      f"function", t)
        return sympy.Symbol(t.text)

    def group(self, t: Token) -> sympy.Expr:
        inner = self.peek()
        if inner.kind == OP and inner.text == OPENERS[t.text]:
            raise self.error(f"empty brackets '{t.text}{inner.text}'", t, "put an expression inside")
        saved, self.abs_depth = self.abs_depth, 0
        value = self.sum_level()
        self.expect(OPENERS[t.text], f"to close '{t.text}' from column {t.col}")
        self.abs_depth = saved
        return value

    def absolute(self, t: Token) -> sympy.Expr:
        if self.peek().kind == END:
            raise self.error(f"unbalanced '|' at column {t.col}", t,
                             "|…| must enclose an expression")
        self.abs_depth += 1
        value = self.sum_level()
        nt = self.peek()
        if not nt.is_op("|"):
            raise self.error(f"unbalanced '|' opened at column {t.col}", t,
                             "close the absolute value with '|'")
        self.advance()
        self.abs_depth -= 1
        return self.check(absolute_value(value), t)

    # functions ---------------------------------------------------------------------------------
    def function(self, t: Token) -> sympy.Expr:
        spec = function_spec(t.text)
        assert spec is not None
        if spec.name == "sum":
            return self.typed_sum(t)
        power: int | None = None
        nt = self.peek()
        if nt.kind == OP and nt.text == "^":
            self.advance()
            n = self.function_power(t, nt)
            if n == -1:
                if spec.inverse is None:
                    raise self.error(f"{t.text}^-1 would be an inverse function, and {t.text} has "
                                     "none here", nt, f"for the reciprocal write 1/{t.text}(…)")
                self.warn(f"read '{t.text}^-1' as the inverse function {spec.inverse}, "
                          f"not 1/{t.text}", t)
                spec = FUNCTIONS[spec.inverse]
            else:
                power = n
        args = self.arguments(t, spec)
        value = self.apply(t, spec, args)
        if power is not None and power != 1:
            value = self.power(value, sympy.Integer(power), t)
        return value

    def function_power(self, f: Token, caret: Token) -> int:
        hint = f"write {f.text}^2 x for {f.text}(x)^2, or {f.text}^-1 x for the inverse"
        t = self.advance()
        closer = None
        if t.kind == OP and t.text in OPENERS:
            closer = OPENERS[t.text]
            t = self.advance()
        sign = 1
        if t.kind == OP and t.text in ("+", "-"):
            sign = -1 if t.text == "-" else 1
            t = self.advance()
        if t.kind != NUM or not t.value.is_Integer:
            raise self.error(f"after '{f.text}^' expected a whole number", t, hint)
        n = sign * int(t.value)
        if closer is not None:
            self.expect(closer, "after the power of a function")
        if n == -1 or 1 <= n <= 100:
            return n
        raise self.error(f"unsupported power of a function: {f.text}^{n}", caret, hint)

    def arguments(self, t: Token, spec: FunctionSpec) -> list[sympy.Expr]:
        nt = self.peek()
        if nt.kind == OP and nt.text in OPENERS:
            self.advance()
            if self.peek().is_op(OPENERS[nt.text]):
                raise self.error(f"{t.text}() needs an argument", nt,
                                 f"write {t.text}(x)" if spec.min_args <= 1 else
                                 f"write {t.text}({', '.join('xyzw'[:spec.min_args])})")
            saved, self.abs_depth = self.abs_depth, 0
            args = [self.sum_level()]
            while self.peek().is_op(","):
                self.advance()
                args.append(self.sum_level())
            self.expect(OPENERS[nt.text], f"to close the arguments of {t.text}")
            self.abs_depth = saved
            return args
        if spec.min_args > 1:
            raise self.error(f"{t.text} needs parentheses: {t.text}(a, b)", t,
                             "functions of two or more arguments take them in (…), "
                             "separated by commas")
        if not (self.starts_operand(nt) or nt.is_op("-", "+")):
            raise self.error(f"{t.text} needs an argument", nt if nt.kind != END else t,
                             f"write {t.text}(x) or {t.text} x")
        self.enter(t)
        factors = [self.unary()]
        spaced = False  # a factor after a space: "sin x y", "√x y" (not "sin 2x", "sin xy")
        while True:
            p = self.peek()
            if p.kind == FUNC or (p.kind == CMD and p.text == "sum") or not self.starts_operand(p):
                break
            self.no_two_numbers(p)
            spaced = spaced or (p.space and p.kind != NUM)
            factors.append(self.power_level())
        self.leave()
        if spaced and not factors[0].is_number:
            shown = self.snippet(t, self.toks[self.i - 1])
            def text(e: sympy.Expr) -> str:
                return str(e).replace("**", "^").replace("*", "·")

            product = "·".join(text(f) for f in factors)
            self.warn(f"read '{shown}' as {spec.name}({product}): without parentheses a function "
                      f"takes the whole product after it; write {spec.name}({text(factors[0])})·… "
                      "if you meant only the first factor", t)
        return [factors[0] if len(factors) == 1 else self.check(sympy.Mul(*factors), t)]

    def apply(self, t: Token, spec: FunctionSpec, args: list[sympy.Expr]) -> sympy.Expr:
        n = len(args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            want = (f"{spec.min_args}" if spec.min_args == spec.max_args
                    else f"{spec.min_args} to {spec.max_args}" if spec.max_args
                    else f"at least {spec.min_args}")
            usage = "y, x" if spec.name == "atan2" else ", ".join("xyzw"[:max(spec.min_args, 1)])
            raise self.error(f"{t.text} takes {want} argument{'s' if want != '1' else ''}, "
                             f"got {n}", t, f"write {t.text}({usage})")
        if t.base is not None:  # log_b x
            if t.base == 1:
                raise self.error("a logarithm to base 1 is undefined", t,
                                 "use another base, e.g. log_2 x or log(x, 10)")
            value = sympy.Mul(sympy.log(args[0]), sympy.Pow(sympy.log(t.base), -1))
            return self.real(self.check(value, t), t)
        name = spec.name
        if name in _POWER_FORMS:
            return self.power(args[0], _POWER_FORMS[name], t)
        if name == "root":
            return self.power(args[0], self.check(sympy.Pow(args[1], -1), t), t)
        if name in ("exp", "sigmoid", "softplus") and args[0].is_number \
                and too_large(exp_size(args[0])):
            raise self.error("this power is too large", t, _TOO_LARGE_HINT, LimitError)
        if name == "log" and n == 1 and not self._log_warned:
            self._log_warned = True
            self.warn("log is the natural logarithm ln; write log10(x) or log_10(x) for base 10",
                      t)
        if name == "log" and n == 2 and args[1] == 1:
            raise self.error("a logarithm to base 1 is undefined", t,
                             "use another base, e.g. log(x, 2) or log(x, 10)")
        for a in args:
            if a.is_number:
                self.real(a, t)  # a non-real constant argument (asin(pi)) is refused here
        try:
            built = spec.build(*args)
        except (ValueError, TypeError, ArithmeticError) as exc:  # SymPy refused the arguments
            raise self.error(f"{t.text} cannot be applied here: {exc}", t) from None
        value = self.check(built, t)
        return self.real(value, t) if all(a.is_number for a in args) else value
