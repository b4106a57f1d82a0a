"""The per-iteration data pass: J and ∂J/∂θₖ summed over the rows, from the derived partials.

Each derived partial is ``outerₖ(N) · Σₙ sₖ(n)``. The pass computes the sums Sₖ = Σ sₖ(n) (and
S_J for J itself); sums of chunks add up, which is what the Dask path relies on.

Two evaluators of the same derived summands:

* :class:`SymbolicKernel` compiles every sₖ with :func:`nablab.numeric.compile_numpy` and sums
  it block by block — general, and the reference the fast kernel is tested against;
* :class:`FusedKernel` is used when the derivation has the structure of a linear model, read
  off the summands symbolically: sₖ = cₖ·colₖ·ρ with ρ = a·y + Σⱼ bⱼ θⱼ colⱼ affine in θ
  (colₖ a data column or 1). It then reads each byte of X and y once per pass: over
  cache-sized blocks, ρ_b = X_b v + const − y_b (BLAS gemv), Sₖ from X_bᵀρ_b (gemv), S_J from
  ρ_bᵀρ_b, into preallocated buffers. The constants a, bⱼ, cₖ come from the derivation.
  BLAS is held to one thread (thousands of small calls), and large inputs are split into
  contiguous row ranges summed on our own threads instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import sympy
from threadpoolctl import ThreadpoolController

from nablab.numeric import compile_numpy
from nablab.optimize import fused_loop
from nablab.optimize.fused_loop import row_range
from nablab.optimize.mse import MSE, N

# bytes of X and y per block: small enough to stay in L2 while the block is used three times
BLOCK_BYTES = 1 << 19
# with one or two features per-call overhead is small next to the passes: shorter blocks win
MAX_BLOCK_ROWS = 1 << 14


def _outer(expr: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    """c·Sum(s, …) → (c, s)."""
    sums = list(expr.atoms(sympy.Sum))
    if len(sums) != 1:
        raise ValueError(f"expected one sum in {expr}")
    s = sums[0]
    outer = sympy.simplify(expr / s)
    if outer.has(sympy.Sum):
        raise ValueError(f"the partial is not a multiple of one sum: {expr}")
    return outer, s.function


@dataclass(frozen=True)
class Summands:
    """The derivation reduced to what the data pass needs (data functions as plain symbols)."""

    thetas: tuple[sympy.Symbol, ...]
    data: tuple[sympy.Symbol, ...]  # x columns in order, then y
    outers: tuple[sympy.Expr, ...]  # per partial, functions of N
    outer_J: sympy.Expr
    terms: tuple[sympy.Expr, ...]  # sₖ
    term_J: sympy.Expr
    _outer_fn: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def from_mse(cls, m: MSE) -> Summands:
        data = tuple(sympy.Symbol(f"_data{j}") for j in range(len(m.features) + 1))
        swap = dict(zip([*m.features, m.target], data, strict=True))
        outers, terms = [], []
        for p in m.partials:
            o, s = _outer(p)
            outers.append(o)
            terms.append(s.xreplace(swap))
        oj, sj = _outer(m.J)
        return cls(m.thetas, data, tuple(outers), oj, tuple(terms), sj.xreplace(swap))

    def scale(self, n_rows: int) -> tuple[float, np.ndarray]:
        """(outer_J, [outerₖ]) at N = n_rows (compiled once: this runs every iteration)."""
        if self._outer_fn is None:
            object.__setattr__(self, "_outer_fn",
                               compile_numpy([self.outer_J, *self.outers], [N]))
        out = np.asarray(self._outer_fn(n_rows), dtype=float)
        return float(out[0]), out[1:]


class SymbolicKernel:
    """Σₙ sₖ(n) by compiling the derived summands to NumPy (block by block to bound memory)."""

    block_rows = 1 << 16

    def __init__(self, summands: Summands) -> None:
        self.summands = summands
        self._fn = compile_numpy([summands.term_J, *summands.terms],
                                 [*summands.thetas, *summands.data])

    def sums(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        total = np.zeros(len(theta) + 1)
        for lo in range(0, len(y), self.block_rows):
            Xb, yb = X[lo:lo + self.block_rows], y[lo:lo + self.block_rows]
            cols = [Xb[:, j] for j in range(Xb.shape[1])]
            out = self._fn(*theta, *cols, yb)
            total += [np.sum(np.broadcast_to(o, yb.shape)) for o in out]
        return float(total[0]), total[1:]


@dataclass(frozen=True)
class LinearPlan:
    """sₖ = cₖ·colₖ·ρ, ρ = a·y + Σⱼ bⱼ θⱼ colⱼ, s_J = κ·ρ² (col −1 means the constant 1)."""

    a: float
    b: np.ndarray
    theta_cols: tuple[int, ...]
    c: np.ndarray
    weight_cols: tuple[int, ...]
    kappa: float


def _coef_col(expr: sympy.Expr, cols: Sequence[sympy.Symbol]) -> tuple[float, int] | None:
    """number·column → (number, column index); a number alone → (number, −1); else None."""
    coeff, rest = expr.as_coeff_Mul()
    if rest == 1:
        return float(coeff), -1
    if rest in cols:
        return float(coeff), list(cols).index(rest)
    return None


def _theta_factor(term: sympy.Expr, thetas: Sequence[sympy.Symbol]) -> sympy.Expr | None:
    """The one factor of ``term`` that holds θ, if it is affine in θ (common factors pulled
    out with factor_terms: cheap, unlike a multivariate gcd over 2d + 2 symbols)."""
    factors = [f for f in sympy.Mul.make_args(sympy.factor_terms(term))
               if f.free_symbols & set(thetas)]
    if len(factors) != 1:
        return None
    try:
        if sympy.Poly(factors[0], *thetas).total_degree() != 1:
            return None
    except sympy.PolynomialError:
        return None
    return factors[0]


@lru_cache(maxsize=64)
def plan_for(s: Summands) -> LinearPlan | None:
    """:func:`linear_plan`, remembered per derivation."""
    return linear_plan(s)


@lru_cache(maxsize=64)
def summands_for(m: MSE) -> Summands:
    return Summands.from_mse(m)


def linear_plan(s: Summands) -> LinearPlan | None:
    """Read the linear-model structure off the derived summands, or None if it is not there."""
    xs, yv = s.data[:-1], s.data[-1]
    rho = _theta_factor(s.terms[0], s.thetas)
    if rho is None:
        return None
    zero = dict.fromkeys(s.thetas, 0)
    a_term = _coef_col(sympy.expand(rho.xreplace(zero)), [*xs, yv])
    if a_term is None or a_term[1] != len(xs) or a_term[0] == 0:
        return None
    rho = sympy.expand(rho / sympy.nsimplify(-a_term[0]))  # ρ = … − y: one subtraction per block
    a_term = (-1.0, a_term[1])
    b, tcols = [], []
    for t in s.thetas:
        bc = _coef_col(sympy.expand(sympy.diff(rho, t)), xs)
        if bc is None:
            return None
        b.append(bc[0])
        tcols.append(bc[1])
    c, wcols = [], []
    for term in s.terms:
        q = sympy.cancel(term / rho)
        if q.free_symbols & set(s.thetas):
            return None
        cc = _coef_col(sympy.expand(q), xs)
        if cc is None:
            return None
        c.append(cc[0])
        wcols.append(cc[1])
    kappa = sympy.cancel(s.term_J / rho**2)
    if not kappa.is_number:
        return None
    return LinearPlan(a=a_term[0], b=np.array(b), theta_cols=tuple(tcols), c=np.array(c),
                      weight_cols=tuple(wcols), kappa=float(kappa))


_POOL: Any = None
_BLAS: Any = None


def single_threaded_blas() -> Any:
    """A context in which BLAS runs on one thread.

    The pass makes thousands of small gemv calls on cache-sized blocks; letting OpenBLAS start
    its own threads for each costs more than the call (badly so on a loaded machine). Rows are
    split over our own threads instead (:attr:`FusedKernel.threads`)."""
    global _BLAS
    if _BLAS is None:
        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


def _pool() -> Any:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                                   thread_name_prefix="nablab-pass")
    return _POOL


class FusedKernel:
    """One read of X and y per pass, cache-sized blocks, BLAS gemv, no per-pass allocation.

    ``threads`` > 1 splits the rows into that many contiguous ranges summed concurrently
    (NumPy and BLAS release the GIL); each range has its own buffers."""

    #: below this many rows per thread, splitting costs more than it saves
    min_rows_per_thread = 1 << 17

    def __init__(self, plan: LinearPlan, d: int, block_rows: int | None = None,
                 threads: int | None = None, compiled: bool | None = None) -> None:
        self.plan = plan
        self.d = d
        #: the one-loop compiled pass (numba): None = when available and the input is large
        self.compiled = compiled
        self.block_rows = block_rows or max(1024, min(MAX_BLOCK_ROWS, BLOCK_BYTES // (8 * (d + 1))))
        self.threads = threads if threads is not None else min(2, os.cpu_count() or 1)
        self._buffers: list[tuple[np.ndarray, np.ndarray]] = []

    def residual_coefficients(self, theta: np.ndarray) -> tuple[np.ndarray, float]:
        """v and const with ρ = X v + const + a·y."""
        v = np.zeros(self.d)
        const = 0.0
        for bj, col, t in zip(self.plan.b, self.plan.theta_cols, theta, strict=True):
            if col < 0:
                const += bj * t
            else:
                v[col] += bj * t
        return v, const

    def _buffer(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        while len(self._buffers) <= i:
            self._buffers.append((np.empty(self.block_rows), np.empty(self.d)))
        return self._buffers[i]

    def sums(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray, loss: bool = True
             ) -> tuple[float, np.ndarray]:
        """(S_J, [Sₖ]) over the rows of X and y (S_J is 0.0 when ``loss`` is False)."""
        v, const = self.residual_coefficients(np.asarray(theta, dtype=float))
        n = len(y)
        parts = max(1, min(self.threads, n // self.min_rows_per_thread))
        part = self._range
        loop = self.compiled_loop(n)
        if loop is not None:
            a = self.plan.a

            def part(v, const, X, y, lo, hi, loss, i):  # the call of _range
                return row_range(loop, X, y, v, const, a, lo, hi, loss)
        with single_threaded_blas():
            if parts == 1:
                sum_r, xr, sq = part(v, const, X, y, 0, n, loss, 0)
            else:
                step = -(-n // parts)
                futures = [_pool().submit(part, v, const, X, y, lo, min(lo + step, n),
                                          loss, i)
                           for i, lo in enumerate(range(0, n, step))]
                results = [f.result() for f in futures]
                sum_r = sum(r[0] for r in results)
                xr = sum(r[1] for r in results)
                sq = sum(r[2] for r in results)
        out = np.empty(len(self.plan.c))
        for k, (ck, col) in enumerate(zip(self.plan.c, self.plan.weight_cols, strict=True)):
            out[k] = ck * (sum_r if col < 0 else xr[col])
        return self.plan.kappa * sq, out

    def compiled_loop(self, n_rows: int) -> Any:
        """The compiled one-pass loop to use for ``n_rows`` rows, or None for the NumPy pass.

        ``compiled=None``: for large inputs when numba is there, once its background compile
        is done (until then the NumPy pass runs); True: always, waiting for the compile."""
        if self.compiled is False:
            return None
        if self.compiled:
            return fused_loop.loop_for(self.d, wait=True)
        if n_rows < fused_loop.MIN_ROWS:
            return None
        return fused_loop.loop_for(self.d, wait=False)

    def _range(self, v: np.ndarray, const: float, X: np.ndarray, y: np.ndarray, start: int,
               stop: int, loss: bool, i: int) -> tuple[float, np.ndarray, float]:
        """Σρ, Xᵀρ and ρᵀρ over rows start:stop, block by block (ρ = Xv + const − y)."""
        a = self.plan.a
        B = self.block_rows
        r, tmp = self._buffer(i)
        sum_r = sq = 0.0
        xr = np.zeros(self.d)
        one = self.d == 1
        x0 = X[:, 0] if one else None
        v0 = float(v[0]) if one else 0.0
        for lo in range(start, stop, B):
            hi = min(lo + B, stop)
            yb = y[lo:hi]
            rb = r[:hi - lo]
            if x0 is not None:  # one
                xb = x0[lo:hi]
                np.multiply(xb, v0, out=rb)
            else:
                Xb = X[lo:hi]
                np.dot(Xb, v, out=rb)
            if const:
                rb += const
            if a == -1.0:
                rb -= yb
            else:
                rb += a * yb
            sum_r += rb.sum()
            if one:
                xr[0] += np.dot(xb, rb)
            else:
                np.dot(rb, Xb, out=tmp)
                xr += tmp
            if loss:
                sq += np.dot(rb, rb)
        return sum_r, xr, sq


class Objective:
    """J and ∇J on data: the derived partials, evaluated by the fastest matching kernel."""

    def __init__(self, m: MSE, fused: bool = True) -> None:
        self.mse = m
        self.summands = summands_for(m)
        self.plan = plan_for(self.summands) if fused else None
        d = len(m.features)
        self.kernel = FusedKernel(self.plan, d) if self.plan else SymbolicKernel(self.summands)

    def sums(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        return self.kernel.sums(theta, X, y)

    def finish(self, sums: tuple[float, np.ndarray], n_rows: int) -> tuple[float, np.ndarray]:
        """Sums over n_rows rows → (J, ∇J)."""
        oj, outers = self.summands.scale(n_rows)
        return oj * sums[0], outers * sums[1]

    def __call__(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray
                 ) -> tuple[float, np.ndarray]:
        return self.finish(self.sums(theta, X, y), len(y))
