"""Word tables of the near-miss fact checks (``cxrag.guard.facts``), Spanish and English.

Constant data, no logic: the accent-folding table; spelled-out numbers; units with the words
that write them, and which units may stand for which; currencies; months and weekdays; places
and acronyms spelled differently in either language (with the pattern that finds them); the
words that are never names (function, greeting and interface words, units, currencies); the
greetings before a customer's name; and the function words left out when labels are compared.
"""

from __future__ import annotations

import re

from cxrag.money import CURRENCY

# Folding keeps the length of the text, so positions found in it point into the original.
FOLD = str.maketrans("áéíóúüñàèìòùâêîôûçÁÉÍÓÚÜÑÀÈÌÒÙÂÊÎÔÛÇ’‘",
                     "aeiouunaeiouaeioucAEIOUUNAEIOUAEIOUC''")

# A passage may spell out a figure that a (translated) sentence writes in digits.
SPELLED = {w: str(n) for n, words in enumerate([
    "zero cero", "one a an uno una un", "two dos", "three tres", "four cuatro", "five cinco",
    "six seis", "seven siete", "eight ocho", "nine nueve", "ten diez", "eleven once",
    "twelve doce", "thirteen trece", "fourteen catorce", "fifteen quince",
    "sixteen dieciseis", "seventeen diecisiete", "eighteen dieciocho", "nineteen diecinueve",
    "twenty veinte"]) for w in words.split()}
SPELLED |= {"thirty": "30", "treinta": "30", "forty": "40", "cuarenta": "40", "fifty": "50",
            "cincuenta": "50", "sixty": "60", "sesenta": "60", "seventy": "70",
            "setenta": "70", "eighty": "80", "ochenta": "80", "ninety": "90",
            "noventa": "90", "hundred": "100", "cien": "100", "ciento": "100",
            "twice": "2", "dozen": "12", "docena": "12", "veinticuatro": "24",
            "twenty-four": "24"}
# Spelled numbers a sentence states: not articles ("a", "un"), "once" or "cien" ("ciento
# veinte" is one figure); "dos" only before a unit ("dos días"; "los dos" is "both").
QUANTITY_WORDS = sorted((w for w in SPELLED if w not in {
    "a", "an", "un", "una", "uno", "one", "once", "hundred", "cien", "ciento", "twice",
    "dozen", "docena"}), key=len, reverse=True)
SENTENCE_SPELLED = set(QUANTITY_WORDS) - {"zero", "cero", "dos"}  # "los dos": both

UNITS = {
    "second": "seconds second secs sec s segundos segundo seg",
    "minute": "minutes minute mins min minutos minuto",
    "hour": "hours hour hrs hr horas hora",
    "day": "days day dias dia",
    "week": "weeks week semanas semana",
    "month": "months month meses mes",
    "year": "years year yrs yr anos ano",
    "GB": "gb", "TB": "tb", "MB": "mb", "Mbps": "mbps",
    "kg": "kg kilos kilo kilogramos kilograms", "lb": "lb lbs pounds libras",
    "m": "m metros metro metres meters metre meter", "cm": "cm", "km": "km",
    "ft": "ft feet foot pies pie", "in": "inches inch pulgadas pulgada",
    "W": "w watts vatios", "kWh": "kwh",
}
UNIT = {v: k for k, words in UNITS.items() for v in words.split()}

BUSINESS = {"business", "working", "habiles", "laborables"}

MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
WEEKDAYS_ES = ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"]
WEEKDAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

DATE_WORDS = {m.lower() for m in MONTHS_EN} | set(MONTHS_ES) | {"setiembre"} | {
    d + s for d in WEEKDAYS_ES + WEEKDAYS_EN for s in ("", "s")}

