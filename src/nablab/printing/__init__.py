"""How an expression is written as plain text: :func:`~nablab.printing.text.to_text` (SymPy
syntax that SymPy reads back) and :func:`~nablab.printing.text.to_echo` (the human reading,
"how nablab understood it").

It sits at the bottom, next to the expression, because every layer writes expressions into its
messages (a domain condition's reason, a division-by-zero error); :mod:`nablab.render` builds
the output formats (LaTeX, MathML, JSON) on top of it. Like the renderers it formats and never
computes.
"""
