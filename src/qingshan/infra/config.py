"""Settings, read from environment variables with the ``QINGSHAN_`` prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QINGSHAN_", extra="ignore")

    database_url: str = "sqlite:///var/qingshan.db"
    signing_key_path: Path = Path("var/signing-key.pem")
    host: str = "127.0.0.1"
    port: int = 8000
    max_batch: int = 1000  # commands in one batch request
    group_commit_max: int = 4096  # commands the sequencer writes in one transaction
    sqlite_synchronous: str = "FULL"  # FULL: an acknowledged write survives power loss
    # /healthz says the writer is stalled when a request has waited, or its loop has not gone
    # round, for longer than this (seconds)
    writer_stall_seconds: float = 30.0
    # a server starting while another instance holds the writer lock waits this long for it
    # before it serves as a standby (seconds)
    leader_wait_seconds: float = 30.0
    # the largest request body any route accepts (bytes received, whatever Content-Length
    # says); larger ones get 413 request_too_large
    max_request_bytes: int = 1_048_576
    # the largest partner's file POST /api/v1/inclusive/batches accepts (that route only;
    # bigger files go through `qingshan inclusive ingest`)
    inclusive_max_batch_bytes: int = 268_435_456
    # behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto: trust that header
    # (for HSTS and Secure cookies); never set it when clients reach the server directly
    trust_forwarded_proto: bool = False
    # the carbon-inclusive sub-ledger's archive (partners' files, accepted events, closed
    # days); unset: beside the SQLite database (<db>.inclusive/), or var/inclusive
    inclusive_archive: Path | None = None

    def archive(self) -> Path:
        if self.inclusive_archive is not None:
            return self.inclusive_archive
        if self.database_url.startswith("sqlite:///") and ":memory:" not in self.database_url:
            db = Path(self.database_url[len("sqlite:///"):])
            return db.with_name(db.name + ".inclusive")
        return Path("var/inclusive")


def get_settings() -> Settings:
    return Settings()