# Places (and two acronyms) spelled differently in Spanish and English, matched on folded
# text, case-sensitive ("US" is a country, "us" is not); reasons give the first name.
PLACES = [
    ("Spain", "Spain Espana"), ("Mexico", "Mexico Mejico"), ("Europe", "Europe Europa"),
    ("United States", "United States|Estados Unidos|EE. UU.|EE.UU.|EEUU|USA|U.S.|US"),
    ("Mexico City", "Mexico City|Ciudad de Mexico|CDMX"),
    ("State of Mexico", "State of Mexico|Estado de Mexico"),
    ("United Kingdom", "United Kingdom|Reino Unido|UK"),
    ("European Union", "European Union|Union Europea|EU|UE"),
    ("Canary Islands", "Canary Islands|Islas Canarias|Canarias"),
    ("Balearic Islands", "Balearic Islands|Islas Baleares|Baleares"),
    ("New York", "New York|Nueva York"), ("London", "London Londres"),
    ("Seville", "Seville Sevilla"), ("Brussels", "Brussels Bruselas"),
    ("Lisbon", "Lisbon Lisboa"), ("Geneva", "Geneva Ginebra"),
    ("Netherlands", "Netherlands|the Netherlands|Paises Bajos|Holanda"),
    ("France", "France Francia"), ("Germany", "Germany Alemania"), ("Italy", "Italy Italia"),
    ("Switzerland", "Switzerland Suiza"), ("Ireland", "Ireland Irlanda"),
    ("Morocco", "Morocco Marruecos"), ("Brazil", "Brazil Brasil"), ("Japan", "Japan Japon"),
    ("Catalonia", "Catalonia Cataluna Catalunya"), ("Andalusia", "Andalusia Andalucia"),
    ("Basque Country", "Basque Country|Pais Vasco"),
    ("VAT", "VAT IVA"), ("APR", "APR TAE"),
]
ACRONYMS = {"VAT", "APR"}
PLACE_OF: dict[str, str] = {}
for _name, _spellings in PLACES:
    for _spelling in (_spellings.split("|") if "|" in _spellings else _spellings.split()):
        PLACE_OF[_spelling] = _name
PLACE_RE = re.compile(r"(?<![\w.])(" + "|".join(
    re.escape(s) for s in sorted(PLACE_OF, key=len, reverse=True)) + r")(?![\w$])")

# Capitalised words that are never names: function words, greetings, and the interface words
# a reply capitalises when it names a screen or a button in either language.
COMMON = set("""
a an the this that these those my your our their his her its you we they he she it i me us
to of in on at for from with by and or but if so as no not yes please thanks thank hi hello
hey dear ok okay all any each every new then also just only here there when where how what
which who why can will may must should do does be is are was your step steps note tip
important open go tap click select choose press hold enter add save cancel delete remove
edit change manage update turn sign log out up settings setting account accounts profile
help menu app apps web website online email e-mail wi-fi wifi chat phone call customer customers
service services support team center centre back next continue done confirm submit send
request view see check start stop pause resume allow off
spanish mexican american european english british french german italian canadian latin
el la los las lo un una unos unas mi mis tu tus su sus nuestro nuestra nuestros nuestras
de del en para por con sin y e o u ni si sí que al a ante tras desde hasta entre sobre este
esta estos estas ese esa hola gracias estimado estimada querido querida buenos buenas dias
tardes noches usted ustedes te le les nos paso pasos nota consejo importante abre abrir
ve ir entra entrar pulsa pulsar toca tocar elige elegir selecciona seleccionar escribe
introduce anade anadir guarda guardar cancela cancelar borra borrar elimina eliminar edita
editar cambia cambiar gestiona gestionar actualiza actualizar activa activar desactiva
desactivar inicia iniciar cierra cerrar sesion ajustes ajuste configuracion cuenta cuentas
perfil ayuda menu aplicacion correo cliente clientes servicio servicios soporte atencion
equipo centro volver siguiente continuar confirmar enviar solicitar solicita pedir pide ver
consulta consultar comprueba comprobar revisa revisar pausa pausar reanudar permitir
""".split())
# Never names, even in capitals: currencies and units (compared as amounts and quantities)
# and acronyms that are words in both languages ("TV", "tele").
NOT_NAMES = set(UNIT) | {k for k in CURRENCY if k.isalpha()} | set(
    "mx us kw ghz mhz dbm tv pc usb led leds gps id ok faq".split())

GREETING = {"hi", "hello", "hey", "dear", "thanks", "hola", "gracias", "estimado",
            "estimada", "querido", "querida", "buenos", "buenas", "dias", "tardes", "noches",
            "morning", "afternoon", "evening", "good"}

# Which units a sentence's unit may be stated as: "10 days" may drop "business", but "5
# business days" needs it, and "30 calendar days" is not "30 business days".
SAME_UNIT = {"day": {"day", "business day", "calendar day"}, "calendar day": {"day",
             "calendar day"}}

# Words left out when a label is compared with the passage's text ("Redeem a gift card").
FUNCTION = set("""a an the your my our their of to for in on at with and or el la los las un
una unos unas de del al en para por con y o tu tus mi mis su sus nuestro nuestra""".split())

# The topics whose periods customers ask about, as either language names them (accents off):
# a period stated for one must not come from a passage sentence about the other
# (``facts.other_topic``; ``reply.account`` reads the same words in a question)
PERIOD_TOPICS = {
    "warranty": re.compile(r"\b(?:garantia|warranty|guarantee)\b"),
    "return": re.compile(r"\b(?:devolver\w*|devolucion\w*|devuelv\w*|return\w*|desistimiento"
                         r"|send(?:ing)? (?:\w+ )?back)\b"),
}
PERIOD_UNITS = frozenset({"hour", "day", "week", "month", "year"})
