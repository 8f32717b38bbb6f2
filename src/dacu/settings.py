"""Settings, read once at start-up from the environment (prefix `DACU_`)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///dacu.db"
"""The embedded default: one SQLite file in the working directory, no server needed."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DACU_")

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"
    redis_url: str | None = None
    """With Redis, flash sales go through the Redis gate and its order writers;
    without, through the SQL gate in the database."""
    redis_prefix: str = "dacu"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()
