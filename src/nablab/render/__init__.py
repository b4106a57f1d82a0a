"""Renderers: turn expressions and result objects into text, LaTeX, MathML and JSON.

They format; they never differentiate or simplify.
"""
