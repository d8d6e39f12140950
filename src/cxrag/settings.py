"""All configuration, read from the environment (prefix ``CXRAG_``, nested with ``__``).

Example: ``CXRAG_EMBEDDING__MODEL=minilm-en``, ``CXRAG_CHROMA__URL=http://127.0.0.1:8000``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cxrag.errors import InvalidName
from cxrag.offline import default_cache_dir

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
    batch_size: int | None = Field(
        None, ge=1, le=1024, description="texts per model call; unset: 8 for use-multilingual "
        "(~11% faster than 16 on length-sorted passages here), 16 for the others")
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
    """Hybrid retrieval: candidate pool size and fusion weights (chosen over every retrieval
    set: benchmarks/retrieval_matrix.py)."""

    candidates: int = Field(80, ge=10, le=1000)
    weight_lexical: float = Field(0.3, ge=0)
    weight_dense_chunk: float = Field(0.4, ge=0)
    weight_dense_doc: float = Field(0.3, ge=0)
    ticket_penalty: float = Field(3.0, ge=0, description="subtracted from past tickets' fused "
                                  "scores so help-centre articles rank first (z-score units)")
    mode: Literal["hybrid", "lexical", "dense"] = "hybrid"
    languages: list[str] = Field(default_factory=lambda: ["es", "en"])
    english_leg: bool = Field(
        False, description="a second dense leg for English: every English document is also "
        "embedded with all-MiniLM-L6-v2 (English only; ~11x slower to embed than the default "
        "model, so ingest of English text takes several times longer) and English questions "
        "search it beside the other legs (R@5 +1.1 to +4.0 points on the English retrieval "
        "sets; replies no better on the golden and mtrag sets: docs/benchmarks.md). "
        "Switching it re-processes every document at the next ingest")
    weight_english: float = Field(0.25, ge=0, description="the English leg's fusion weight")
    min_relevance: float = Field(
        0.0, ge=0, le=1, description="a reply whose search scores below this relevance "
        "(P(something relevant was found), see POST /v1/search) gets no passages and goes to a "
        "person before the model is asked; 0 = off (docs/benchmarks.md: what each threshold "
        "costs in answerable questions)")


class IngestSettings(BaseModel):
    """Limits and screening of what is ingested (files, uploads, helpdesk exports)."""

    max_file_mb: float = Field(20.0, gt=0, description="a larger file is reported as a "
                               "failure (document_too_large) and the rest is indexed")
    max_text_chars: int = Field(2_000_000, ge=1000, description="extracted text per document "
                                "at most (~500 pages); more is a failure, not a slow parse")
    screen: bool = Field(True, description="quarantine documents and tickets that carry "
                         "instructions aimed at the assistant (reported, not indexed)")


class JobSettings(BaseModel):
    """Ingest jobs: how uploads are split for the workers, and how a dead worker is noticed."""

    queue: Literal["auto", "workers", "local"] = Field(
        "auto", description="who runs uploads: workers (`cxrag worker`, needs PostgreSQL), "
        "local (a thread of the serving process), auto (workers on PostgreSQL, else local)")
    part_files: int = Field(100, ge=1, le=1000, description="files per task; the parts of one "
                            "job run in parallel across workers (each part is one ingest run: "
                            "at 25 files a job cost 1.31x inline, at 100 1.14x; "
                            "benchmarks/ingest_jobs.py)")
    part_mb: float = Field(8.0, gt=0, description="bytes per task, about (a larger file is a "
                           "task of its own)")
    max_attempts: int = Field(3, ge=1, le=10, description="runs of a part before its files "
                              "are reported failed (a killed worker's run counts)")
    heartbeat_s: float = Field(10.0, gt=0, description="how often a worker says it is alive")
    stalled_after_s: float = Field(30.0, gt=0, description="a worker silent this long is "
                                   "dead: its parts go to another worker")
    max_backlog: int = Field(20, ge=1, description="unfinished jobs per tenant; more uploads "
                             "get 429 until some finish")
    keep_days: int = Field(7, ge=1, description="finished jobs are purged after this long")


class OtelSettings(BaseModel):
    """Optional OpenTelemetry traces (off unless an endpoint is set)."""

    endpoint: str = Field("", description="OTLP/gRPC collector, e.g. http://otel-collector:4317 "
                          "(empty: no traces)")
    service_name: str = Field("cxrag", max_length=100, description="service.name of the spans")
    sample_ratio: float = Field(1.0, ge=0, le=1, description="share of new traces kept (a "
                                "caller's sampled trace is always continued)")
    insecure: bool = Field(True, description="plain gRPC (false: TLS)")
    timeout_s: float = Field(5.0, gt=0, description="one export's timeout")


class GuardSettings(BaseModel):
    """When a reply counts as grounded, and what it may contain beyond that (the output
    policy)."""

    min_support: float = Field(
        0.375, ge=0, le=1, description="cosine (multilingual embedding) a passage sentence "
        "needs to support a reply sentence; the passage must also state the sentence's "
        "figures, dates, names and steps. Calibrated on evals/guard/labelled.yaml "
        "(benchmarks/guard_calibration.py: most recall at precision >= 0.95, else best F0.5)")
    min_supported_share: float = Field(
        0.6, ge=0, le=1, description="share of a reply's factual sentences that must be "
        "supported; below it the reply is handed over to a person")
    min_answer_relevance: float = Field(
        0.2, ge=0, le=1, description="cosine to the customer's question that one supported "
        "sentence of a reply must reach; below it the reply is off topic (a passage sentence "
        "about something else) and the extractive rung or a person takes over; 0 = off. "
        "Chosen on the public reply sets (benchmarks/answer_relevance.py)")
    question_terms: bool = Field(
        True, description="a passage in the reply's language supports a sentence only if it "
        "also has the question's words the sentence repeats (\"yes, we offer a senior "
        "discount\" over the student-discount passage is unsupported); only the question's "
        "asking sentence counts, a leading clause that sets the question up (\"Para "
        "gestionar las teclas repetidas, ...\") is skipped, and a sentence that states a "
        "figure is left to the figure checks. Measured with the echo rule (2026-12-05): "
        "golden unanswerable handed over +2, mtrag +1, no right answer lost on the golden, "
        "bias or public sets (docs/benchmarks.md)")
    polarity: bool = Field(
        True, description="a passage does not support a sentence that says its opposite: "
        "the sentence negates (\"no sigue en garantía\", \"can't\", \"nunca\") and no "
        "close passage sentence does, or it does not while the closest ones all do "
        "(\"gift cards can be returned\" over \"cannot be returned\"); Spanish and "
        "English alike, across the two. Conditions, purposes and wishes (\"si no lo "
        "devuelves, ...\", \"para que no te avise\") and \"no charge\" for free negate "
        "nothing. Measured on evals/guard/labelled.yaml (near_miss_polarity items) and the "
        "reply sets (docs/benchmarks.md)")
    articles_required: bool = Field(
        True, description="a reply whose supported sentences all rest on past tickets (what "
        "an agent answered one customer) is off topic: the extractive rung or a person takes "
        "over. Measured: bias suite answers right 0.70 -> 0.88, its unanswerable handed over "
        "0.20 -> 0.95; golden one wrong answer fewer, no right one lost; public sets (no "
        "tickets) unchanged (docs/benchmarks.md)")
    answer_kind: bool = Field(
        True, description="a question that plainly asks how long or how much (\"¿cuántos "
        "días tengo?\", \"how much does it cost?\") is answered only by a reply with a "
        "supported sentence stating a time or an amount the question did not, when a passage "
        "states one; otherwise the reply is off topic and the extractive rung (which then "
        "quotes only such sentences) or a person takes over. Measured: golden set 5 wrong "
        "answers fewer, no right one lost; public reply sets unchanged "
        "(docs/benchmarks.md)")

    allowed_domains: list[str] = Field(
        default_factory=lambda: ["tiendalia.es", "tiendalia.com", "tiendalia.mx"],
        description="domains (and their subdomains) a reply may link to or give an email "
        "address of; any other link or address drops its sentence. The default is the sample "
        "shop's: set your own")


class PrivacySettings(BaseModel):
    """Personal data: what is masked where, and how long conversations are kept."""

    redact_remote_prompts: bool = Field(True, description="mask emails, phones, cards, IBANs "
                                        "and national ids in anything sent to a remote model")
    retention_days: int = Field(0, ge=0, description="conversations, messages, feedback and "
                                "drafts older than this are deleted by `cxrag privacy purge`; "
                                "0 = keep")


class RateLimitSettings(BaseModel):
    """Requests allowed per caller (``limits`` strings: "20/minute", "5/second;100/hour")."""

    per_key: str = Field("600/minute", description="per API key (a widget key is public: "
                         "this caps every visitor of a page together)")
    per_visitor: str = Field("20/minute", description="per anonymous visitor id")
    per_customer: str = Field("30/minute", description="per signed-in customer")
    per_ip: str = Field("120/minute", description="per client address, before the key is "
                        "known (bad keys included)")


class ApiSettings(BaseModel):
    """HTTP service settings."""

    host: str = "127.0.0.1"
    port: int = 8080
    admin_keys: list[SecretStr] = Field(default_factory=list)
    agent_keys: list[SecretStr] = Field(default_factory=list)
    widget_keys: list[SecretStr] = Field(default_factory=list)
    customer_token_secrets: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="per tenant: HMAC-SHA256 secret the host page signs customer ids with")
    max_upload_mb: int = 50
    max_upload_files: int = Field(20, ge=1, le=1000, description="files per upload request")
    max_body_kb: int = Field(256, ge=16, description="request body limit of every endpoint "
                             "but uploads (checked before the key)")
    widget_collections: dict[str, list[str]] = Field(
        default_factory=dict, description="per widget key, the collections it may chat with; "
        "unlisted keys only the default collection")
    max_connections: int = Field(512, ge=8, description="open connections at most (uvicorn's "
                                 "limit_concurrency); more get 503")
    chat_concurrency: int = Field(16, ge=1, le=1024, description="replies in progress at "
                                  "once; more get 503 + Retry-After (the model queue is full)")
    rate_limits: RateLimitSettings = RateLimitSettings()
    max_message_chars: int = Field(4000, ge=100, le=100_000)
    widget_origins: dict[str, list[str]] = Field(
        default_factory=dict,
        description="per widget key: the origins (https://shop.example) whose pages may call "
        "the API with it from a browser; '*' = any. The service's own origin always may")
    metrics_public: bool = Field(False, description="serve /metrics without a key (where only "
                                 "the network reaches it); else it takes an admin key")
    demo: bool = Field(True, description="serve the demo help page at / with the widget; "
                       "over loopback it uses a key made at start that works only there")


# Any text without the CJK scripts: CJK symbols and punctuation, kana, Hangul, the unified
# ideographs (with extension A and the supplementary planes) and the fullwidth forms. With
# greedy decoding llama.cpp checks the chosen token against the grammar and only re-samples
# when it is rejected, so a reply without such a character is generated token for token as
# without the grammar.
NO_CJK_GRAMMAR = (r"root ::= [^\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
                  r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
                  r"\U00020000-\U0003134f]*")


class LLMSettings(BaseModel):
    """Which chat model answers, and how it runs (nested in Settings as ``llm``)."""

    backend: Literal["embedded", "remote"] = Field(
        "embedded", description="embedded: Qwen2.5-Coder-1.5B in-process; remote: base_url"
    )
    base_url: str | None = Field(
        None, description="remote OpenAI-compatible endpoint including /v1, e.g. "
        "http://127.0.0.1:8000/v1; ignored by the embedded backend"
    )
    model: str = Field(
        "qwen2.5-coder-1.5b-instruct-q4_k_m",
        description="model name sent with each request (the embedded server answers to it)",
    )
    api_key: SecretStr | None = Field(
        None, description="remote API key; the embedded server makes its own per start"
    )
    timeout_s: float = Field(60.0, gt=0, description="per-request timeout in seconds")
    reply_deadline_s: float = Field(30.0, gt=0, description="one reply's whole time with the "
                                    "model (queue, retries and every read included); then the "
                                    "fallback reply")
    max_in_flight: int = Field(2, ge=1, le=256, description="model requests at once (the "
                               "embedded server's slots); the rest wait, within the deadline")
    max_retries: int = Field(2, ge=0, description="retries on connection errors and 5xx")
    temperature: float = Field(
        0.0, ge=0, le=2, description="sampling temperature. 0, as in the eval runs that chose "
        "the prompt and guard defaults: at 0.2 the embedded model answered an unanswerable "
        "question (a CEO's salary) with a cited sentence about something else in 2 of 8 "
        "samples, at 0 in none of 9")
    max_tokens: int = Field(512, ge=1, description="default cap on generated tokens")
    no_cjk: bool | None = Field(
        None, description="send a llama.cpp grammar that keeps Chinese, Japanese and Korean "
        "characters out of every reply (the embedded model wrote a Chinese word, 'switch', "
        "into 2 of 20 Spanish replies of gnome-es2en); default: on for the embedded backend, "
        "off for remote (set true for a remote llama.cpp server such as `cxrag model-server`; "
        "other servers may reject the field)")

    @property
    def grammar(self) -> str | None:
        """The GBNF grammar sent with each request (``no_cjk``), or None."""
        on = self.no_cjk if self.no_cjk is not None else self.backend == "embedded"
        return NO_CJK_GRAMMAR if on else None

    n_ctx: int = Field(4096, ge=256, description="embedded: context window in tokens")
    threads: int = Field(
        2, ge=1, description="embedded: CPU threads (1 beats 2 when another process is busy)"
    )
    repack_weights: bool = Field(
        False, description="embedded: let llama.cpp keep a second, repacked copy of the weights "
        "(~600 MB more memory, ~20% faster generation, ~10% slower prompt processing here)"
    )
    model_cache_dir: Path | None = Field(
        None, description="embedded: where the assembled GGUF lives; default "
        "$XDG_CACHE_HOME/cxrag/models (~/.cache/cxrag/models)"
    )
    model_path: Path | None = Field(
        None, description="embedded: a local GGUF file to load instead of the packaged model; "
        "unless `model` is set, the server answers (and replies record) its file name"
    )
    model_sha256: str | None = Field(
        None, description="embedded: sha256 of model_path, checked before it loads (then "
        "remembered in model_cache_dir until the file's size or mtime changes)"
    )
    host: str = Field("127.0.0.1", description="embedded: interface the server listens on")
    port: int = Field(0, ge=0, le=65535, description="embedded: port; 0 = any free port")

    @property
    def cache_dir(self) -> Path:
        """The model cache directory, defaults applied."""
        return self.model_cache_dir or default_cache_dir() / "models"

    @field_validator("model_path", "model_sha256", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _name_local_model(self) -> LLMSettings:
        """An embedded local GGUF answers to its file name (split suffix dropped) by default."""
        if (self.backend == "embedded" and self.model_path is not None
                and "model" not in self.model_fields_set):
            self.model = re.sub(r"-\d{5}-of-\d{5}$", "", self.model_path.stem)
        return self


class PromptSettings(BaseModel):
    """Prompt templates: a folder of versions (see prompts/README.md) and the default one."""

    dir: Path = Path("prompts")
    version: str = "v3"  # prompts/README.md: v3 against v1 on the golden, public and bias sets
    context_tokens: int = Field(300, ge=40, le=32_000,
                                description="token budget for retrieved passages (the "
                                "sentences closest to the question)")
    max_passages: int = Field(3, ge=1, le=20, description="passages in a prompt at most")
    focus: bool = Field(True, description="send only the passage sentences closest to the "
                        "question (fewer prompt tokens); off: whole chunks in relevance order")
    answer_tokens: int = Field(160, ge=16, le=4096, description="cap on a reply's tokens")
    extractive: bool = Field(True, description="when the model abstains or fails the guard "
                             "but a passage sentence is close to the question, reply with "
                             "that sentence, cited (translated and re-checked if needed), and "
                             "offer a person; off: hand over")
    pivot: bool = Field(False, description="when every passage is in the other language than "
                        "the customer's: translate the question, answer in the passages' "
                        "language, translate the answer back (two short model calls more)")
    extractive_min_similarity: float = Field(
        0.6, ge=0, le=1, description="score (question-to-sentence cosine + 0.3 x shared "
        "words) the extractive rung needs; see benchmarks/extractive_calibration.py")


class EvalSettings(BaseModel):
    """``cxrag eval``: where the sample knowledge lives, the judge, caching, concurrency."""

    dir: Path = Field(Path("evals"), description="golden.yaml, bias.yaml, thresholds.yaml")
    knowledge_dir: Path = Field(Path("knowledge"), description="articles/, tickets/ and "
                                "customers/customers.json that eval cases refer to")
    collection: str = Field("eval-knowledge", description="collection the eval indexes into")
    judge: Literal["off", "embedded", "remote"] | None = Field(
        None, description="LLM judge for faithfulness and answer relevancy; default: remote "
        "when judge_base_url is set, else off")
    judge_base_url: str | None = None
    judge_model: str | None = Field(None, description="default: llm.model")
    judge_api_key: SecretStr | None = None
    concurrency: int = Field(1, ge=1, le=64, description="cases (and judge calls) in flight; "
                             "1 suits the embedded model, raise it for remote endpoints")
    cache: bool = Field(True, description="reuse generations with the same input and settings")
    temperature: float | None = Field(0.0, ge=0, le=2, description="generation temperature "
                                      "for eval runs (0: repeatable); None: llm.temperature")
    timeout_s: float = Field(300.0, gt=0, description="model timeout in eval runs: a slow "
                             "answer is still scored as an answer, not as the fallback")


class CxSettings(BaseModel):
    """Triage, sentiment, escalation and routing (``cxrag triage``, ``/v1/triage``)."""

    policy_file: Path | None = Field(None, description="triage/escalation/routing policy "
                                     "YAML; default: the sample retailer's (cx/policy.yaml)")
    model_dir: Path | None = Field(None, description="trained triage models; default "
                                   "<data_dir>/triage")
    model_version: str | None = Field(None, description="a version under model_dir; default "
                                      "the latest trained (zero-shot when none)")
    recent_days: int = Field(30, ge=1, le=365, description="window for 'repeated contacts'")


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
    llm: LLMSettings = LLMSettings()
    prompts: PromptSettings = PromptSettings()
    eval: EvalSettings = EvalSettings()
    cx: CxSettings = CxSettings()
    otel: OtelSettings = OtelSettings()
    ingest: IngestSettings = IngestSettings()
    jobs: JobSettings = JobSettings()
    guard: GuardSettings = GuardSettings()
    privacy: PrivacySettings = PrivacySettings()
    redis_url: str | None = Field(None, description="Redis for shared rate-limit counters, "
                                  "e.g. redis://127.0.0.1:6379/0; empty = in process memory")
    database_url: str | None = Field(
        None, description="customer history store; default sqlite under data_dir")

    @field_validator("tenant", "collection")
    @classmethod
    def _valid_name(cls, value: str, info: ValidationInfo) -> str:
        return check_name(f"CXRAG_{(info.field_name or 'name').upper()}: {info.field_name}",
                          value)

    @model_validator(mode="after")
    def _one_english_model(self) -> Settings:
        """The English leg adds all-MiniLM-L6-v2 beside a multilingual model; where that model
        is the main one already, the leg would search the same vectors twice."""
        if self.retrieval.english_leg and self.embedding.model == "minilm-en":
            raise ValueError("CXRAG_RETRIEVAL__ENGLISH_LEG adds the minilm-en model beside the "
                             "main embedding model, and CXRAG_EMBEDDING__MODEL is minilm-en "
                             "already: turn one of them off")
        return self

    @property
    def chroma_path(self) -> Path:
        """The embedded Chroma directory."""
        return self.chroma.path or self.data_dir / "chroma"

    @property
    def database(self) -> str:
        """The SQLAlchemy URL of the customer history store."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'cxrag.sqlite').resolve()}"

    @property
    def triage_dir(self) -> Path:
        """Where trained triage models live."""
        return self.cx.model_dir or self.data_dir / "triage"

    def collection_dir(self, tenant: str, collection: str) -> Path:
        """Where the lexical index and manifest of one collection live."""
        return self.data_dir / "collections" / tenant / collection
