"""Application settings, read from the environment (prefix ``DUIDING_``).

Every field carries a description; a test checks that each one is documented in
the README, so a municipality's operator never has to read code to configure Duiding.
"""

import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path("data")
#: A plain address: something@domain.tld, no display name, no spaces.
EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")


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
    login_account_failures: int = Field(
        default=20,
        ge=1,
        description="Failed logins of one account from all addresses before it is slowed.",
    )
    login_account_delay_seconds: int = Field(
        default=5, ge=1, description="A slowed account takes one attempt per this many seconds."
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
    smtp_host: str = Field(
        default="",
        description="Mail server that sends the e-mail notifications; empty: no e-mail at all.",
    )
    smtp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of the mail server; empty: 587 with starttls, 465 with ssl, 25 without.",
    )
    smtp_from: str = Field(
        default="", description="Sender address of the notifications (required with a host)."
    )
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description="How to secure the connection: starttls (upgrade), ssl (TLS from the "
        "start) or none (only for a relay on the same machine or network).",
    )
    smtp_username: str = Field(
        default="", description="Login name at the mail server; empty: no login."
    )
    smtp_password: SecretStr = Field(
        default=SecretStr(""), description="Password for that login (required with a name)."
    )
    smtp_timeout_seconds: int = Field(
        default=20, ge=1, le=600, description="How long to wait for the mail server."
    )
    mail_interval_seconds: int = Field(
        default=60,
        ge=0,
        le=86_400,
        description="How often the server sends what waits in the outbox; 0: never "
        "(run `duiding mail send` from cron instead).",
    )
    site_url: str = Field(
        default="",
        description="Public address of this instance (https://duiding.gemeente.nl), for "
        "links in e-mails; empty: e-mails carry no links.",
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
        self._check_mail()
        return self

    def _check_mail(self) -> None:
        """Refuse a mail configuration that could never send (each problem named)."""
        self.smtp_host = self.smtp_host.strip()
        self.site_url = self.site_url.strip().rstrip("/")
        if self.site_url and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", self.site_url):
            raise ValueError(
                "DUIDING_SITE_URL must be an http(s) address such as https://duiding.example.nl"
            )
        if not self.smtp_host:
            return
        if not re.fullmatch(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]", self.smtp_host):
            raise ValueError(
                "DUIDING_SMTP_HOST must be a host name or address (such as smtp.example.nl), "
                "without a scheme, port or spaces"
            )
        if not EMAIL.fullmatch(self.smtp_from.strip()):
            raise ValueError(
                "DUIDING_SMTP_FROM must be the sender's e-mail address "
                "(such as duiding@gemeente.example) when DUIDING_SMTP_HOST is set"
            )
        self.smtp_from = self.smtp_from.strip()
        if bool(self.smtp_username) != bool(self.smtp_password.get_secret_value()):
            raise ValueError("DUIDING_SMTP_USERNAME and DUIDING_SMTP_PASSWORD go together")

    @property
    def mail_enabled(self) -> bool:
        """Whether e-mail notifications are on (a mail server is configured)."""
        return bool(self.smtp_host)

    @property
    def mail_port(self) -> int:
        """The mail server's port, or the usual one for the chosen security."""
        return self.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[self.smtp_security]

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


def settings_or_exit() -> Settings:
    """Return the settings, or stop the process with one clear line per bad setting
    (a server must not start on a configuration it cannot honour)."""
    try:
        return get_settings()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            where = "".join(f"DUIDING_{part}".upper() for part in problem["loc"][:1])
            message = problem["msg"].removeprefix("Value error, ")
            lines.append(f"  {where + ': ' if where else ''}{message}")
        raise SystemExit("Duiding cannot start, a setting is wrong:\n" + "\n".join(lines)) from None
