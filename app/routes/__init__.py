"""All routers, in the order they are matched (fixed paths before ``{slug}`` paths)."""

from app.routes import (
    admin,
    api_sessions,
    auth,
    dashboard,
    health,
    indicator_page,
    learning,
    sessions,
    stories,
    vendor,
)

ROUTERS = [
    vendor.router,
    health.router,
    auth.router,
    admin.router,
    dashboard.router,
    stories.router,
    sessions.router,
    learning.router,
    api_sessions.router,
    indicator_page.router,  # /indicators/{slug}: after the fixed /indicators/... paths
]
