"""``cxrag ask``: one question through the reply pipeline, as the chat API answers it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cxrag.cli.common import CollectionOpt, console, fail, load_settings, out
from cxrag.errors import CxragError


def ask(
    question: Annotated[str, typer.Argument(help="The customer's question.")],
    customer: Annotated[str | None, typer.Option("--customer", help="Customer id.")] = None,
    collection: CollectionOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer a question like the chat API does (starts the embedded model unless a remote
    backend is configured)."""
    from cxrag.knowledge import Knowledge
    from cxrag.reply.assistant import Assistant
    from cxrag.reply.chat import ChatTurn

    settings = load_settings()
    assistant = None
    try:
        with console.status("starting the model..."):
            assistant = Assistant(settings, Knowledge(settings))
        turn = ChatTurn(settings.tenant, question, "agent", customer,
                        None if customer else "cli")
        with console.status("thinking..."):
            reply = assistant.chat.reply(assistant.responder(collection), turn)
    except CxragError as exc:
        fail(exc)
    finally:
        if assistant is not None:
            assistant.close()
    if as_json:
        out.print_json(json.dumps(reply, ensure_ascii=False, default=str))
        return
    out.print(reply["answer"])
    for c in reply["citations"]:
        out.print(f"  - {c['title']} ({c['document_id']})")
    if reply["handoff"]:
        out.print(f"[yellow]handoff[/yellow] -> {reply['handoff']['queue']}: "
                  f"{reply['handoff']['reason']}")
    console.print(f"{reply['language']}, {reply['latency_ms'] / 1000:.1f} s, "
                  f"{reply['usage'].get('total_tokens', '?')} tokens, {reply['model']}")
