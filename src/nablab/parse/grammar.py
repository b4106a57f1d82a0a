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
``\\frac``, ``\\sqrt`` and ``\\sum`` live in ``latex``, sums over data in ``structures``, the
parser's state and checks in ``cursor``. Values are :class:`nablab.parse.nodes.Node`: SymEngine
for symbolic parts, SymPy for numbers, with the SymPy recipe replayed once for ``expr``.
"""

from __future__ import annotations

import symengine as se
import sympy
from sympy import S

from nablab.errors import DomainError, LimitError
from nablab.parse import limits
from nablab.parse import nodes as nd
from nablab.parse.cursor import SYMPY_FAILURES, TOO_LARGE_HINT, is_zero
from nablab.parse.latex import LatexMixin
from nablab.parse.magnitude import exp_size, power_size, too_large
from nablab.parse.nodes import Node, leaf, sympy_of
from nablab.parse.structures import SumsMixin
from nablab.parse.tokens import BASE_GROUP, CMD, CONST, END, FUNC, NUM, OP, OPENERS, SYM, Token
from nablab.parse.vocabulary import FUNCTIONS, FunctionSpec, function_spec

_POWER_FORMS = {"sqrt": leaf(S.Half), "cbrt": leaf(sympy.Rational(1, 3))}


class Parser(SumsMixin, LatexMixin):
    """The levels of the grammar (the state and helpers are in ``cursor.ParserBase``)."""

    # levels ------------------------------------------------------------------------------------
    def parse(self) -> Node:
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

    def negative(self, value: Node, t: Token) -> Node:
        return self.build(nd.neg, nd.se_neg, (value,), t)

    def sum_level(self) -> Node:
        first = self.toks[self.i]
        self.enter(first)
        terms = [self.product_level()]
        toks = self.toks
        while True:
            t = toks[self.i]
            if t.kind != OP:
                break
            if t.text == "+":
                self.i += 1
                terms.append(self.product_level())
            elif t.text == "-":
                self.i += 1
                terms.append(self.negative(self.product_level(), t))
            else:
                break
        self.depth -= 1
        if len(terms) == 1:
            return terms[0]
        return self.build(nd.add, se.Add, tuple(terms), first)

    def product_level(self) -> Node:
        # a leading sign applies to the whole product: -(a)(b) = -((a)(b)), as SymPy builds it
        start = self.toks[self.i]
        negative = False
        while start.kind == OP and start.text in ("+", "-"):
            negative ^= start.text == "-"
            self.i += 1
            start = self.toks[self.i]
        value = self.product(start)
        return self.negative(value, start) if negative else value

    def product(self, start: Token) -> Node:
        factors = [self.power_level()]
        toks = self.toks
        while True:
            t = toks[self.i]
            if t.kind == OP and t.text == "*":
                self.i += 1
                factors.append(self.unary())
            elif t.kind == OP and t.text == "/":
                self.i += 1
                den = self.denominator(start, t)
                if is_zero(den):
                    raise self.error("this gives division by zero", t,
                                     "the denominator is zero")
                factors.append(self.build(nd.inverse, nd.se_inverse, (den,), t))
            elif self.starts_operand(t):
                self.no_two_numbers(t)
                factors.append(self.power_level())
            else:
                break
        if len(factors) == 1:
            return factors[0]
        return self.build(nd.mul, se.Mul, tuple(factors), start)

    def no_two_numbers(self, t: Token) -> None:
        if t.kind == NUM and self.toks[self.i - 1].kind == NUM:
            raise self.error("two numbers in a row", t,
                             "write an operator between them, like 2*3, or remove the space")

    def denominator(self, start: Token, slash: Token) -> Node:
        first = self.peek()
        den = self.unary()
        if first.word >= 0 and first.kind in (SYM, CONST, FUNC):
            parts = [den]
            names = [first.text]
            while self.peek().glued and self.peek().word == first.word:
                names.append(self.peek().text)
                parts.append(self.power_level())
            if len(parts) > 1:
                den = self.build(nd.mul, se.Mul, tuple(parts), first)
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

    def unary(self) -> Node:
        t = self.toks[self.i]
        if t.kind == OP and t.text in ("+", "-"):
            self.i += 1
            self.enter(t)
            value = self.unary()
            self.depth -= 1
            return self.negative(value, t) if t.text == "-" else value
        return self.power_level()

    def power_level(self) -> Node:
        base = self.primary()
        t = self.toks[self.i]
        if t.kind == OP and t.text == "^":
            self.i += 1
            return self.power(base, self.exponent(), t)
        return base

    def exponent(self) -> Node:
        t = self.toks[self.i]
        self.enter(t)
        if t.kind == OP and t.text in ("+", "-"):
            self.i += 1
            value = self.exponent()
            value = self.negative(value, t) if t.text == "-" else value
        else:
            value = self.power_level()
        self.depth -= 1
        return value

    def power(self, base: Node, ex: Node, tok: Token) -> Node:
        if ex.num:
            e = ex.sp
            if e.is_Integer:  # the common case, without SymPy's comparison machinery
                big = abs(e.p) > limits.MAX_EXPONENT
            else:
                big = bool(e.is_Number and abs(e) > limits.MAX_EXPONENT)
            if big:
                raise self.error("this power is too large", tok, TOO_LARGE_HINT, LimitError)
            if base.num:
                b = base.sp
                if too_large(power_size(b, e)):
                    raise self.error("this power is too large", tok, TOO_LARGE_HINT, LimitError)
                if b.is_Number and b < 0 and e.is_Rational and not e.is_Integer:
                    raise DomainError("a negative number to a fractional power is not a real "
                                      "number", column=tok.col, source=self.source,
                                      hint="for the real cube root of -8 write -(8^(1/3))")
                if is_zero(base) and e.is_Number and e < 0:
                    raise self.error("this gives division by zero", tok, "0 to a negative power")

                def numeric(b: sympy.Expr, e: sympy.Expr) -> sympy.Expr:
                    return self.check(self.real(nd.power_value(b, e), tok), tok)

                return self.build(nd.power_value, se.Pow, (base, ex), tok, numeric)
            if e.is_Integer and abs(e.p) > 100:
                self.coefficient_power(base, e, tok)
        elif base.num and is_zero(base):
            # 0^m is 0 or undefined depending on m's sign, and SymPy turns 0^(-m) and 1/0^m
            # into zoo^m: an infinity inside the function, so the power is refused here
            raise self.error("0 to a power that depends on variables is undefined where "
                             "the power is 0 or negative", tok,
                             "write 0, or the power of a variable")
        return self.build(nd.power_value, se.Pow, (base, ex), tok)

    def coefficient_power(self, base: Node, e: sympy.Integer, tok: Token) -> None:
        """(2x)^999999999 is 2^999999999·x^999999999: refuse the number it would build."""
        native = nd.native_of(base)
        if native is None or not isinstance(native, se.Mul):
            return
        const = [a for a in native.args if not a.free_symbols]
        if const:
            c = sympy.Mul(*[a._sympy_() for a in const])
            if too_large(power_size(c, e)):
                raise self.error("this power is too large", tok, TOO_LARGE_HINT, LimitError)

    # primaries -------------------------------------------------------------------------------------
    def primary(self) -> Node:
        t = self.toks[self.i]
        self.i += 1
        k = t.kind
        if k == SYM:
            return self.symbol(t)
        if k in (NUM, CONST):
            return self.number(t)
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

    def number(self, t: Token) -> Node:
        key = (t.kind, t.text)  # by text: Float(2.0) == Integer(2) in SymPy
        node = self._numbers.get(key)
        if node is None:
            node = self._numbers[key] = leaf(t.value)
        return node

    def symbol(self, t: Token) -> Node:
        nt = self.toks[self.i]
        if nt.kind == OP and nt.text == "(" and not nt.space:
            if t.atomic:
                raise self.error(f"unknown function '{t.text}'", t,
                                 f"known functions include sin, exp, ln, sqrt, abs; for a product "
                                 f"write {t.text}*(…)")
            self.warn(f"read '{t.text}(…)' as the product {t.text}·(…): {t.text} is not a "
                      f"function", t)
        return self.symbol_node(t.text)

    def group(self, t: Token) -> Node:
        inner = self.toks[self.i]
        if inner.kind == OP and inner.text == OPENERS[t.text]:
            raise self.error(f"empty brackets '{t.text}{inner.text}'", t, "put an expression inside")
        saved, self.abs_depth = self.abs_depth, 0
        value = self.sum_level()
        self.expect(OPENERS[t.text], f"to close '{t.text}' from column {t.col}")
        self.abs_depth = saved
        return value

    def absolute(self, t: Token) -> Node:
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
        return self.build(nd.absolute_value, se.Abs, (value,), t)

    # functions ---------------------------------------------------------------------------------
    def function(self, t: Token) -> Node:
        spec = function_spec(t.text)
        assert spec is not None
        if spec.name == "sum":
            return self.typed_sum(t)
        base: Node | None = t.base
        if t.base is BASE_GROUP:  # log_{x+1}(y), \log_{\frac{1}{2}} x
            base = self.group(self.advance())
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
        value = self.apply(t, spec, args, base)
        if power is not None and power != 1:
            value = self.power(value, leaf(sympy.Integer(power)), t)
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

    def arguments(self, t: Token, spec: FunctionSpec) -> list[Node]:
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
        if spaced and not factors[0].num:
            shown = self.snippet(t, self.toks[self.i - 1])

            def text(e: Node) -> str:
                return str(sympy_of(e)).replace("**", "^").replace("*", "·")

            product = "·".join(text(f) for f in factors)
            self.warn(f"read '{shown}' as {spec.name}({product}): without parentheses a function "
                      f"takes the whole product after it; write {spec.name}({text(factors[0])})·… "
                      "if you meant only the first factor", t)
        return [factors[0] if len(factors) == 1 else
                self.build(nd.mul, se.Mul, tuple(factors), t)]

    def apply(self, t: Token, spec: FunctionSpec, args: list[Node],
              base: Node | None = None) -> Node:
        n = len(args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            want = (f"{spec.min_args}" if spec.min_args == spec.max_args
                    else f"{spec.min_args} to {spec.max_args}" if spec.max_args
                    else f"at least {spec.min_args}")
            usage = "y, x" if spec.name == "atan2" else ", ".join("xyzw"[:max(spec.min_args, 1)])
            raise self.error(f"{t.text} takes {want} argument{'s' if want != '1' else ''}, "
                             f"got {n}", t, f"write {t.text}({usage})")
        if base is not None:  # log_b x
            return self.log_base(t, args[0], base)
        name = spec.name
        if name in _POWER_FORMS:
            return self.power(args[0], _POWER_FORMS[name], t)
        if name == "root":
            return self.power(args[0], self.build(nd.inverse, nd.se_inverse, (args[1],), t), t)
        if name in ("exp", "sigmoid", "softplus", "cosh", "sinh") and args[0].num \
                and too_large(exp_size(args[0].sp)):  # cosh u, sinh u ≈ e^|u|/2
            what = "power" if name == "exp" else "number"
            raise self.error(f"this {what} is too large", t, TOO_LARGE_HINT, LimitError)
        if name == "log" and n == 1 and not self._log_warned:
            self._log_warned = True
            self.warn("log is the natural logarithm ln; write log10(x) or log_10(x) for base 10",
                      t)
        if name == "log" and n == 2:
            if args[1].num and args[1].sp == 1:
                raise self.error("a logarithm to base 1 is undefined", t,
                                 "use another base, e.g. log(x, 2) or log(x, 10)")
            self.log_parts(t, args[0], args[1])
        for a in args:
            if a.num:
                self.real(a.sp, t)  # a non-real constant argument (asin(pi)) is refused here
        numeric = all(a.num for a in args)

        def eager(*values: sympy.Expr) -> sympy.Expr:
            try:
                built = spec.build(*values)
            except (ValueError, TypeError, ArithmeticError) as exc:  # SymPy refused the arguments
                raise self.error(f"{t.text} cannot be applied here: {exc}", t) from None
            except SYMPY_FAILURES:  # SymPy's evaluation broke (cursor.sympy_failed)
                raise self.sympy_failed(f"{t.text} of this constant", t) from None
            value = self.check(built, t)
            return self.real(value, t) if numeric else value

        return self.build(spec.build, nd.SE_FUNCTIONS.get(name), tuple(args), t, eager)

    def log_parts(self, t: Token, arg: Node, base: Node) -> None:
        """log_b u = log(u)/log(b): a constant u or b whose logarithm is undefined or not real
        (0, -2) is refused here even when the other is symbolic; else SymPy builds
        log(0, x) as zoo/log(x) and log(x, 0) as 0, silently."""
        for part in (arg, base):
            if part.num:
                self.real(self.check(sympy.log(part.sp), t), t)

    def log_base(self, t: Token, arg: Node, base: Node) -> Node:
        """log_b u = log(u)/log(b); b a number, a constant or a symbol, or any expression."""
        if base.num and base.sp == 1:
            raise self.error("a logarithm to base 1 is undefined", t,
                             "use another base, e.g. log_2 x or log(x, 10)")
        self.log_parts(t, arg, base)

        def eager(u: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
            return self.real(self.check(nd.over_log(u, b), t), t)

        return self.build(nd.over_log, nd.se_over_log, (arg, base), t, eager)
