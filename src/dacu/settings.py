"""Settings, read once at start-up from the environment (prefix `DACU_`)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///dacu.db"
"""The embedded default: one SQLite file in the working directory, no server needed."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DACU_")

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()
