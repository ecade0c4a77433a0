"""Application settings, read from the environment (prefix ``DUIDING_``).

Every field carries a description; a test checks that each one is documented in
the README, so a municipality's operator never has to read code to configure Duiding.
"""

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path("data")


class Settings(BaseSettings):
    """Runtime configuration of one Duiding instance."""

    model_config = SettingsConfigDict(env_prefix="DUIDING_", extra="ignore")

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the database; empty means a SQLite file under ./data/.",
    )
    secret_key: str = Field(
        default="",
        description="Key that signs sessions, CSRF tokens and invite links; "
        "generated and kept under ./data/ when absent.",
    )
    public_stories: bool = Field(
        default=False, description="Whether anyone may use the story form without an invite link."
    )
    public_read: bool = Field(
        default=False,
        description="Whether anonymous visitors may read figures, timelines, "
        "published stories and reports.",
    )
    default_language: str = Field(
        default="nl", description="Language of the interface when the visitor states none (nl, en)."
    )
    data_dir: Path = Field(
        default=DATA_DIR, description="Folder for the SQLite database, the secret key and caches."
    )
    secure_cookies: bool = Field(
        default=False, description="Mark session cookies Secure (turn on behind https)."
    )
    max_upload_mb: int = Field(
        default=50, ge=1, description="Largest accepted upload (CSV import), in megabytes."
    )
    max_request_kb: int = Field(
        default=256,
        ge=16,
        description="Largest accepted body of a non-upload request, in kilobytes.",
    )
    contact_retention_days: int = Field(
        default=90,
        ge=1,
        description="Days after which contact details left with a story are deleted.",
    )
    story_rate_limit: int = Field(
        default=10,
        ge=1,
        description="Stories one client may send through the public form per rate window.",
    )
    story_rate_window_minutes: int = Field(
        default=60, ge=1, description="Length of the public form's rate-limit window, in minutes."
    )
    small_numbers_threshold: int = Field(
        default=5,
        ge=1,
        description="District values below this are shown as 'fewer than N' to anonymous readers.",
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins per account or address before throttling."
    )
    login_lockout_minutes: int = Field(
        default=15, ge=1, description="How long login is throttled after too many failures."
    )
    cbs_v3_url: str = Field(
        default="https://opendata.cbs.nl/ODataApi/odata",
        description="Address of CBS StatLine's OData v3 service (a proxy or mirror may stand in).",
    )
    cbs_v4_url: str = Field(
        default="https://datasets.cbs.nl/odata/v1/CBS",
        description="Address of CBS StatLine's OData v4 service (catalogue CBS).",
    )
    cbs_dataderden_url: str = Field(
        default="https://dataderden.cbs.nl/ODataApi/odata",
        description="Address of CBS's third-party service (dataderden: Iv3 finance, police "
        "crime per district), read with --source dataderden.",
    )
    consent_version: str = Field(
        default="2026-1",
        description="Version of the consent wording on the story form, stored with each story.",
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'duiding.db'}"
        if not self.secret_key:
            self.secret_key = _stored_secret(self.data_dir)
        if self.default_language not in ("nl", "en"):
            raise ValueError("DUIDING_DEFAULT_LANGUAGE must be 'nl' or 'en'")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _stored_secret(data_dir: Path) -> str:
    """Return the instance's secret, creating it once so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (tests clear the cache to change them)."""
    return Settings()
