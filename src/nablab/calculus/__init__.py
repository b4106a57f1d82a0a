"""Calculus over the reals: partials, ∇f, Hessian, output forms, domain, values at a point and
the finite-difference check. Modules load on use; start from :mod:`nablab.calculus.gradient`."""
