"""The web server: the page, the JSON API and its docs, all from one origin.

``create_app(settings)`` builds a FastAPI app whose API endpoints validate the body (see
``schemas.py``), answer from the cache when they can, and otherwise run the work in the worker
pool (``workers.py``) — never in this process. Every failure is the CLI's ``{"error": …}``
object. Static files and the vendored KaTeX / Plotly / Swagger UI come from this package and the
repository's ``node_modules``; nothing is loaded from another origin.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nablab.interfaces.web import schemas
from nablab.interfaces.web.cache import ResponseCache
from nablab.interfaces.web.security import SecurityHeadersMiddleware
from nablab.interfaces.web.workers import (
    START_TIMEOUT,
    TASKS_MODULE,
    PoolBusy,
    PoolClosed,
    WorkerPool,
)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
APIDOCS_DIR = HERE / "apidocs"

# /vendor/<name>/ -> the first of these folders (inside node_modules) that exists
VENDOR: dict[str, tuple[str, ...]] = {
    "katex": ("katex/dist",),
    "plotly": ("plotly.js-dist-min", "plotly.js-strict-dist-min", "plotly.js-dist"),
    "swagger-ui": ("swagger-ui-dist",),
}
REQUIRED_VENDOR = ("katex", "plotly")


def find_node_modules(start: Path = HERE) -> Path:
    """The ``node_modules`` next to the nearest ``package.json`` above ``start`` (the repo's)."""
    for parent in [start, *start.parents]:
        if (parent / "package.json").is_file():
            return parent / "node_modules"
    return Path.cwd() / "node_modules"


@dataclass
class Settings:
    """Everything the server can be configured with (the CLI fills it from its options)."""

    workers: int = 2
    time_limit: float = 10.0
    memory_mb: int | None = 1024
    queue_limit: int = 64
    slow_after: float = 0.3
    max_demoted: int | None = None
    cache_entries: int = 2048
    max_body: int = 64 * 1024
    static_dir: Path = STATIC_DIR
    node_modules: Path = field(default_factory=find_node_modules)
    require_vendor: bool = True
    embed_ancestors: str = "*"
    tasks_module: str = TASKS_MODULE


class AssetsMissing(RuntimeError):
    """The vendored browser libraries are not installed (``npm ci`` has not run)."""


def vendor_dirs(settings: Settings) -> dict[str, Path]:
    """Which vendor folders exist; raises :class:`AssetsMissing` for a required one."""
    found: dict[str, Path] = {}
    for name, candidates in VENDOR.items():
        # the installed wheel's vendor/<npm package>/ first (notebook branch; webapi's
        # assets.py does the same and supersedes this), then node_modules
        for path in [b / rel for b in (HERE / "vendor", settings.node_modules) for rel in candidates]:
            if path.is_dir():
                found[name] = path
                break
    missing = [n for n in REQUIRED_VENDOR if n not in found]
    if missing and settings.require_vendor:
        wanted = ", ".join(VENDOR[n][0] for n in missing)
        raise AssetsMissing(
            f"the page's browser libraries are missing from {settings.node_modules}: {wanted}. "
            "Run ./dev setup (it runs npm ci) in the repository first."
        )
    return found


def _json(status: int, obj: dict, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(obj, ensure_ascii=False).encode(), status_code=status,
                    media_type="application/json", headers=headers)


def error_response(status: int, message: str, hint: str | None = None,
                   column: int | None = None, headers: dict[str, str] | None = None) -> Response:
    return _json(status, {"error": {"message": message, "column": column, "hint": hint}}, headers)


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_body`` bytes with 413 before anything parses them."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, f"the request body is larger than the limit of {self.max_body} bytes",
            hint="send a shorter function or less data")
        await response(scope, receive, send)


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    """FastAPI's list of validation errors → one message naming the field, and a hint."""
    errors = exc.errors()
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
    if loc and loc[0] in schemas.FIELD_HELP:  # a number out of range or not a number
        words, hint = schemas.FIELD_HELP[loc[0]]
        return f"{words}{more}", hint
    return f"{where}: {msg}{more}", "see /docs for the fields of each endpoint"


