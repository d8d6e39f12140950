"""Output policy: what a reply must never say, whatever the passages told the model.

Grounding proves that a sentence is *supported*; this proves that it is *safe*. It assumes a
poisoned passage reached the prompt and the model complied, and judges each sentence alone:

- ``link_not_allowed``: a URL, bare domain or email address outside ``allowed_domains``
  (defanged and split forms too: ``hxxp://``, ``evil[.]example``, ``h t t p s``, base64);
- ``credential_request``: asking the customer to send, tell, confirm or type somewhere a
  password, PIN, CVV, one-time code, full card number or gift-card code (warnings are fine);
- ``prompt_leak``: words of a secret (a system prompt) in a row, or talk of instructions;
- ``markup``: active HTML (script, img, iframe, ``on...=`` handlers), ``javascript:``/``data:``;
- ``placeholder``: a token that redaction left in a past ticket or a passage ("[customer]",
  "[order]", "[email]"...): the sentence is someone else's template ("Hola [customer], soy
  Irene.", a past agent greeting another customer), never something to tell this one.

Sentences are compared folded: HTML entities decoded, invisible characters and accents
removed, look-alike Cyrillic and Greek letters mapped to Latin, lower case. Everything is
precompiled regular expressions, cheap substring gates and set lookups: about 0.1 ms a
sentence.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata
from collections.abc import Iterator, Sequence

from cxrag import privacy
from cxrag.ingest import tickets
from cxrag.textnorm import INVISIBLE, LOOKALIKE

LINK, CREDENTIAL, LEAK, MARKUP = "link_not_allowed", "credential_request", "prompt_leak", "markup"
PLACEHOLDER = "placeholder"
# What ticket ingestion (cxrag.ingest.tickets) and redaction (cxrag.privacy) put in place of
# personal data, matched on folded text: "[customer]", "[order]", "[card ••••1234]"...
_PLACEHOLDER = re.compile(
    r"\[(?:" + "|".join(sorted({t[1:-1] for t in (*tickets.TOKENS.values(),
                                                   *privacy.TOKENS.values())}))
    + r")(?:\s[^\]]{0,12})?\]")
SHINGLE = 8  # this many words of a secret in a row reveal it
PIECE, SHARE = 4, 0.6  # ...and so does a sentence mostly made of 4-word pieces of one

# Defanged and spoken forms, undone before looking for links ("evil[.]example", "hxxp").
_DEFANG = [(re.compile(p), r) for p, r in [
    (r"\bh[x*]{2}p(s?)(?=\s*[:\[(])", r"http\1"),
    (r"[\[({]\s*(?:\.|dot|punto)\s*[\])}]", "."),
    (r"[\[({]\s*(?:@|at|arroba)\s*[\])}]|\s+arroba\s+", "@"),
    (r"[\[({]\s*:\s*[\])}]", ":"),
    (r"\s+(?:dot|punto)\s+(?=(?:com|net|org|example|io|xyz|info|ru|mx|top)\b)", "."),
]]
_DEFANGED = re.compile(r"[\[({]|h[x*]{2}p|\b(?:dot|punto|arroba)\b")
_COMBINING = re.compile("[\u0300-\u036f]")
_SPACED = re.compile(r"(?<!\S)(?:\S[ \t]){2,}\S(?!\S)")  # "h t t p s", "p a s s w o r d"
_AROUND = re.compile(r"\s*([.:/@])\s*")

# -- links ---------------------------------------------------------------------------------
_TLD = ("(?:com|net|org|info|biz|edu|gov|mil|int|example|test|invalid|local|localhost|onion|"
        "xyz|top|site|online|store|shop|app|dev|cloud|tech|link|click|live|help|support|page|"
        "zip|mov|club|vip|icu|buzz|win|work|fun|space|website|email|digital|network|services|"
        "center|solutions|global|world|today|news|blog|pro|name|mobi|asia|lat|cat|eus|gal|bank|"
        "pay|money|gift|promo|sale|deals|host|monster|quest|sbs|cfd|rest|ltd|one|best|life|"
        "plus|fyi|wiki|media|social|chat|bot|run|lol|tienda|es|mx|us|uk|de|fr|it|pt|br|ar|cl|"
        "co|pe|ve|ec|uy|py|bo|cr|gt|hn|ni|pa|sv|do|cu|pr|eu|ru|cn|jp|kr|in|au|ca|nz|ch|at|be|"
        "nl|se|no|dk|fi|pl|cz|ie|io|ai|me|tv|cc|ws|to|ly|gl|gd|tk|ml|ga|cf|gq|pw|su|la|is|"
        "im|sh|st|ac|ag|am|fm|gg|je|vc|sc|nu|ms|li|lu|ro|hu|gr|tr|ua|il|za|ng|ke|sg|hk|tw)")
_DOMAIN = rf"(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+{_TLD}(?![a-z0-9-])"
_AUTHORITY = r"(?:https?|ftp)://(?P<auth>[^\s/?#\\\"'<>()\[\]]+)"
_LINK = re.compile(rf"{_AUTHORITY}|(?<![\w-])(?P<host>{_DOMAIN}|\d{{1,3}}(?:\.\d{{1,3}}){{3}})")
_LINKISH = re.compile(r"[a-z0-9-]\.[a-z0-9]|://|@")  # cheap gate before _LINK
# After squeezing spaces around ".:/@", only unmistakable links count ("tarjeta. Es" is not).
_SQUEEZED_LINK = re.compile(rf"{_AUTHORITY}|(?P<host>(?<=www\.){_DOMAIN}|(?<=@){_DOMAIN}|"
                            rf"{_DOMAIN}(?=/))")

# -- markup --------------------------------------------------------------------------------
_ACTIVE = re.compile(
    r"<\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|img|image|svg|math|style|"
    r"link|meta|base|form|input|button|textarea|select|video|audio|source|track|picture|"
    r"portal|template|body|html|marquee|details)\b|<[^>]*\bon[a-z]+\s*=|\bsrcdoc\s*=|"
    r"\b(?:j\s*a\s*v\s*a|v\s*b|l\s*i\s*v\s*e)\s*s\s*c\s*r\s*i\s*p\s*t\s*:|"
    r"\bdata\s*:\s*[a-z]+/[a-z0-9.+-]+[;,]")
_TAG = re.compile(r"<!--.*?-->|</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>", re.S)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_SPACES = re.compile(r"\s{2,}")

# -- credentials ---------------------------------------------------------------------------
_CRED = re.compile(  # the lookahead lets the matcher skip most positions at once
    r"(?=[abcdfglnoprstv0-9])(?:p[a4@][s$5]{2}[\s.-]?(?:w[o0]rd|code|phrase)s?|"
    r"c[o0]ntr[a4@]s[e3]n[a4@]s?|"
    r"\bclaves?\b(?! de (?:producto|wifi))|\bpins?\b|\bnip\b|\bcv[vc]2?\b|\bcsc\b|"
    r"\bcredentials?\b|\bcredenciales\b|datos de acceso|login details|\botp\b|"
    r"(?:security|verification|confirmation|one[- ]time|otp|sms|2fa|two[- ]factor|"
    r"auth(?:entication)?|access|login|backup|recovery|redemption|claim|text(?:ed)?) codes?|"
    r"codigos? (?:de )?(?:seguridad|verificacion|confirmacion|un solo uso|acceso|respaldo|"
    r"recuperacion|canje|sms|otp|2fa)|codigos? (?:por|del|via) sms|"
    r"codigos? de \d+ (?:digitos|cifras)|\d+[- ]digit (?:code|pin)|"
    r"codes? (?:that )?(?:we|i) (?:just )?(?:sent|texted)|codes? (?:that )?you (?:just )?"
    r"(?:got|received)|codes? (?:sent )?(?:by|via) (?:sms|text)|"
    r"codigos?(?: de \d+ digitos)? que (?:te |le )?(?:hemos|han|ha|acabamos de|llego|"
    r"recib)|card (?:number|details|code|pin)s?|\b16 digit|"
    r"(?:numeros?|datos|codigos?|pin|nip) (?:completos? )?de (?:la |tu |su |una )?tarjeta|"
    r"gift ?card (?:codes?|numbers?|pins?)|codes? on (?:the back of )?(?:your |the )?"
    r"(?:gift )?card|fotos? (?:de|del) (?:la |tu |su )?(?:tarjeta|reverso)|"
    r"(?:photo|picture)s? of (?:the |your )?(?:(?:credit|debit|gift) )?card)")
# Words one of which any credential names; a substring test is far cheaper than _CRED.
_CRED_HINTS = ("pas", "pa5", "pa$", "p4", "p@", "c0", "contr", "clave", "pin", "nip", "cv",
               "csc", "credencial", "credential", "datos", "login", "otp", "code", "codigo",
               "card", "tarjeta", "16")
_NEW = re.compile(r"\b(?:nuev[ao]s? (?:contrasena|clave|pin|nip)s?|(?:contrasena|clave|pin)s? "
                  r"nuev[ao]s?|new (?:password|pin|passcode)s?)\b")
_CLITIC = r"(?:me|nos|le|les|se)?(?:l[oa]s?)?"
# Verbs that hand something over; most Spanish forms are also third person ("el banco
# envía"), so unless they carry "me"/"nos" they count only where an imperative stands.
_SEND = re.compile(
    r"\b(?:send|tell|give|provide|share|forward|submit|supply|disclose|reveal|reply|respond|"
    r"answer|read(?= (?:us|me|out))|(?:e-?mail|mail|text|message|dm|"
    r"whatsapp)(?= (?:us|me|it|them|back|your|the))|let (?:us|me) know|"
    r"(?:envi|reenvi|mand|facilit|proporcion|indic|indiqu|dict|comunic|comuniqu|compart|"
    rf"respond|contest)(?:a|e|as|es|an|en|ad|ar|er|ir){_CLITIC}|"
    r"(?:di|dig[ae]n?|decir|da|de|den|dar|pas[ae]n?|pasar|regal[ae]n?|regalar|escrib[ae]n?|"
    r"escribir|muestr[ae]n?|mostrar|haz|hag[ae]n?)(?:me|nos)(?:l[oa]s?)?(?: llegar)?)\b")
# Confirming counts only with the credential as the object ("confirm your PIN"), not as the
# means ("confirma la compra con tu PIN", in the bank's app).
_CONFIRM = re.compile(r"\b(?:confirm|verify|validate|(?:confirm|verific|verifiqu|valid)"
                      rf"(?:a|e|en|ar){_CLITIC})\b")
_DIRECT = re.compile(rf"\s+(?:[\w']+\s+){{0,2}}?(?:{_CRED.pattern})")
_TYPE = re.compile(
    r"\b(?:type|enter|input|write|fill in|key in|put|paste|insert|use|(?:sign|log) ?in with|"
    r"(?:escrib|tecle|introduc|introduzc|ingres|anot|pong|peg|coloc|copi|rellen)[a-z]*|"
    r"digit(?:a|e|an|en|ar)(?:l[oa]s?)?|"
    r"pon(?:lo|la|los|las)?)\b")
_NEED = re.compile(r"\b(?:necesit(?:amos|o|aremos)|requerimos|we(?:'ll| will)? need|i need|"
                   r"we require|what(?:'s| is| are) (?:your|the)|cual(?:es)? (?:es|son))\b")
_NEGATED = re.compile(r"\b(?:never|not|no|don't|dont|nor|avoid|without|nunca|jamas|ni|"
                      r"tampoco|evita|evite)\b(?!\s+(?:forget|olvid|fail|dud|hesit))"
                      r"(?:\s+\S+){0,4}\s*$")
_POSITION = re.compile(
    r"(?:^|[,;:(!?¡¿\"“\-–—]|\b(?:please|kindly|and|or|then|just|now|simply|also|"
    r"immediately|first|quickly|to|you|you'll|will|must|should|can|could|may|por favor|"
    r"porfa|y|e|o|luego|ahora|despues|primero|solo|solamente|simplemente|tambien|ademas|"
    r"inmediatamente|ya|que|debes|debe|deben|tienes que|tiene que|necesitas|necesita|puedes|"
    r"puede|podrias|podria|hay que|favor de|basta con|olvides|olvide|recuerda|recuerde))"
    r"\s*$")
_SUBJECT = re.compile(r"\b(?:we|i|they|he|she|tiendalia|who|which|nobody)\b"
                      r"(?:(?!\byou\b)[^.;:,]){0,25}$")
_RELATIVE = re.compile(r"\b(?:que|that|which|where|donde)\b")
_BUT = re.compile(r"\b(?:never|not|nunca|jamas|ni|except|excepto|salvo)\b")
_PLACE = re.compile(
    r"\b(?:to|a|al)\s+(?:nosotros|us|me|soporte|support|seguridad|security|nuestro|"
    r"nuestra|our|este|esta|this|la direccion|el correo|the address|the email|un agente|an "
    r"agent|the agent|el agente)\b|@|https?:|www\.|\b(?:here|below|aqui|aca|abajo)\b|"
    r"\b(?:en|in|into|on|at)\s+(?:(?:el|la|los|las|este|esta|ese|esa|un|una|nuestro|nuestra|"
    r"the|this|that|our|a|an|following|siguiente|next)\s+){0,3}(?:link|url|form|chat|"
    r"conversation|message|reply|email|e-mail|mail|enlace|vinculo|liga|formulario|"
    r"conversacion|mensaje|respuesta|correo|whatsapp|telegram|sms|dm)\b|"
    r"\b(?:this|following|that|esta|siguiente|otra|another|external|externa)\s+(?:web\s*)?"
    r"(?:page|site|website|web|pagina|sitio)\b")
_IT = re.compile(r"\s+(?:(?:us|me|back)\s+)?(?:it|them)\b")
_DATIVE = re.compile(r"[a-z]{2}(?:me|nos)(?:l[oa]s?)?(?: llegar)?$")  # envíanos, dímelo
_PRONOUN = re.compile(r"l[oa]s?$")  # envíala, escríbelo

# -- instructions --------------------------------------------------------------------------
_DISCLOSE = re.compile(
    r"\bmy\s+(?:\w+\s+)?(?:instructions|rules|guidelines|directives|prompt)\b|"
    r"\bi\s+(?:was|am|have\s+been|'ve\s+been)\s+(?:told|instructed|programmed|configured|"
    r"prompted)\s+to\b|\bsystem\s+(?:prompt|message|instructions?)\b|"
    r"\b(?:initial|original|hidden|secret|previous|prior|above|earlier|developer)\s+"
    r"(?:instructions|prompt)\b|\bmis\s+(?:\w+\s+)?(?:instrucciones|reglas|directrices|"
    r"indicaciones|ordenes)\b|\bmi\s+prompt\b|\b(?:prompt|mensaje|instrucciones)\s+del?\s+"
    r"sistema\b|\binstrucciones\s+(?:iniciales|originales|ocultas|secretas|anteriores|"
    r"previas)\b|\bme\s+(?:han\s+|ha\s+)?(?:ordenado|instruido|programado|configurado)\s+"
    r"(?:que|para)\b|\bestoy\s+(?:programad|configurad|instruid)[oa]\s+para\b|"
    r"\bdeveloper\s+mode\b|\bmodo\s+desarrollador\b|\bjailbreak")
_VERBS = (("send", _SEND), ("confirm", _CONFIRM), ("type", _TYPE), ("need", _NEED))
# "Ask the customer for their password", "pide al cliente su contraseña": never a reply's job.
_ASK_CUSTOMER = re.compile(
    r"\b(?:ask|request|pid[ae]n?|pedir(?:le|les)?|pidele|pidales|solicit(?:a|e|an|en|ar)(?:le|les)?)"
    r"\s+(?:(?:al|a los|a las|a la|a|the|our|nuestros|every|each|cada|all|todos los)\s+)?"
    r"(?:clientes?|usuarios?|customers?|users?|compradores?|buyers?|visitors?|visitantes?)\b")
_WORD = re.compile(r"\w+")
_B64 = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")
_LOWER, _NOT_LOWER, _BLANK = re.compile("[a-z]"), re.compile("[A-Z0-9]"), re.compile(r"\s")


def fold(text: str) -> str:
    """``text`` as the policy compares it: entities decoded, invisible characters and
    accents removed, look-alike letters mapped to Latin, lower case."""
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if text.isascii():
        return text.lower()
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", INVISIBLE.sub("", text)))
    return text.lower().translate(LOOKALIKE)


def _defang(text: str) -> str:
    """Defanged and spoken link parts written normally."""
    if not _DEFANGED.search(text):
        return text
    for pattern, plain in _DEFANG:
        text = pattern.sub(plain, text)
    return text


def _despace(text: str) -> str:
    """Letters written one by one ("h t t p") joined."""
    return _SPACED.sub(lambda m: _BLANK.sub("", m.group()), text)


class OutputPolicy:
    """Rules a reply sentence must keep: links only to ``allowed_domains`` (and their
    subdomains), no credential requests, nothing of ``secrets``, no active markup."""

    def __init__(self, allowed_domains: Sequence[str] = (), secrets: Sequence[str] = ()) -> None:
        self.allowed_domains = tuple(d.lower().strip(".") for d in allowed_domains)
        self._grams: dict[int, set[tuple[str, ...]]] = {PIECE: set(), SHINGLE: set()}
        self._vocabulary: set[str] = set()
        for secret in secrets:
            words = _WORD.findall(fold(secret))
            self._vocabulary.update(words)
            for n, grams in self._grams.items():
                grams.update(tuple(words[i:i + n]) for i in range(len(words) - n + 1))

    def violation(self, sentence: str) -> str | None:
        """The code of the first rule ``sentence`` breaks, or None when it may be shown."""
        found = self._judge(sentence)
        for decoded in _decoded(sentence) if found is None else ():
            found = self._judge(decoded)
            if found is not None:
                break
        return found

    def clean(self, text: str) -> str:
        """``text`` without HTML tags or markdown images (for text that is otherwise safe)."""
        if not (_TAG.search(text) or _MD_IMAGE.search(text)):
            return text
        return _SPACES.sub(" ", _TAG.sub(" ", _MD_IMAGE.sub(" ", text))).strip()

    def _judge(self, sentence: str) -> str | None:
        text = _defang(fold(sentence))
        spaced = _despace(text)
        squeezed = _AROUND.sub(r"\1", spaced)
        if ("<" in squeezed or ":" in squeezed or "=" in squeezed) and _ACTIVE.search(squeezed):
            return MARKUP
        if self._foreign(text, squeezed, sentence.lower()):
            return LINK
        if _asks_credential(_NEW.sub(" ", spaced)):
            return CREDENTIAL
        if _DISCLOSE.search(text) or self._reveals(text):
            return LEAK
        if "[" in text and _PLACEHOLDER.search(text):
            return PLACEHOLDER
        return None

    def _foreign(self, text: str, squeezed: str, written: str) -> bool:
        """Whether a link or address points outside the allowed domains."""
        hosts = list(_hosts(_LINK, text)) if _LINKISH.search(text) else []
        if "/" in squeezed or "@" in squeezed or "www." in squeezed:
            hosts += _hosts(_SQUEEZED_LINK, squeezed)
        return any(not self._allowed(host, written) for host in hosts)

    def _allowed(self, host: str, written: str) -> bool:
        """An allowed domain or subdomain, spelled plainly (no look-alike letters)."""
        own = any(host == d or host.endswith("." + d) for d in self.allowed_domains)
        return own and host in written

    def _reveals(self, text: str) -> bool:
        """Whether ``text`` repeats a secret: SHINGLE words in a row, or at least SHARE of its
        words (and 5 or more) in 4-word pieces of one, a word slipped in here and there."""
        words = _WORD.findall(text)
        if sum(w in self._vocabulary for w in words) <= PIECE:
            return False
        if any(tuple(words[i:i + SHINGLE]) in self._grams[SHINGLE]
               for i in range(len(words) - SHINGLE + 1)):
            return True
        covered = {i + k for i in range(len(words) - PIECE + 1)
                   if tuple(words[i:i + PIECE]) in self._grams[PIECE] for k in range(PIECE)}
        return len(covered) >= max(PIECE + 1, SHARE * len(words))


def _hosts(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    """Host names of the links and addresses ``pattern`` finds (user info and port off)."""
    for m in pattern.finditer(text):
        host = m.group("host") or m.group("auth").rsplit("@", 1)[-1].split(":")[0]
        yield host.strip(".,;!?'\"")


def _asks_credential(text: str) -> bool:
    """Whether ``text`` asks the customer to hand over or type somewhere a credential, or
    tells someone to ask customers for one (an instruction planted for the assistant)."""
    if not any(hint in text for hint in _CRED_HINTS) or not _CRED.search(text):
        return False
    found = _ASK_CUSTOMER.search(text)
    if found and _CRED.search(text[found.end():]) and not _NEGATED.search(text[:found.start()]):
        return True
    return any(_asked(text, m, kind) for kind, verbs in _VERBS for m in verbs.finditer(text))


def _asked(text: str, verb: re.Match[str], kind: str) -> bool:
    """Whether ``verb`` is a request (not negated, imperative) whose object is a credential;
    typing counts only with a place to type it (a link, this chat, an address)."""
    head, tail = text[:verb.start()], _BUT.split(text[verb.end():], maxsplit=1)[0]
    if _NEGATED.search(head):
        return False
    dative = _DATIVE.search(verb.group())
    if kind != "need" and not dative and (not _POSITION.search(head) or _SUBJECT.search(head)):
        return False
    if kind == "type" and not _PLACE.search(_RELATIVE.split(tail, maxsplit=1)[0]):
        return False
    if kind == "confirm":
        return bool(_DIRECT.match(tail))
    if _CRED.search(tail[:80]):
        return True
    pronoun = _PRONOUN.search(verb.group()) or _IT.match(tail)
    return bool(pronoun and _CRED.search(head))


def _decoded(sentence: str) -> Iterator[str]:
    """Printable text hidden as base64 in ``sentence``."""
    for token in _B64.findall(INVISIBLE.sub("", sentence)):
        if not (_LOWER.search(token) and _NOT_LOWER.search(token)):
            continue
        padded = token.replace("-", "+").replace("_", "/") + "=" * (-len(token) % 4)
        try:
            text = base64.b64decode(padded, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        if sum(c.isprintable() for c in text) >= 0.95 * len(text):
            yield text
