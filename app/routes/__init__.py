"""All routers, in the order they are matched (fixed paths before ``{slug}`` paths)."""

from app.routes import (
    admin,
    auth,
    dashboard,
    health,
    indicator_page,
    moderation,
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
    moderation.router,
    indicator_page.router,  # /indicators/{slug}: after the fixed /indicators/... paths
]