ERROR_RESPONSES: dict = {
    422: {"model": schemas.ErrorResponse, "description": "bad input, or the work exceeded the "
          "time or memory limit"},
    413: {"model": schemas.ErrorResponse, "description": "request body too large"},
    501: {"model": schemas.ErrorResponse, "description": "not built yet in this version"},
    503: {"model": schemas.ErrorResponse, "description": "server busy: queue full"},
}


def _affinity(payload: dict) -> str | None:
    """The function a request is about: requests about the same one go to the worker whose
    caches already hold it (see ``workers._Dispatcher``)."""
    text = payload.get("text")
    if not isinstance(text, str):
        return None
    return json.dumps([text, payload.get("variables"), payload.get("latex")])


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Raises :class:`AssetsMissing` when KaTeX or Plotly are not installed."""
    settings = settings or Settings()
    vendors = vendor_dirs(settings)
    pool = WorkerPool(
        size=settings.workers,
        time_limit=settings.time_limit,
        memory_mb=settings.memory_mb,
        queue_limit=settings.queue_limit,
        slow_after=settings.slow_after,
        max_demoted=settings.max_demoted,
        tasks_module=settings.tasks_module,
    )
    cache = ResponseCache(max_entries=settings.cache_entries)
    inflight: dict[str, asyncio.Future] = {}
    state: dict = {"endpoints": {}}

    ready = asyncio.Event()

    async def start_pool() -> None:
        """Start the workers (importing SymPy takes seconds) while the server already serves
        the page; API requests wait for ``ready``."""
        await pool.start()
        try:
            outcome = await pool.run("available", {})
            state["endpoints"] = json.loads(outcome.body) if outcome.status == 200 else {}
        except Exception:  # pragma: no cover - health then just does not list them
            state["endpoints"] = {}
        # The server process holds ~90 000 long-lived objects (FastAPI, pydantic, SymPy for the
        # error types); a full garbage collection scanning them blocks every request for
        # ~60 ms. Frozen, they are never scanned again.
        gc.freeze()
        ready.set()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        starting = asyncio.create_task(start_pool())
        try:
            yield
        finally:
            starting.cancel()
            await pool.close()

    app = FastAPI(
        title="nablab",
        summary="Partial derivatives, gradients, steps and gradient descent over HTTP.",
        description="The JSON API of nablab's interactive gradient page. Every response is the "
        "object that the matching `nablab … --json` prints; every failure is "
        '`{"error": {"message", "column", "hint"}}`. See docs/http-api.md.',
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.cache = cache
    app.state.settings = settings

    @app.exception_handler(RequestValidationError)
    async def _on_validation(_request: Request, exc: RequestValidationError) -> Response:
        message, hint = _validation_message(exc)
        return error_response(422, message, hint)

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(_request: Request, exc: StarletteHTTPException) -> Response:
        message = {404: "not found", 405: "method not allowed"}.get(exc.status_code,
                                                                     str(exc.detail))
        return error_response(exc.status_code, message)

    @app.exception_handler(Exception)
    async def _on_bug(_request: Request, exc: Exception) -> Response:  # pragma: no cover
        return error_response(500, f"internal error in nablab: {type(exc).__name__}")

    async def run(endpoint: str, body: schemas._Request) -> Response:
        if not ready.is_set():
            try:
                await asyncio.wait_for(ready.wait(), timeout=START_TIMEOUT)
            except TimeoutError:
                return error_response(503, "the workers are still starting; try again shortly",
                                      headers={"Retry-After": "2"})
        payload = body.payload()
        key = cache.key(endpoint, payload)
        hit = cache.get(key)
        if hit is not None:
            return Response(hit.body, status_code=hit.status, media_type="application/json",
                            headers={"X-Nablab-Cache": "hit"})
        pending = inflight.get(key)
        if pending is not None:  # the same request is already running: share its answer
            status, data = await asyncio.shield(pending)
            return Response(data, status_code=status, media_type="application/json",
                            headers={"X-Nablab-Cache": "shared"})
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        inflight[key] = future
        try:
            try:
                outcome = await pool.run(endpoint, payload, affinity=_affinity(payload))
            except PoolBusy as exc:
                response = error_response(
                    503, f"the server is busy ({exc}); try again in a moment",
                    hint="the queue of waiting requests is full", headers={"Retry-After": "1"})
                future.set_result((503, response.body))
                return response
            except PoolClosed:
                response = error_response(503, "the server is shutting down")
                future.set_result((503, response.body))
                return response
            if outcome.cacheable and outcome.status in (200, 422):
                cache.put(key, outcome.status, outcome.body)
            future.set_result((outcome.status, outcome.body))
            return Response(outcome.body, status_code=outcome.status,
                            media_type="application/json",
                            headers={"X-Nablab-Cache": "miss",
                                     "Server-Timing": f"queue;dur={outcome.waited * 1000:.1f}, "
                                                      f"work;dur={outcome.seconds * 1000:.1f}"})
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("gone"))
                future.exception()  # retrieved: no "never retrieved" warning if nobody waits
            raise
        finally:
            inflight.pop(key, None)

    @app.post("/api/parse", responses=ERROR_RESPONSES, tags=["api"])
    async def parse(body: schemas.ParseRequest) -> Response:
        """Read a function: `nablab parse TEXT --json`."""
        return await run("parse", body)

    @app.post("/api/gradient", responses=ERROR_RESPONSES, tags=["api"])
    async def gradient(body: schemas.GradientRequest) -> Response:
        """Partials, ∇f, at a point, steps: `nablab grad TEXT … --json`."""
        return await run("gradient", body)

    @app.post("/api/check", responses=ERROR_RESPONSES, tags=["api"])
    async def check(body: schemas.CheckRequest) -> Response:
        """Is an answer equal to ∂f/∂var: `nablab check TEXT --var x --answer … --json`."""
        return await run("check", body)

    @app.post("/api/descent", responses=ERROR_RESPONSES, tags=["api"])
    async def descent(body: schemas.DescentRequest) -> Response:
        """Gradient descent: `nablab descent TEXT --from … --rate … --json`."""
        return await run("descent", body)

    @app.post("/api/regress", responses=ERROR_RESPONSES, tags=["api"])
    async def regress(body: schemas.RegressRequest) -> Response:
        """Linear regression on CSV text: `nablab regress DATA --x … --y … --json`."""
        return await run("regress", body)

    @app.post("/api/plot", responses=ERROR_RESPONSES, tags=["api"])
    async def plot(body: schemas.PlotRequest) -> Response:
        """f and ∇f sampled on a grid (contours, surface, arrows); see docs/http-api.md."""
        return await run("plot", body)

    @app.get("/api/health", tags=["api"])
    async def health() -> Response:
        """Liveness and load: workers alive and busy, queue, cache, available endpoints."""
        return _json(200, {"status": "ok" if ready.is_set() else "starting", **pool.stats(),
                           "cache": cache.stats(), "endpoints": state["endpoints"]})

    # -- the page, its assets and the API docs -----------------------------------------------
    def page() -> Response:
        index = settings.static_dir / "index.html"
        if not index.is_file():
            return error_response(503, "the page is not built: static/index.html is missing")
        return FileResponse(index, media_type="text/html")

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def root() -> Response:
        return page()

    @app.api_route("/embed", methods=["GET", "HEAD"], include_in_schema=False)
    async def embed() -> Response:
        return page()

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        name = "swagger.html" if "swagger-ui" in vendors else "apidocs.html"
        return HTMLResponse((APIDOCS_DIR / name).read_text(encoding="utf-8"))

    app.mount("/apidocs", StaticFiles(directory=APIDOCS_DIR), name="apidocs")
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    for name, path in vendors.items():
        app.mount(f"/vendor/{name}", StaticFiles(directory=path), name=f"vendor-{name}")

    app.add_middleware(BodyLimitMiddleware, max_body=settings.max_body)
    app.add_middleware(SecurityHeadersMiddleware, embed_ancestors=settings.embed_ancestors)
    return app


def settings_from_env(**overrides: object) -> Settings:
    """Settings with ``NABLAB_NODE_MODULES`` honoured (interfaces may read the environment)."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    env = os.environ.get("NABLAB_NODE_MODULES")
    if env:
        settings.node_modules = Path(env)
    return settings
