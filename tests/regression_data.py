"""The chapter's linear regression as test data: y = 0.5 + 1.5a − 2b + noise, two features of
very different scales (so scaling matters), and the closed form to compare every fit with."""

from __future__ import annotations

import numpy as np


def data(n: int = 1200, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal([4.0, -2.0], [3.0, 0.5], (n, 2))
    y = 0.5 + 1.5 * X[:, 0] - 2.0 * X[:, 1] + rng.normal(0, 0.3, n)
    return X, y


def lstsq(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """θ of least squares (intercept first), independent of nablab."""
    return np.linalg.lstsq(np.column_stack([np.ones(len(y)), X]), y, rcond=None)[0]
