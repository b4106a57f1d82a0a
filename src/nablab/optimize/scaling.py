"""Feature standardisation and the map of θ back to original units.

With zₙⱼ = (xₙⱼ − μⱼ)/σⱼ the model θ̃₀ + Σ θ̃ⱼ zₙⱼ equals θ₀ + Σ θⱼ xₙⱼ for
θⱼ = θ̃ⱼ/σⱼ and θ₀ = θ̃₀ − Σ θ̃ⱼ μⱼ/σⱼ: the fit is the same line, only the coordinates in which
gradient descent walks change — and with them the conditioning of J (the chapter's remark that
scaling "can improve optimization stability").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Standardizer:
    """Per-feature mean μ and standard deviation σ (population, ddof=0)."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> Standardizer:
        return cls(mean=X.mean(axis=0), std=X.std(axis=0))

    @classmethod
    def identity(cls, d: int) -> Standardizer:
        return cls(mean=np.zeros(d), std=np.ones(d))

    def transform(self, X: np.ndarray) -> np.ndarray:
        """(X − μ)/σ as a new C-contiguous array."""
        out = np.subtract(X, self.mean)
        out /= self.std
        return np.ascontiguousarray(out)

    def to_original(self, theta: np.ndarray) -> np.ndarray:
        """θ in standardised coordinates (intercept first) → θ in original units."""
        theta = np.asarray(theta, dtype=float)
        w = theta[1:] / self.std
        return np.concatenate([[theta[0] - float(np.dot(w, self.mean))], w])

    def to_scaled(self, theta: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`to_original`."""
        theta = np.asarray(theta, dtype=float)
        w = theta[1:] * self.std
        return np.concatenate([[theta[0] + float(np.dot(theta[1:], self.mean))], w])
