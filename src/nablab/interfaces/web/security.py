"""Security headers: a Content-Security-Policy that keeps the page on its own origin.

Nothing the page loads or contacts may leave the server (the issue's "offline" promise), so every
fetch directive is ``'self'``. Styles may be inline because KaTeX writes ``style=""``
attributes; scripts may not (no inline script, no eval). ``/embed`` is the one page that other
sites may frame (the chapter puts it in an iframe).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def content_security_policy(frame_ancestors: str = "'self'") -> str:
    return "; ".join((*CSP_DIRECTIVES, f"frame-ancestors {frame_ancestors}"))


def security_headers(path: str, embed_ancestors: str = "*") -> dict[str, str]:
    """The headers for a response to ``path``."""
    embed = path == "/embed" or path.startswith("/embed/")
    headers = {
        "Content-Security-Policy": content_security_policy(embed_ancestors if embed else "'self'"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if not embed:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers` to every HTTP response (pure ASGI: no body buffering)."""

    def __init__(self, app: ASGIApp, embed_ancestors: str = "*") -> None:
        self.app = app
        self.embed_ancestors = embed_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                 for k, v in security_headers(scope["path"], self.embed_ancestors).items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in extra}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
