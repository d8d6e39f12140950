"""The embedded chat model: llama.cpp's OpenAI-compatible server, in-process via xllamacpp."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
import structlog

from cxrag.errors import LLMUnavailable
from cxrag.generate.model import Progress, resolve_model
from cxrag.settings import LLMSettings

log = structlog.get_logger(__name__)

# llama.cpp log threshold: 1 = errors only (3, the default, prints every load step to stderr).
_LLAMA_VERBOSITY = 1


class EmbeddedRuntime:
    """Serves the pinned Qwen model (or ``settings.model_path``) on loopback with a per-start
    random API key, under the name ``settings.model``.

    ``with EmbeddedRuntime(settings) as rt:`` loads it (~2-3 s); ``rt.base_url`` and
    ``rt.api_key`` are what an OpenAI client needs. The server is thread-safe and batches
    ``n_parallel`` requests; each request may use the whole ``n_ctx`` (unified KV cache).
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        model_path: Path | None = None,
        n_parallel: int = 2,
        progress: Progress | None = None,
        api_key: str | None = None,
    ) -> None:
        self.settings = settings
        self.n_parallel = n_parallel
        # In-process: a random key per start. As a shared model server (``cxrag model-server``)
        # the deployment's key, which the API replicas send.
        self.api_key = api_key or secrets.token_urlsafe(32)
        self._model_path = model_path
        self._progress = progress
        self._server: Any = None
        self._address: str | None = None

    @property
    def running(self) -> bool:
        """Whether the server is loaded and listening."""
        return self._server is not None

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (``http://host:port/v1``) of the running server."""
        if self._address is None:
            raise LLMUnavailable("the embedded model is not running")
        return f"{self._address}/v1"

    def start(self) -> Self:
        """Check (or assemble) the model file and load it; idempotent."""
        if self._server is not None:
            return self
        import xllamacpp

        path = self.model_file()
        params = self.server_params(path)
        began = time.perf_counter()
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as exc:  # xllamacpp reports every failed start the same way
            raise LLMUnavailable(
                f"embedded model {path.name} failed to load (n_ctx={self.settings.n_ctx}, "
                f"port={self.settings.port}); llama.cpp logged the reason to stderr",
                model_path=str(path),
            ) from exc
        self._address = str(self._server.listening_address)
        log.info("llm.runtime.started", model=path.name, served_as=self.settings.model,
                 threads=self.settings.threads, n_ctx=self.settings.n_ctx,
                 n_parallel=self.n_parallel, address=self._address,
                 load_s=round(time.perf_counter() - began, 2))
        return self

    def model_file(self) -> Path:
        """The GGUF ``start`` loads: the ``model_path`` argument as given, else
        ``settings.model_path`` once checked, else the packaged model (assembled on first use)."""
        return self._model_path or resolve_model(self.settings, self._progress)

    def server_params(self, path: Path) -> Any:
        """The ``xllamacpp.CommonParams`` the server starts with for ``path``; loads nothing."""
        import xllamacpp

        return self._params(xllamacpp.CommonParams(), path)

    def _params(self, params: Any, path: Path) -> Any:
        s = self.settings
        params.model.path = str(path)
        params.model_alias = {s.model}
        params.n_ctx = s.n_ctx
        params.n_parallel = self.n_parallel
        params.kv_unified = True  # one KV pool: a single long request may use all of n_ctx
        # Repacked weight buffers cost a second copy of the model (measured: RSS 1.82 -> 1.22
        # GB without them); see LLMSettings.repack_weights.
        params.no_extra_bufts = not s.repack_weights
        params.cpuparams.n_threads = s.threads
        params.cpuparams_batch.n_threads = s.threads
        params.hostnames = [s.host]
        params.port = s.port
        params.api_keys = [self.api_key]
        params.offline = True
        params.ui = False
        params.verbosity = _LLAMA_VERBOSITY
        return params

    def health(self, timeout_s: float = 2.0) -> bool:
        """Whether ``GET /health`` answers 200 (it needs no API key)."""
        if self._address is None:
            return False
        try:
            # trust_env=False: a proxy from the environment must never see loopback traffic.
            resp = httpx.get(f"{self._address}/health", timeout=timeout_s, trust_env=False)
        except httpx.HTTPError:
            return False
        return resp.status_code == 200

    def stop(self) -> None:
        """Stop serving and free the model (dropping the server object stops it); idempotent."""
        if self._server is None:
            return
        began = time.perf_counter()
        self._server = None
        self._address = None
        log.info("llm.runtime.stopped", model=self.settings.model,
                 stop_s=round(time.perf_counter() - began, 2))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
