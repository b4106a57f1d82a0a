"""The web interface: ``create_app(settings)`` (FastAPI) serving the page, the JSON API and its docs.

Import :mod:`nablab.interfaces.web.app` for the app factory; this package itself imports nothing
heavy so that ``nablab --help`` stays fast.
"""
