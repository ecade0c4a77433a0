"""All routers, in the order they are matched (fixed paths before ``{slug}`` paths)."""

from app.routes import admin, auth, dashboard, health, stories

ROUTERS = [
    health.router,
    auth.router,
    admin.router,
    dashboard.router,
    stories.router,
]
