"""Chat models: the embedded Qwen2.5-Coder-1.5B server or any OpenAI-compatible endpoint.

``build_chat(settings.llm, runtime)`` returns a ``ChatModel``; with the embedded backend, start
an ``EmbeddedRuntime`` first (once per process, e.g. in the app's lifespan).
"""

from cxrag.errors import LLMError, LLMTimeout, LLMUnavailable, ModelIntegrityError
from cxrag.generate.client import ChatModel, ChatResult, Messages, OpenAIChat, build_chat
from cxrag.generate.model import ensure_model
from cxrag.generate.runtime import EmbeddedRuntime
from cxrag.settings import LLMSettings

__all__ = [
    "ChatModel",
    "ChatResult",
    "EmbeddedRuntime",
    "LLMError",
    "LLMSettings",
    "LLMTimeout",
    "LLMUnavailable",
    "Messages",
    "ModelIntegrityError",
    "OpenAIChat",
    "build_chat",
    "ensure_model",
]
