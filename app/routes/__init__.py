"""All routers, in the order they are matched (fixed paths before ``{slug}`` paths)."""

from app.routes import (
    admin,
    api_figures,
    api_narratives,
    api_partners,
    api_sessions,
    auth,
    dashboard,
    export,
    health,
    indicator_page,
    indicators,
    learning,
    moderation,
    partners,
    search,
    sessions,
    stories,
    vendor,
)

ROUTERS = [
    vendor.router,
    health.router,
    auth.router,
    export.router,
    admin.router,
    dashboard.router,
    search.router,
    stories.router,
    partners.router,
    moderation.router,
    api_narratives.router,
    api_partners.router,
    sessions.router,
    learning.router,
    api_sessions.router,
    api_figures.router,
    indicators.router,
    indicator_page.router,  # /indicators/{slug}: after the fixed /indicators/... paths
]
