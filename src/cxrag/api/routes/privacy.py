"""Personal data: deleting a customer's data on request (admins only)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from cxrag.api.auth import AdminOnly
from cxrag.api.deps import SettingsDep, StoreDep

router = APIRouter(prefix="/v1", tags=["privacy"])


@router.delete("/customers/{customer_id}")
async def forget_customer(customer_id: str, _: AdminOnly, settings: SettingsDep,
                          store: StoreDep) -> dict[str, object]:
    """Delete everything stored about a customer: profile, orders, events, tickets,
    conversations and their messages, drafts, and the feedback on them. Returns the rows
    deleted per table; 404 when nothing refers to that customer."""
    deleted: dict[str, int] = await run_in_threadpool(store.forget_customer, settings.tenant,
                                                      customer_id)
    return {"customer_id": customer_id, "deleted": deleted}
