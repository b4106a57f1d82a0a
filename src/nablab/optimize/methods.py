"""The update rules, each with its parameters named as in the literature.

Every method is a small factory: given its hyper-parameters it returns ``update(x, g, k)``, the
new point from the point x, the gradient g = ∇f(x) and the 1-based step number k. The state
(velocity, accumulated squares) lives in the closure, so the descent loop is the same for all of
them and costs one call per step. Newton's method needs the Hessian and is run by the loop
itself (:mod:`nablab.optimize.descent`), as are the line searches.

=========  ==================================================================  ============
method     update (g = ∇f(x))                                                   source
=========  ==================================================================  ============
gd         x ← x − η g                                                          Cauchy
momentum   v ← β v + g;  x ← x − η v                                            Polyak 1964
nesterov   v ← μ v + g;  x ← x − η (g + μ v)                                    Nesterov 1983
                                                                                (Sutskever's
                                                                                look-ahead,
                                                                                rewritten at x)
adagrad    G ← G + g²;  x ← x − η g / (√G + ε)                                  Duchi 2011
rmsprop    E ← ρ E + (1 − ρ) g²;  x ← x − η g / (√E + ε)                        Hinton 2012
adam       m ← β₁m + (1 − β₁)g; s ← β₂s + (1 − β₂)g²;                           Kingma 2015
           x ← x − η m̂ / (√ŝ + ε), m̂ = m/(1 − β₁ᵏ), ŝ = s/(1 − β₂ᵏ)
newton     x ← x − α H⁻¹ g  (α = η, or from a line search)                      Newton
=========  ==================================================================  ============
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nablab.errors import NablabError

Update = Callable[[list[float], list[float], int], list[float]]


@dataclass(frozen=True)
class Hyper:
    """One hyper-parameter: its Python name, its symbol in the literature, default, range."""

    name: str
    symbol: str
    default: float
    low: float
    high: float
    low_open: bool = True
    high_open: bool = True
    meaning: str = ""

    def check(self, value: float, method: str) -> float:
        ok_low = value > self.low if self.low_open else value >= self.low
        ok_high = value < self.high if self.high_open else value <= self.high
        if not (math.isfinite(value) and ok_low and ok_high):
            raise NablabError(
                f"{self.symbol} ({self.name}) = {value:g} is out of range for {method}: "
                f"it must be in {self.range_text()}",
                hint=f"{self.symbol} is the {self.meaning}; the usual value is {self.default:g}")
        return value

    def range_text(self) -> str:
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        high = "∞" if math.isinf(self.high) else f"{self.high:g}"
        return f"{lo}{self.low:g}, {high}{hi}"


BETA = Hyper("beta", "β", 0.9, 0.0, 1.0, low_open=False, meaning="momentum decay")
MU = Hyper("mu", "μ", 0.9, 0.0, 1.0, low_open=False, meaning="Nesterov momentum")
RHO = Hyper("rho", "ρ", 0.9, 0.0, 1.0, low_open=False,
            meaning="decay of the running mean of g²")
BETA1 = Hyper("beta1", "β1", 0.9, 0.0, 1.0, low_open=False,
              meaning="decay of the first-moment estimate")
BETA2 = Hyper("beta2", "β2", 0.999, 0.0, 1.0, low_open=False,
              meaning="decay of the second-moment estimate")
ALPHA = Hyper("alpha", "α", 1.0, 0.0, math.inf,
              meaning="Newton step length (1: the full step to the quadratic model's minimum)")
EPS = Hyper("eps", "ε", 1e-8, 0.0, math.inf, meaning="small constant that keeps the division finite")

#: the method parameters (η, the rate, is the positional ``rate`` of every first-order method;
#: Newton's step is its own α)
PARAMETERS: dict[str, tuple[Hyper, ...]] = {
    "gd": (),
    "momentum": (BETA,),
    "nesterov": (MU,),
    "adagrad": (EPS,),
    "rmsprop": (RHO, EPS),
    "adam": (BETA1, BETA2, EPS),
    "newton": (ALPHA,),
}
METHODS = tuple(PARAMETERS)
#: methods whose step size may come from a line search
LINE_SEARCH_METHODS = ("gd", "newton")
LINE_SEARCHES = ("fixed", "armijo", "wolfe")

#: other spellings of the parameter names (Greek letters as keywords, the old ``momentum=``)
ALIASES = {"β": "beta", "momentum": "beta", "μ": "mu", "ρ": "rho", "β1": "beta1", "β₁": "beta1",
           "β2": "beta2", "β₂": "beta2", "ε": "eps", "epsilon": "eps"}


def unknown_method(name: str) -> NablabError:
    return NablabError(f"unknown method {name!r}",
                       hint=f"the methods are {', '.join(METHODS)}")


def method_names(method: str | Sequence[str]) -> list[str]:
    """``"gd,adam"`` or ``["gd", "adam"]`` → ``["gd", "adam"]``, each checked."""
    items = method.split(",") if isinstance(method, str) else list(method)
    names = [str(m).strip().lower() for m in items if str(m).strip()]
    if not names:
        raise NablabError("no method given", hint=f"the methods are {', '.join(METHODS)}")
    for m in names:
        if m not in PARAMETERS:
            raise unknown_method(m)
    return names


def resolve(methods: Sequence[str], given: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """Per method, its parameters: defaults overridden by ``given`` (aliases accepted). A name no
    chosen method takes is refused, naming the ones they do take; values are range-checked."""
    canon: dict[str, float] = {}
    for key, value in given.items():
        name = ALIASES.get(key, key)
        if name in canon:
            raise NablabError(f"{key} given twice (also as {name})")
        canon[name] = value
    taken = {h.name for m in methods for h in PARAMETERS[m]}
    for name in canon:
        if name not in taken:
            known = ", ".join(f"{h.symbol} ({h.name})" for m in methods for h in PARAMETERS[m])
            which = ", ".join(methods)
            first = [m for m in methods if m != "newton"]
            takes = ["η (rate)"] if first else []
            if known:
                takes.append(known)
            raise NablabError(f"unknown parameter {name!r} for {which}",
                              hint=f"{which} take{'s' if len(methods) == 1 else ''} "
                                   + " and ".join(takes))
    out: dict[str, dict[str, float]] = {}
    for m in methods:
        out[m] = {h.name: h.check(float(canon.get(h.name, h.default)), m)
                  for h in PARAMETERS[m]}
    return out


def make_update(method: str, rate: float, hyper: Mapping[str, float], d: int) -> Update:
    """``update(x, g, k)`` for a first-order method (not newton).

    x and g are lists of Python floats: a typed function has a handful of variables, and for
    those plain float arithmetic is several times faster than NumPy's per-call overhead (the
    ≥ 1e5 steps/s of issue 14 on a loaded machine)."""
    eta = rate
    sqrt = math.sqrt
    if method == "gd":
        def gd(x: list[float], g: list[float], k: int) -> list[float]:
            return [a - eta * b for a, b in zip(x, g, strict=True)]
        return gd
    if method == "momentum":
        beta = hyper["beta"]
        v = [0.0] * d

        def momentum(x: list[float], g: list[float], k: int) -> list[float]:
            nonlocal v
            v = [beta * a + b for a, b in zip(v, g, strict=True)]
            return [a - eta * b for a, b in zip(x, v, strict=True)]
        return momentum
    if method == "nesterov":
        mu = hyper["mu"]
        v = [0.0] * d

        def nesterov(x: list[float], g: list[float], k: int) -> list[float]:
            nonlocal v
            v = [mu * a + b for a, b in zip(v, g, strict=True)]
            return [a - eta * (b + mu * c) for a, b, c in zip(x, g, v, strict=True)]
        return nesterov
    if method == "adagrad":
        eps = hyper["eps"]
        G = [0.0] * d

        def adagrad(x: list[float], g: list[float], k: int) -> list[float]:
            nonlocal G
            G = [a + b * b for a, b in zip(G, g, strict=True)]
            return [a - eta * b / (sqrt(c) + eps) for a, b, c in zip(x, g, G, strict=True)]
        return adagrad
    if method == "rmsprop":
        rho, eps = hyper["rho"], hyper["eps"]
        E = [0.0] * d

        def rmsprop(x: list[float], g: list[float], k: int) -> list[float]:
            nonlocal E
            E = [rho * a + (1 - rho) * (b * b) for a, b in zip(E, g, strict=True)]
            return [a - eta * b / (sqrt(c) + eps) for a, b, c in zip(x, g, E, strict=True)]
        return rmsprop
    if method == "adam":
        b1, b2, eps = hyper["beta1"], hyper["beta2"], hyper["eps"]
        m = [0.0] * d
        s = [0.0] * d

        def adam(x: list[float], g: list[float], k: int) -> list[float]:
            nonlocal m, s
            m = [b1 * a + (1 - b1) * b for a, b in zip(m, g, strict=True)]
            s = [b2 * a + (1 - b2) * (b * b) for a, b in zip(s, g, strict=True)]
            c1, c2 = 1 - b1**k, 1 - b2**k
            return [a - eta * (b / c1) / (sqrt(c / c2) + eps)
                    for a, b, c in zip(x, m, s, strict=True)]
        return adam
    raise unknown_method(method)
