"""The HTTP API's one error shape, and how every failure becomes it.

Every failure is ``{"error": {"message", "column", "hint"}}`` — the object the CLI's ``--json``
prints. This module holds the one place that builds it on the web side (:func:`error_json`),
the wording for FastAPI's validation errors (pydantic's own names no quantity and offers no way
on), and the exception handlers ``create_app`` installs: 404/405 (with ``Allow``), 422 for a
body that does not validate, 500 with a logged traceback for a bug.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from nablab.errors import NablabError
from nablab.interfaces.web import schemas
from nablab.render.json import error_body

log = logging.getLogger("nablab.web")


def error_json(err: NablabError) -> dict:
    """The JSON answer of a failure: ``{"error": ...}`` around the one error object that the
    CLI's ``--json`` prints too (:func:`nablab.render.json.error_body`)."""
    return {"error": error_body(err)}


def error_bytes(message: str, hint: str | None = None, column: int | None = None) -> bytes:
    """:func:`error_json` encoded, for the worker processes (they send bytes)."""
    return json.dumps(error_json(NablabError(message, column=column, hint=hint)),
                      ensure_ascii=False).encode()


def json_response(status: int, obj: dict, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response (UTF-8, no ASCII escaping: messages carry ∂, ∇, η)."""
    return Response(json.dumps(obj, ensure_ascii=False).encode(), status_code=status,
                    media_type="application/json", headers=headers)


def error_response(status: int, message: str, hint: str | None = None,
                   column: int | None = None, headers: Mapping[str, str] | None = None
                   ) -> Response:
    """A failure as an HTTP response with the one error shape."""
    return json_response(status, error_json(NablabError(message, column=column, hint=hint)),
                         headers)


def validation_message(errors: list[dict]) -> tuple[str, str | None]:
    """FastAPI's list of validation errors → one message naming the field, and a hint."""
    if not errors:
        return "the request body is not valid", None
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    kind = first.get("type", "")
    if kind == "json_invalid":
        return "the request body is not valid JSON", "send a JSON object, e.g. {\"text\": \"x^2\"}"
    if not loc and kind in ("model_attributes_type", "dict_type"):
        return "the request body must be a JSON object", "e.g. {\"text\": \"x^2 y\"}"
    where = ".".join(loc) or "body"
    msg = first.get("msg", "is not valid")
    if kind == "missing":
        return f"{where}: this field is required", None
    if kind == "extra_forbidden":
        return f"{where}: unknown field", "see /docs for the fields of each endpoint"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" \
        if len(errors) > 1 else ""
    text_field = {"text": "the function", "answer": "the answer", "data": "the data"}.get(
        loc[0] if loc else "")
    if text_field and kind == "string_too_long":
        limit = (first.get("ctx") or {}).get("max_length")
        size = len(first.get("input") or "")
        return (f"{text_field} is too long ({size:,} characters; the limit is {limit:,})",
                "shorten it, or split the work into smaller functions")
    if text_field and kind == "string_too_short":
        return f"{text_field} is empty", "type something, e.g. x^2 y + sin(xy)"
    if kind == schemas.CORE_ERROR:  # refused by the core while validating: its own words
        ctx = first.get("ctx") or {}
        return str(ctx.get("message") or msg), ctx.get("hint")
    if loc and loc[0] in schemas.FIELD_CHOICES:  # a name outside a fixed list (method, …)
        return _choice_message(loc[0], [e for e in errors if _field(e) == loc[0]])
    if loc and loc[0] in schemas.FIELD_HELP:  # a number out of range or not a number
        words, hint = schemas.FIELD_HELP[loc[0]]
        return f"{words}{more}", hint
    return f"{where}: {msg}{more}", "see /docs for the fields of each endpoint"


def _field(error: dict) -> str | None:
    loc = [p for p in error.get("loc", ()) if p != "body"]
    return str(loc[0]) if loc else None


def _choice_message(field: str, errors: list[dict]) -> tuple[str, str | None]:
    """A method or line search that is not one of the known names, said as the core says it
    (``unknown method 'lbfgs'``, hint ``the methods are gd, …``): the union's errors (a string,
    a list, a mapping) are pydantic's way of saying the same thing."""
    label, intro, known = schemas.FIELD_CHOICES[field]
    hint = f"{intro} {', '.join(known)}"
    for e in errors:
        if "[key]" in e.get("loc", ()):  # line_search: {"adam": "armijo"}
            return (f"a line search is for gd and newton, not {e.get('input')}",
                    f"{e.get('input')} uses a fixed rate η; give line_search for gd or newton")
    value = errors[0].get("input") if errors else None
    names = value.split(",") if isinstance(value, str) else value if isinstance(value, list) \
        else list(value.values()) if isinstance(value, dict) else [value]
    for name in names:
        if not isinstance(name, str):
            return f"{field}: give names as text, e.g. {known[0]}", hint
        if name.strip() and name.strip() not in known:
            return f"unknown {label} {name.strip()!r}", hint
    if isinstance(value, str):
        return f"{field}: no {label} given between commas in {value!r}", hint
    return f"{field}: not a {label} or a list of them", hint


#: the failures every API operation can answer, as documented in /openapi.json
ERROR_RESPONSES: dict = {
    400: {"model": schemas.ErrorResponse, "description": "the body is not JSON at all "
          "(e.g. a form or multipart body): the content type must be application/json"},
    413: {"model": schemas.ErrorResponse, "description": "request body too large"},
    422: {"model": schemas.ErrorResponse, "description": "bad input: the body does not "
          "validate, the text does not parse, a value is outside the domain, or the work "
          "exceeded the time or memory limit (see docs/http-api.md)"},
    500: {"model": schemas.ErrorResponse, "description": "a bug in nablab (logged)"},
    503: {"model": schemas.ErrorResponse, "description": "server busy: queue full, heavy "
          "slots taken, workers starting, or shutting down; retry (Retry-After)"},
}


def install_handlers(app: FastAPI) -> None:
    """Make every failure FastAPI or Starlette produce the one error shape."""

    @app.exception_handler(RequestValidationError)
    async def _on_validation(_request: Request, exc: RequestValidationError) -> Response:
        message, hint = validation_message(list(exc.errors()))
        return error_response(422, message, hint)

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(_request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:  # Starlette could not read the body (form/multipart)
            return error_response(400, "the request body could not be read",
                                  hint="send a JSON object with Content-Type: application/json",
                                  headers=exc.headers)
        message = {404: "not found", 405: "method not allowed"}.get(exc.status_code,
                                                                     str(exc.detail))
        return error_response(exc.status_code, message, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _on_bug(request: Request, exc: Exception) -> Response:
        log.error("internal error answering %s %s", request.method, request.url.path,
                  exc_info=exc)
        return error_response(500, f"internal error in nablab: {type(exc).__name__}")
