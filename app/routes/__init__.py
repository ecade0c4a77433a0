"""All routers, in the order they are matched (fixed paths before ``{slug}`` paths)."""

from app.routes import auth, dashboard, health, stories

ROUTERS = [
    health.router,
    auth.router,
    dashboard.router,
    stories.router,
]
