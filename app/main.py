"""Assemble the application: routers, templates, static files, middleware, error handlers.

Nothing else happens at import time; ``create_app()`` is the only entry point.
"""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from app import collector, openapi
from app.config import settings_or_exit
from app.errors import register_error_handlers
from app.mail import background
from app.middleware import (
    AuthMiddleware,
    BodySizeLimitMiddleware,
    HealthMiddleware,
    LanguageMiddleware,
    SecurityHeadersMiddleware,
    TextInputMiddleware,
)
from app.routes import ROUTERS
from app.routes.vendor import vega_bundle
from app.startup import on_startup
from app.templating import TEMPLATES_DIR, keep_compiled_templates, templates
from app.warmup import start_warm_up

STATIC_DIR = TEMPLATES_DIR.parent / "static"
SESSION_MAX_AGE = 14 * 24 * 3600


#: Templates compiled by the warm-up (the pages a first visitor after a start opens).
WARM_TEMPLATES = ("indicators/detail.html", "timeline.html", "reports/report.html")


def _compile_templates() -> None:
    for name in WARM_TEMPLATES:
        templates.env.get_template(name)


@asynccontextmanager
async def lifespan(app: FastAPI):
    collector.tune()
    on_startup()
    mail = background.start()  # the outbox is emptied every minute (when mail is on)
    # In the background: the server answers at once (app/warmup.py).
    start_warm_up(first=[_compile_templates], last=[vega_bundle])
    yield
    await background.stop(mail)


def create_app() -> FastAPI:
    """Build the Duiding ASGI application from the current settings."""
    settings = settings_or_exit()
    keep_compiled_templates(settings.data_dir / "cache" / "templates")
    app = FastAPI(
        title="Duiding",
        version="1",
        summary="Figures read as signals, next to the stories and reflections that explain them.",
        lifespan=lifespan,
        docs_url=None,  # served by app/routes/api_docs.py with vendored Swagger UI
        redoc_url=None,
    )
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    register_error_handlers(app)
    openapi.install(app)
    # Added innermost first: the auth middleware needs the session the session
    # middleware decodes; headers and size limits wrap everything.
    app.add_middleware(TextInputMiddleware)
    app.add_middleware(AuthMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="duiding_session",
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(HealthMiddleware)  # /healthz needs none of the above
    app.add_middleware(SecurityHeadersMiddleware)
    return app
