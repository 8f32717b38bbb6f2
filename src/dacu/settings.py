"""Settings, read once at start-up from the environment (prefix `DACU_`)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///dacu.db"
"""The embedded default: one SQLite file in the working directory, no server needed."""


DEV_PAYMENT_SECRET = "dacu-development-only-payment-secret"
"""The simulated providers' HMAC secret when none is configured: for development and
tests only. Set DACU_PAYMENT_PRIMARY_SECRET and DACU_PAYMENT_BACKUP_SECRET anywhere else."""

DEV_CODE_SECRET = "dacu-development-only-code-secret"
"""The key one-time codes are stored under (HMAC-SHA256) when none is configured: for
development and tests only. Set DACU_CODE_SECRET anywhere else."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DACU_")

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"
    redis_url: str | None = None
    """With Redis, flash sales go through the Redis gate and its order writers;
    without, through the SQL gate in the database."""
    redis_prefix: str = "dacu"
    events_replicas: int = 0
    """With Redis: replicas that must hold a batch of events (WAIT) before it is answered
    202; 0 trusts the primary's append-only file as its `appendfsync` keeps it."""
    payment_primary: str = "simpay"
    """The channel new payments go to while it is healthy (the simulated provider)."""
    payment_backup: str = "simpay-backup"
    """备用支付通道: where new payments go once the primary fails too often."""
    payment_primary_secret: str = DEV_PAYMENT_SECRET
    payment_backup_secret: str = DEV_PAYMENT_SECRET
    payment_callback_url: str = "http://127.0.0.1:8000"
    """Where the simulated providers call back: this API's base URL."""
    payment_failover_errors: int = 5
    """Failures or timeouts of the primary within one window that move payments to the backup."""
    payment_failover_window: int = 60
    """The window those are counted in, in seconds."""
    code_secret: str = DEV_CODE_SECRET
    """The key one-time sign-in codes are kept under (as HMAC-SHA256 digests)."""
    payout_dir: str = "var/payouts"
    """Where the bank files of payouts are written (one CSV per payout)."""


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()
