"""Shared set-up of the API tests: settings with keys of every role."""

from __future__ import annotations

from pydantic import SecretStr

from cxrag.settings import Settings

UNLIMITED = "100000/minute"


def with_keys(settings: Settings, widget: str, agent: str, admin: str,
              secret: str | None = None, *, unlimited: bool = False) -> Settings:
    """``settings`` with one key per role (and a tenant secret), the demo page off, and the
    rate limits lifted when a test sends many requests on purpose."""
    settings.api.widget_keys = [SecretStr(widget)]
    settings.api.agent_keys = [SecretStr(agent)]
    settings.api.admin_keys = [SecretStr(admin)]
    if secret:
        settings.api.customer_token_secrets = {"default": SecretStr(secret)}
    settings.api.demo = False
    if unlimited:
        limits = settings.api.rate_limits
        limits.per_ip = limits.per_key = limits.per_visitor = limits.per_customer = UNLIMITED
    return settings
