"""The web server's routes: the page, the JSON API and its docs, all from one origin.

``create_app(settings)`` wires the pieces: request bodies (``schemas.py``) → the cache and the
worker pool (``runner.py``, ``pool.py``) → the answer, every failure in the CLI's ``{"error": …}``
shape (``errors.py``); the body limit and security headers (``middleware.py``, ``security.py``);
static files and the vendored KaTeX / Plotly / Swagger UI (``assets.py``). Nothing is loaded
from another origin and no symbolic work runs in this process.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from nablab.interfaces.web import schemas
from nablab.interfaces.web.assets import APIDOCS_DIR, AssetsMissing, vendor_dirs
from nablab.interfaces.web.cache import ResponseCache
from nablab.interfaces.web.errors import (
    ERROR_RESPONSES,
    error_response,
    install_handlers,
    json_response,
)
from nablab.interfaces.web.middleware import BodyLimitMiddleware
from nablab.interfaces.web.pool import WorkerPool
from nablab.interfaces.web.runner import Runner
from nablab.interfaces.web.security import SecurityHeadersMiddleware
from nablab.interfaces.web.settings import Settings, settings_from_env

__all__ = ["AssetsMissing", "Settings", "create_app", "settings_from_env"]

#: API operation → (request model, answer model, description); path /api/<operation>
API: dict[str, tuple[type[schemas._Request], Any, str]] = {
    "parse": (schemas.ParseRequest, schemas.ParseResponse,
              "Read a function: `nablab parse TEXT --json`."),
    "gradient": (schemas.GradientRequest, schemas.GradientResponse,
                 "Partials, ∇f, at a point, steps, the computational graph: `nablab grad TEXT "
                 "… [--graph] --json`."),
    "check": (schemas.CheckRequest, schemas.CheckResponse,
              "Is an answer equal to ∂f/∂var: `nablab check TEXT --var x --answer … --json`."),
    "descent": (schemas.DescentRequest, schemas.DescentResponse | schemas.DescentRunsResponse,
                "Gradient descent and other optimizers: `nablab descent TEXT --from … --rate … "
                "[--method gd,nesterov,adam] [--opt beta=0.9] [--line-search armijo] --json`; "
                "one method answers one run, several `{\"runs\": [...]}`."),
    "regress": (schemas.RegressRequest, schemas.RegressResponse,
                "Linear regression on CSV text: `nablab regress DATA --x … --y … [--method adam] "
                "[--opt beta1=0.9] [--batch 30 --shuffle --seed 2] --json`; the same optimizers "
                "as /api/descent but newton, with the least-squares θ next to the result."),
    "plot": (schemas.PlotRequest, schemas.PlotResponse,
             "f and ∇f sampled on a grid (contours, surface, arrows); see docs/http-api.md."),
    "lab": (schemas.LabRequest, schemas.LabResponse,
            "One edit on the page in one request: the reading, partials, ∇f, steps, the point "
            "and the plot samples, from one reading of the text; see docs/http-api.md."),
}


def _endpoint(runner: Runner, name: str,
              model: type[schemas._Request]) -> Callable[..., Awaitable[Response]]:
    async def endpoint(body: schemas._Request) -> Response:
        return await runner.run(name, body.payload())

    endpoint.__name__ = name
    endpoint.__annotations__ = {"body": model, "return": Response}  # FastAPI reads the model
    return endpoint


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app. Raises :class:`AssetsMissing` when KaTeX or Plotly are not installed."""
    settings = settings or Settings()
    vendors = vendor_dirs(settings.node_modules, settings.require_vendor,
                          settings.package_vendor)
    pool = WorkerPool(size=settings.workers, time_limit=settings.time_limit,
                      memory_mb=settings.memory_mb, queue_limit=settings.queue_limit,
                      slow_after=settings.slow_after, max_demoted=settings.max_demoted,
                      tasks_module=settings.tasks_module, spares=settings.spares)
    cache = ResponseCache(max_entries=settings.cache_entries, max_bytes=settings.cache_bytes)
    runner = Runner(pool, cache)

    async def start_pool() -> None:
        """Start the workers (importing SymPy takes seconds) while the server already serves
        the page; API requests wait for ``ready``."""
        await pool.start()
        # The server process holds ~90 000 long-lived objects (FastAPI, pydantic, SymPy for the
        # error types); a full garbage collection scanning them blocks every request for
        # ~60 ms. Frozen, they are never scanned again.
        gc.freeze()
        runner.ready.set()

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
        '`{"error": {"message", "column", "hint"}}`. A well-formed request whose text is not '
        "a function we can read, or whose values are outside the function's domain, is a 422 "
        "with that object: the grammar cannot be written in JSON Schema. See docs/http-api.md.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.cache = cache
    app.state.settings = settings
    install_handlers(app)

    for name, (model, answer, summary) in API.items():
        app.add_api_route(
            f"/api/{name}", _endpoint(runner, name, model), methods=["POST"], tags=["api"],
            summary=summary.split(":")[0].rstrip("."), description=summary,
            responses={200: {"model": answer, "description": "the answer"}, **ERROR_RESPONSES},
            response_class=Response, name=name)

    @app.get("/api/health", tags=["api"], response_model=schemas.HealthResponse,
             responses={500: ERROR_RESPONSES[500]})
    async def health() -> Response:
        """Liveness and load: workers alive and busy, queue, cache, the API operations."""
        return json_response(200, {"status": "ok" if runner.ready.is_set() else "starting",
                                   **pool.stats(), "cache": cache.stats(),
                                   "endpoints": list(API)})

    _page_routes(app, settings.static_dir, "swagger-ui" in vendors)
    app.mount("/apidocs", StaticFiles(directory=APIDOCS_DIR), name="apidocs")
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    for name, path in vendors.items():
        app.mount(f"/vendor/{name}", StaticFiles(directory=path), name=f"vendor-{name}")

    app.add_middleware(BodyLimitMiddleware, max_body=settings.max_body)
    app.add_middleware(SecurityHeadersMiddleware, embed_ancestors=settings.embed_ancestors)
    return app


def _page_routes(app: FastAPI, static_dir: Path, swagger: bool) -> None:
    """``/`` and ``/embed`` (the page) and ``/docs`` (Swagger UI, or the self-hosted reader)."""

    def page() -> Response:
        index = static_dir / "index.html"
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
        name = "swagger.html" if swagger else "apidocs.html"
        return HTMLResponse((APIDOCS_DIR / name).read_text(encoding="utf-8"))
