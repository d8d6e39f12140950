"""All configuration, read from the environment (prefix ``CXRAG_``, nested with ``__``).

Example: ``CXRAG_EMBEDDING__MODEL=minilm-en``, ``CXRAG_CHROMA__URL=http://127.0.0.1:8000``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cxrag.errors import InvalidName

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,46}[a-z0-9]$")

EmbeddingModel = Literal["use-multilingual", "minilm-en", "openai"]


def check_name(kind: str, value: str) -> str:
    """Validate a tenant or collection name (3-48 chars: a-z, 0-9, '-', '_')."""
    if not NAME_RE.match(value):
        raise InvalidName(
            f"{kind} name {value!r} is invalid: use 3-48 characters a-z, 0-9, '-' or '_', "
            "starting and ending with a letter or digit",
            field=kind,
        )
    return value


class ChromaSettings(BaseModel):
    """Where vectors live: embedded (default) or a Chroma server when ``url`` is set."""

    url: str | None = Field(None, description="e.g. http://127.0.0.1:8000; empty = embedded")
    path: Path | None = Field(None, description="embedded store; default <data_dir>/chroma")
    headers: dict[str, str] = Field(default_factory=dict)


class EmbeddingSettings(BaseModel):
    """Which embedding model to use; every option runs offline except a remote endpoint."""

    model: EmbeddingModel = "use-multilingual"
    batch_size: int = Field(16, ge=1, le=1024)
    threads: int = Field(0, ge=0, description="batches embedded side by side, each on one "
                         "core; 0 = one per core")
    openai_base_url: str | None = None
    openai_model: str = "text-embedding-3-small"
    openai_api_key: SecretStr | None = None
    openai_dimensions: int | None = None
    timeout_s: float = 30.0


class ChunkingSettings(BaseModel):
    """Token-based chunking (tiktoken)."""

    max_tokens: int = Field(256, ge=32, le=4096)
    overlap_tokens: int = Field(32, ge=0, le=1024)
    encoding: str = "cl100k_base"


class RetrievalSettings(BaseModel):
    """Hybrid retrieval: candidate pool sizes and fusion weights (measured on stackfaq)."""

    candidates: int = Field(80, ge=10, le=1000)
    weight_lexical: float = Field(0.3, ge=0)
    weight_dense_chunk: float = Field(0.4, ge=0)
    weight_dense_doc: float = Field(0.3, ge=0)
    mode: Literal["hybrid", "lexical", "dense"] = "hybrid"
    languages: list[str] = Field(default_factory=lambda: ["es", "en"])


class ApiSettings(BaseModel):
    """HTTP service settings."""

    host: str = "127.0.0.1"
    port: int = 8080
    admin_keys: list[SecretStr] = Field(default_factory=list)
    max_upload_mb: int = 50


class Settings(BaseSettings):
    """cxrag's settings; see README 'Configuration' for every variable."""

    model_config = SettingsConfigDict(
        env_prefix="CXRAG_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Path("./data")
    tenant: str = "default"
    collection: str = "knowledge"
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    chroma: ChromaSettings = ChromaSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    api: ApiSettings = ApiSettings()

    @field_validator("tenant", "collection")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return check_name("name", value)

    @property
    def chroma_path(self) -> Path:
        """The embedded Chroma directory."""
        return self.chroma.path or self.data_dir / "chroma"

    def collection_dir(self, tenant: str, collection: str) -> Path:
        """Where the lexical index and manifest of one collection live."""
        return self.data_dir / "collections" / tenant / collection
