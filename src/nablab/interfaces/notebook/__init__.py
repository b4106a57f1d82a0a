"""The notebook interface: ``nablab.widget(...)`` (``widget.py``), the gradient lab as a Jupyter
widget. Rich display of results needs nothing extra; the widget needs anywidget
(``nablab[notebook]``), which ``widget.py`` checks for before importing it.
"""
