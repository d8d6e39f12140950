"""A small bilingual help centre for the widget's tests, with one malicious document."""

from __future__ import annotations

from pathlib import Path

# Markup in a document's title and text: the widget and the help page must show it as text.
EVIL_TITLE = '<img src=x onerror="window.__pwned=1">Warehouse notes'
EVIL_SENTENCE = ("The Zaragoza warehouse <script>window.__pwned=2</script> ships parcels "
                 "<img src=x onerror=\"window.__pwned=3\"> every weekday morning.")

SAFE_SENTENCE = "Parcels leave the Zaragoza warehouse before noon."

ARTICLES = {
    "en/gift-cards.md": (
        "---\ntitle: Gift cards\ntags: [gift-cards]\n---\n# Gift cards\n\n"
        "Gift cards never expire and can be used on any product sold by us. You can check "
        "the balance of a gift card in your account.\n\n## Lost cards\n\nA lost gift card "
        "can be blocked by our team if you still have the purchase receipt.\n"),
    "en/shipping-times.md": (
        "---\ntitle: Shipping times\n---\n# Shipping times\n\nOrders ship within 24 hours. "
        "Standard delivery takes 3 to 5 business days in the United States.\n\n## Tracking\n\n"
        "You receive a tracking link by email when the parcel leaves the warehouse.\n"),
    "es/devoluciones.md": (
        "---\ntitle: Devoluciones\ntags: [returns]\n---\n# Devoluciones\n\nTienes 30 días "
        "naturales para devolver un pedido. La devolución es gratuita en la península.\n\n"
        "## Cómo devolver\n\nEntra en Mis pedidos y pulsa Devolver. Imprime la etiqueta.\n"),
    "es/reembolsos.md": (
        "---\ntitle: Plazos de reembolso\n---\n# Plazos de reembolso\n\nEl reembolso con "
        "tarjeta tarda entre 3 y 10 días hábiles desde que revisamos la devolución.\n"),
    "en/warehouse-notes.txt": (
        f"---\ntitle: '{EVIL_TITLE}'\n---\n{SAFE_SENTENCE} {EVIL_SENTENCE}\n"),
}


def write_kb(folder: Path) -> Path:
    """The help centre under ``folder`` (returned)."""
    for name, text in ARTICLES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
