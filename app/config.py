"""Configuration: an embedded SQLite database by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from app.database import engine_options, timeouts_from

# Keys that must never sign production cookies: they are in the source or in tutorials.
WEAK_SECRET_KEYS = frozenset({"", "dev", "devkey", "secret", "changeme", "change-me", "gongjian"})
MIN_SECRET_KEY_LENGTH = 32


# How many failed guesses (app/blueprints/auth/limits.py says what each counts).
RATE_LIMITS = {
    "LOGIN_RATE_LIMIT": "10 per minute; 50 per hour",
    "LOGIN_ACCOUNT_RATE_LIMIT": "30 per hour",
    "LOGIN_ADDRESS_RATE_LIMIT": "100 per hour",
    "PASSWORD_RATE_LIMIT": "5 per 15 minutes",
    "ACTIVATION_RATE_LIMIT": "10 per minute; 30 per hour",
    "SIGNUP_RATE_LIMIT": "5 per minute; 20 per hour",
}

# Where uploaded photos live (app/storage.py): all unset, the upload folder.
STORAGE_SETTINGS = (
    "STORAGE_URL",
    "STORAGE_ENDPOINT_URL",
    "STORAGE_ACCESS_KEY",
    "STORAGE_SECRET_KEY",
    "STORAGE_REGION",
)


class ConfigError(RuntimeError):
    """The configuration would make the app unsafe or unable to run."""


def _instance_secret_key(instance_path: Path) -> str:
    """Read the key generated on first run, creating it (readable by the owner only) if absent."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Settings from the environment, with safe defaults for a single community office."""
    env = os.environ
    production = env.get("GONGJIAN_ENV", "development") == "production"
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'gongjian.db'}"
    config = {
        "PRODUCTION": production,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATABASE_TIMEOUTS": timeouts_from(env),
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE") == "1",
        "SESSION_COOKIE_NAME": "gongjian_session",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        **{name: env.get(name, default) for name, default in RATE_LIMITS.items()},
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ("zh_CN", "en"),
        "PROXY_FIX_X_FOR": int(env.get("PROXY_FIX_X_FOR", "0")),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Tests run each task as it is enqueued; servers hand it to the consumer.
        "QUEUE_IMMEDIATE": env.get("QUEUE_IMMEDIATE") == "1",
        # A roster check beats every 1,000 rows; silent this long, its worker died.
        "IMPORT_CHECK_STALE_SECONDS": float(env.get("IMPORT_CHECK_STALE_SECONDS", "60")),
        # Printed links and QR codes; in production the address residents reach the portal at.
        "PUBLIC_URL": env.get("PUBLIC_URL") or f"http://127.0.0.1:{env.get('PORT', '5000')}",
        **{name: env.get(name) or None for name in STORAGE_SETTINGS},
        # Host headers the portal answers to (others get 400); comma-separated, optional.
        "TRUSTED_HOSTS": [h.strip() for h in env["TRUSTED_HOSTS"].split(",")]
        if env.get("TRUSTED_HOSTS")
        else None,
    }
    config.update(overrides or {})
    config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        engine_options(config["SQLALCHEMY_DATABASE_URI"], config["DATABASE_TIMEOUTS"]),
    )
    if production and not env.get("PUBLIC_URL") and "PUBLIC_URL" not in (overrides or {}):
        raise ConfigError("PUBLIC_URL must be set in production, e.g. https://gongjian.example.cn")
    if not config["SECRET_KEY"]:
        if production:
            raise ConfigError("SECRET_KEY must be set in the environment in production.")
        config["SECRET_KEY"] = _instance_secret_key(instance_path)
    check_production_safety(config)
    return config


def check_production_safety(config: dict) -> None:
    """Refuse to start a production app whose cookies anyone could forge."""
    if not config["PRODUCTION"]:
        return
    key = config["SECRET_KEY"] or ""
    if key.lower() in WEAK_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is a default or shorter than {MIN_SECRET_KEY_LENGTH} characters; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
