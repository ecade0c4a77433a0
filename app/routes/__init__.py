"""All routers, in the order they are matched (fixed paths before ``{slug}`` paths)."""

from app.routes import (
    admin,
    api_figures,
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
    api_figures.router,
    indicator_page.router,  # /indicators/{slug}: after the fixed /indicators/... paths
]
