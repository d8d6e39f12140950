"""Screen text for instructions aimed at the assistant or at customers (es, en).

Knowledge is quoted to the model as context and repeated to customers, so a document or ticket
that carries an instruction override, chat-template tokens, a request to send credentials
somewhere, a script payload or a prompt-exfiltration request is quarantined at ingest time.
The patterns are deliberately specific: an ordinary help article ("never share your password",
"para cambiar tu contraseña, ve a Mi cuenta") must not match, and every document of the sample
``knowledge/`` must pass (a test checks it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cxrag.textnorm import unmask

# Bumped when the patterns change: part of the ingest fingerprint, so stored knowledge is
# screened again by the new patterns.
VERSION = "1"
EXCERPT_CHARS = 80


@dataclass(frozen=True)
class Threat:
    """One match: what kind of instruction (``code``) and the text that matched."""

    code: str
    excerpt: str


LABELS = {
    "instruction_override": "instructions aimed at the assistant",
    "customer_instruction": "instructions aimed at customers",
    "role_token": "chat-template or role markers",
    "credential_request": "a request to send credentials",
    "hidden_payload": "hidden HTML or script",
    "prompt_exfiltration": "a request to reveal the assistant's instructions",
}

_CRED = (r"(?:passwords?|passcodes?|pin(?:\s+(?:code|number))?|cvv|cvc|one[- ]time\s+"
         r"(?:code|password|passcode)|otp|verification\s+code|security\s+code|2fa\s+code|"
         r"(?:credit\s+|debit\s+)?card\s+(?:number|details)|login\s+details|credentials|"
         r"contraseñas?|clave\s+de\s+acceso|claves?|c[óo]digos?\s+(?:de\s+)?(?:verificaci[óo]n|"
         r"seguridad|un\s+solo\s+uso|otp)|n[úu]meros?\s+de\s+(?:la\s+|tu\s+)?tarjeta|"
         r"datos\s+de\s+(?:la\s+|tu\s+)?tarjeta|credenciales)")
_SEND = (r"(?:send|e-?mail|mail|text|forward|message|write|reply\s+with|submit|"
         r"env[íi]a|env[íi]e|enviar|manda|m[áa]nda|mande|escribe|escr[íi]be|escriba|reenv[íi]a|"
         r"responde\s+con)")
# Somewhere concrete the credential would go: an address, a link, a number, or a pointer.
_TARGET = (r"(?:[\w.+-]+@[\w-]+\.[\w.-]+|https?://|www\.|\+?\d[\d ()-]{6,}\d|"
           r"\[(?:email|link|phone)\]|(?:this|that|the\s+following|our)\s+(?:e-?mail|address|"
           r"number|link|form|site|page)|(?:este|esta|el\s+siguiente)\s+(?:correo|e-?mail|"
           r"direcci[óo]n|n[úu]mero|enlace|formulario|web|p[áa]gina))")
_NEGATION = re.compile(r"\b(?:never|not|don'?t|won'?t|no|nunca|jam[áa]s|ni)\b", re.IGNORECASE)

_RULES: list[tuple[str, str]] = [
    # -- overrides of the assistant's instructions
    ("instruction_override",
     r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|every)\s+(?:of\s+)?)?"
     r"(?:the\s+|your\s+|these\s+|those\s+|my\s+)?(?:(?:previous|prior|above|earlier|preceding|"
     r"original|system)\s+)+(?:instructions?|prompts?|rules|directions|guidelines|messages)\b"),
    ("instruction_override",
     r"\b(?:ignore|disregard|forget)\s+(?:(?:all|any|every)\s+(?:of\s+)?(?:the\s+|your\s+)?|"
     r"your\s+)(?:instructions?|rules|guidelines|programming|system\s+prompt)\b"),
    ("instruction_override",
     r"\b(?:ignora|ignore|ignorad|olvida|olvide|olvidad|omite|descarta)\s+(?:(?:todas\s+)?"
     r"(?:las|tus|sus)\s+(?:instrucciones|indicaciones|reglas|[óo]rdenes|normas)\s+"
     r"(?:anteriores|previas|originales|del\s+sistema)|todas\s+(?:las|tus|sus)\s+"
     r"(?:instrucciones|indicaciones|reglas|[óo]rdenes)|tus\s+(?:instrucciones|reglas)|"
     r"todo\s+lo\s+anterior)"),
    ("instruction_override", r"\b(?:new|updated)\s+instructions\s*:|\bnuevas\s+instrucciones\s*:"),
    ("instruction_override",
     r"\b(?:a\s+partir\s+de\s+ahora|desde\s+ahora)\s*,?\s+(?:eres|ser[áa]s|act[úu]a|"
     r"actuar[áa]s|responde|responder[áa]s)\b"),
    ("instruction_override",
     r"\byou\s+are\s+now\s+(?:(?:a|an|the|my)\s+(?:\w+\s+){0,3}?(?:assistant|ai|bot|chatbot|"
     r"model|persona|character)\b|in\s+(?:developer|god|admin|unrestricted|dan)\s+mode\b|dan\b)"),
    ("instruction_override",
     r"\bfrom\s+now\s+on\s*,?\s+you\s+(?:are|will\s+(?:act|respond|answer|reply|pretend)|"
     r"must|should)\b"),
    ("instruction_override", r"\bsystem\s+prompt\b|\bprompt\s+del\s+sistema\b"),
    ("instruction_override",
     r"\bas\s+(?:the|an?)\s+(?:ai\s+)?(?:assistant|ai|chatbot|bot|language\s+model)\s*,?\s+"
     r"you\s+(?:must|should|will|have\s+to|need\s+to)\b|\bcomo\s+(?:el\s+)?asistente\s*,?\s+"
     r"(?:debes|tienes\s+que|deber[áa]s)\b"),
    # -- instructions to pass on to customers
    ("customer_instruction",
     r"\b(?:tell|ask|instruct|advise|inform)\s+(?:the|every|all|any|each)\s+"
     r"(?:customers?|users?|clients?|callers?)\s+(?:to|that)\b"),
    ("customer_instruction",
     r"\b(?:dile|d[íi]gale|decidle|dales|diles|pide|p[íi]dele|p[íi]dale|p[íi]deles|indica|"
     r"ind[íi]cale|solicita|solic[íi]tale)\s+(?:a\s+)?(?:al|a\s+los|a\s+las|a\s+todos\s+los)\s+"
     r"(?:clientes?|usuarios?)\s+que\b"),
    # -- chat templates and role markers
    ("role_token",
     r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|"
     r"end_header_id|begin_of_text)\|>|\[/?INST\]|<<\s*/?SYS\s*>>"),
    # "System: iOS 15" is a spec-sheet label; the role markers are lower or upper case.
    ("role_token", r"(?m)^[ \t]*(?-i:system|SYSTEM|assistant|ASSISTANT|Assistant)[ \t]*:"),
    # -- credentials sent somewhere
    ("credential_request", rf"\b{_SEND}\b[^.\n]{{0,40}}?\b{_CRED}\b[^.\n]{{0,60}}?{_TARGET}"),
    ("credential_request",
     rf"\b(?:(?:send|e-?mail|text|give|message)\s+us|env[íi]anos|m[áa]ndanos|escr[íi]benos|"
     rf"dinos|danos|facil[íi]tanos)\s+(?:tu|su|el|la|your|the)\s+(?:\w+\s+)?{_CRED}\b"),
    # -- hidden HTML and script payloads
    ("hidden_payload",
     r"<\s*script\b|<\s*iframe\b|\bjavascript:(?!\s)|\bon(?:error|load|click|mouseover)\s*="),
    # -- prompt exfiltration
    ("prompt_exfiltration",
     r"\b(?:repeat|print|reveal|show|display|output|disclose|leak|tell\s+me|write\s+out)\s+"
     r"(?:me\s+)?(?:all\s+(?:of\s+)?)?(?:your\s+(?:(?:system|initial|original|hidden|secret|"
     r"full)\s+)*|the\s+(?:(?:system|initial|original|hidden|secret)\s+)+)"
     r"(?:instructions|prompt|rules|guidelines)\b"),
    ("prompt_exfiltration", r"\bwhat\s+(?:are|were)\s+your\s+(?:\w+\s+)?(?:instructions|rules)\b"),
    ("prompt_exfiltration",
     r"\b(?:revela|rev[ée]lame|repite|rep[íi]teme|muestra|mu[ée]strame|imprime|dime|copia)\s+"
     r"(?:(?:todas\s+)?tus\s+(?:instrucciones|reglas|indicaciones)|(?:todas\s+)?las\s+"
     r"(?:instrucciones|indicaciones)\s+(?:del\s+sistema|ocultas|iniciales|originales|"
     r"secretas)|tu\s+prompt)"),
]
_PATTERNS = [(code, re.compile(rx, re.IGNORECASE)) for code, rx in _RULES]


def _excerpt(text: str) -> str:
    return " ".join(text.split())[:EXCERPT_CHARS]


def _negated(text: str, start: int) -> bool:
    """True when the sentence before ``start`` says not to ("never send your PIN to ...")."""
    before = re.split(r"[.!?\n,;:]", text[max(0, start - 40) : start])[-1]
    return _NEGATION.search(before) is not None


def screen(text: str) -> list[Threat]:
    """Every instruction aimed at the assistant or at customers that ``text`` carries, also
    behind invisible characters or look-alike letters."""
    text = unmask(text)
    threats: list[Threat] = []
    for code, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if code == "credential_request" and _negated(text, match.start()):
                continue
            threats.append(Threat(code, _excerpt(match.group(0))))
            break  # one excerpt per rule is enough to explain a quarantine
    return threats


def describe(threats: list[Threat]) -> str:
    """A report line naming what matched, e.g. ``instructions aimed at ...: "ignore ..."``."""
    return "; ".join(f'{LABELS[t.code]}: "{t.excerpt}"' for t in threats)
