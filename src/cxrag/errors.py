"""The one exception tree of cxrag. Every error carries a stable code and an HTTP status.

    CxragError                      500 internal
    ├── ConfigurationError          500 configuration_error
    │   └── PromptError             500 prompt_error
    ├── InvalidRequest              422 invalid_request
    │   ├── InvalidName             422 invalid_name
    │   ├── PromptNotFound          422 prompt_not_found
    │   └── PayloadTooLarge         413 payload_too_large
    ├── RateLimited                 429 rate_limited      (Retry-After)
    ├── ServiceBusy                 503 busy              (Retry-After)
    ├── NotFound                    404 not_found
    │   ├── CollectionNotFound      404 collection_not_found
    │   ├── CustomerNotFound        404 customer_not_found
    │   ├── ConversationNotFound    404 conversation_not_found
    │   ├── FeedbackTargetNotFound  404 feedback_target_not_found
    │   └── JobNotFound             404 job_not_found
    ├── AuthError                   401 unauthorized
    │   └── Forbidden               403 forbidden
    │       └── ConversationForbidden 403 conversation_forbidden
    ├── IngestError                 422 ingest_error
    │   ├── UnsupportedFormat       415 unsupported_format
    │   ├── EmptyDocument           422 empty_document
    │   ├── DocumentParseError      422 parse_error
    │   └── DocumentTooLarge        413 document_too_large
    ├── IndexUnavailable            503 index_unavailable
    │   └── EmbeddingMismatch       409 embedding_mismatch
    ├── EmbeddingError              503 embedding_unavailable
    └── LLMError                    502 llm_error
        ├── LLMBadReply             502 llm_bad_reply
        ├── LLMUnavailable          503 llm_unavailable
        │   ├── LLMTimeout          504 llm_timeout
        │   └── LLMCancelled        503 llm_cancelled
        └── ModelIntegrityError     500 model_integrity

The API renders all of them as ``application/problem+json`` (RFC 9457) in one handler.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CxragError(Exception):
    """Base of every error cxrag raises on purpose."""

    code: ClassVar[str] = "internal"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the response carries (``Retry-After`` when a retry makes sense)."""
        after = self.extra.get("retry_after")
        return {"Retry-After": str(max(1, int(after + 0.999)))} if after is not None else {}

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """This error as an RFC 9457 problem document."""
        body: dict[str, Any] = {
            "type": f"https://cxrag.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class ConfigurationError(CxragError):
    code, status, title = "configuration_error", 500, "Configuration error"


class InvalidRequest(CxragError):
    code, status, title = "invalid_request", 422, "Invalid request"


class InvalidName(InvalidRequest):
    code, status, title = "invalid_name", 422, "Invalid name"


class PromptNotFound(InvalidRequest):
    code, status, title = "prompt_not_found", 422, "Unknown prompt version or template"


class PayloadTooLarge(InvalidRequest):
    code, status, title = "payload_too_large", 413, "Request too large"


class RateLimited(CxragError):
    code, status, title = "rate_limited", 429, "Too many requests"


class ServiceBusy(CxragError):
    code, status, title = "busy", 503, "Busy: try again shortly"


class PromptError(ConfigurationError):
    code, status, title = "prompt_error", 500, "Prompt template error"


class NotFound(CxragError):
    code, status, title = "not_found", 404, "Not found"


class CollectionNotFound(NotFound):
    code, status, title = "collection_not_found", 404, "Collection not found"


class CustomerNotFound(NotFound):
    code, status, title = "customer_not_found", 404, "Customer not found"


class ConversationNotFound(NotFound):
    code, status, title = "conversation_not_found", 404, "Conversation not found"


class FeedbackTargetNotFound(NotFound):
    code, status, title = "feedback_target_not_found", 404, "Feedback target not found"


class JobNotFound(NotFound):
    code, status, title = "job_not_found", 404, "Job not found"


class AuthError(CxragError):
    code, status, title = "unauthorized", 401, "Unauthorized"


class Forbidden(AuthError):
    code, status, title = "forbidden", 403, "Forbidden"


class ConversationForbidden(Forbidden):
    code, status, title = "conversation_forbidden", 403, "Conversation belongs to someone else"


class IngestError(CxragError):
    code, status, title = "ingest_error", 422, "Document could not be ingested"


class UnsupportedFormat(IngestError):
    code, status, title = "unsupported_format", 415, "Unsupported document format"


class EmptyDocument(IngestError):
    code, status, title = "empty_document", 422, "Empty document"


class DocumentParseError(IngestError):
    code, status, title = "parse_error", 422, "Document could not be parsed"


class DocumentTooLarge(IngestError):
    code, status, title = "document_too_large", 413, "Document over the size limit"


class IndexUnavailable(CxragError):
    code, status, title = "index_unavailable", 503, "Index unavailable"


class EmbeddingMismatch(IndexUnavailable):
    code, status, title = "embedding_mismatch", 409, "Embedding model mismatch"


class EmbeddingError(CxragError):
    code, status, title = "embedding_unavailable", 503, "Embedding model unavailable"


class LLMError(CxragError):
    """The chat model answered with an error."""

    code, status, title = "llm_error", 502, "Language model error"


class LLMUnavailable(LLMError):
    """The chat model cannot be reached or could not be started."""

    code, status, title = "llm_unavailable", 503, "Language model unavailable"


class LLMTimeout(LLMUnavailable):
    """The chat model did not answer in time."""

    code, status, title = "llm_timeout", 504, "Language model timed out"


class LLMCancelled(LLMUnavailable):
    """The request was abandoned (the client left, the service is stopping)."""

    code, status, title = "llm_cancelled", 503, "Language model request cancelled"


class LLMBadReply(LLMError):
    """The chat model answered with something that is not a chat completion."""

    code, status, title = "llm_bad_reply", 502, "Language model reply unreadable"


class ModelIntegrityError(LLMError):
    """The model parts do not add up to the pinned file (size or sha256)."""

    code, status, title = "model_integrity", 500, "Model file failed verification"
