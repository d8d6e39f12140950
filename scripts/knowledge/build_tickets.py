#!/usr/bin/env python3
"""Generate the sample customers and past support tickets of the knowledge base.

Writes (deterministically, seeded):

* ``knowledge/customers/customers.json``        customers with their orders
* ``knowledge/tickets/tickets-2026-q2.csv``      helpdesk export, April-June 2026
* ``knowledge/tickets/tickets-2026-q3.jsonl``    helpdesk export, July-September 2026

Every ticket comes from one of the hand-written scenarios in
``ticket_scenarios.py``. A scenario is instantiated a few times with a different
customer, order, agent, channel, date and (for many scenarios) a different
opening message or tone. Orders mentioned in tickets are created on the
customer's record, so ticket and customer data stay consistent.

Usage: ``.venv/bin/python scripts/knowledge/build_tickets.py``
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ticket_scenarios import SCENARIOS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS_OUT = ROOT / "knowledge" / "customers" / "customers.json"
TICKETS_DIR = ROOT / "knowledge" / "tickets"
SEED = 20260930

UTC = dt.timezone.utc

# --------------------------------------------------------------------------- customers

CUSTOMERS = [
    # Spain
    dict(id="C0001", name="Lucía Fernández García", email="lucia.fernandez.g@gmail.com", locale="es-ES", country="ES", tier="plus", created_at="2021-11-03T18:22:10Z",
         attributes=dict(preferred_channel="whatsapp", marketing_opt_in=True, city="Madrid", postal_code="28045", phone="+34 622 418 903", plus_since="2023-02-14")),
    dict(id="C0002", name="Javier Martín Ruiz", email="javi.martin.ruiz@hotmail.es", locale="es-ES", country="ES", tier="standard", created_at="2023-05-19T10:04:51Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=False, city="Valencia", postal_code="46023", phone="+34 655 302 117")),
    dict(id="C0003", name="Carmen Ortega Díaz", email="carmen.ortega@outlook.es", locale="es-ES", country="ES", tier="plus", created_at="2020-09-27T08:40:00Z",
         attributes=dict(preferred_channel="phone", marketing_opt_in=True, city="Sevilla", postal_code="41011", phone="+34 690 551 284", plus_since="2022-06-01")),
    dict(id="C0004", name="Pablo Sánchez Moreno", email="psanchezmoreno@gmail.com", locale="es-ES", country="ES", tier="standard", created_at="2024-01-08T21:15:33Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Zaragoza", postal_code="50009", phone="+34 611 987 450")),
    dict(id="C0005", name="Marta Vidal Puig", email="marta.vidal.puig@gmail.com", locale="es-ES", country="ES", tier="standard", created_at="2022-03-30T12:00:12Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=False, city="Barcelona", postal_code="08013", phone="+34 644 210 776")),
    dict(id="C0006", name="Antonio Jiménez Romero", email="antoniojimenez1958@yahoo.es", locale="es-ES", country="ES", tier="standard", created_at="2025-02-11T09:31:47Z",
         attributes=dict(preferred_channel="phone", marketing_opt_in=False, city="Córdoba", postal_code="14005", phone="+34 957 334 812", notes="Prefiere atención telefónica; poco habituado a la app.")),
    dict(id="C0007", name="Nerea Etxeberria Larrañaga", email="nerea.etxeberria@euskaltel.net", locale="es-ES", country="ES", tier="plus", created_at="2022-12-02T17:45:09Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Bilbao", postal_code="48009", phone="+34 688 140 392", plus_since="2024-11-29")),
    dict(id="C0008", name="Daniel Rodríguez Pérez", email="daniel@rodriguezreformas.es", locale="es-ES", country="ES", tier="business", created_at="2023-08-21T07:58:30Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=False, city="Alcalá de Henares", postal_code="28806", phone="+34 609 778 120", company="Reformas Rodríguez", tax_id="50987654X", business_type="autónomo")),
    dict(id="C0009", name="Raquel Hernández Suárez", email="raquelhs@gmail.com", locale="es-ES", country="ES", tier="standard", created_at="2024-06-15T19:12:44Z",
         attributes=dict(preferred_channel="whatsapp", marketing_opt_in=True, city="Las Palmas de Gran Canaria", postal_code="35010", phone="+34 628 905 331", region="canarias")),
    dict(id="C0010", name="Tom Whitaker", email="tom.whitaker.mlg@gmail.com", locale="es-ES", country="ES", tier="plus", created_at="2023-10-05T14:20:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=False, city="Málaga", postal_code="29016", phone="+34 631 552 098", preferred_language="en", plus_since="2024-03-10")),
    dict(id="C0011", name="Alba Navarro Gil", email="alba.navarro.gil@gmail.com", locale="es-ES", country="ES", tier="standard", created_at="2025-09-01T11:11:11Z",
         attributes=dict(preferred_channel="whatsapp", marketing_opt_in=True, city="Murcia", postal_code="30007", phone="+34 672 093 554")),
    # Mexico
    dict(id="C0012", name="María José Ramírez López", email="majo.ramirez.lopez@gmail.com", locale="es-MX", country="MX", tier="plus", created_at="2022-04-18T16:30:00Z",
         attributes=dict(preferred_channel="whatsapp", marketing_opt_in=True, city="Ciudad de México", postal_code="03100", phone="+52 55 6120 4471", plus_since="2023-11-17")),
    dict(id="C0013", name="Luis Alberto Torres Mendoza", email="luisalberto.torres@hotmail.com", locale="es-MX", country="MX", tier="standard", created_at="2023-01-25T02:14:09Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=False, city="Guadalajara", postal_code="44160", phone="+52 33 1847 2290")),
    dict(id="C0014", name="Fernanda Castillo Ruiz", email="fer.castillo.ruiz@outlook.com", locale="es-MX", country="MX", tier="standard", created_at="2024-07-09T23:48:00Z",
         attributes=dict(preferred_channel="whatsapp", marketing_opt_in=True, city="Monterrey", postal_code="64610", phone="+52 81 2290 5518")),
    dict(id="C0015", name="Jorge Hernández Aguilar", email="compras@hacomercializadora.mx", locale="es-MX", country="MX", tier="business", created_at="2022-10-03T15:00:00Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=False, city="Querétaro", postal_code="76090", phone="+52 442 318 7702", company="HA Comercializadora del Bajío SA de CV", tax_id="HCB180522KT3", cfdi_use="G03")),
    dict(id="C0016", name="Guadalupe Flores Martínez", email="lupita.flores.mtz@gmail.com", locale="es-MX", country="MX", tier="standard", created_at="2025-03-14T13:05:27Z",
         attributes=dict(preferred_channel="whatsapp", marketing_opt_in=True, city="San Pedro Pochutla, Oaxaca", postal_code="70900", phone="+52 958 117 4409", extended_zone=True)),
    dict(id="C0017", name="Ricardo Vázquez Soto", email="ricardo.vazquez.soto@gmail.com", locale="es-MX", country="MX", tier="plus", created_at="2021-08-30T20:40:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Puebla", postal_code="72160", phone="+52 222 509 3316", plus_since="2022-11-18")),
    dict(id="C0018", name="Daniela Morales Reyes", email="dani.moralesr@yahoo.com.mx", locale="es-MX", country="MX", tier="standard", created_at="2024-02-02T10:10:10Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=False, city="Mérida", postal_code="97130", phone="+52 999 402 6675")),
    dict(id="C0019", name="Alejandro Gutiérrez Peña", email="alex.gtz.pena@gmail.com", locale="es-MX", country="MX", tier="standard", created_at="2023-06-12T18:25:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Ciudad de México", postal_code="11560", phone="+52 55 4418 9023")),
    dict(id="C0020", name="Sofía Jiménez Cruz", email="sofi.jimenez.cruz@gmail.com", locale="es-MX", country="MX", tier="standard", created_at="2025-05-27T08:00:00Z",
         attributes=dict(preferred_channel="whatsapp", marketing_opt_in=True, city="Comitán de Domínguez, Chiapas", postal_code="30000", phone="+52 963 118 2047", extended_zone=True)),
    dict(id="C0021", name="Miguel Ángel Rojas Ibarra", email="mrojas.ibarra@gmail.com", locale="es-MX", country="MX", tier="standard", created_at="2022-09-09T05:55:00Z",
         attributes=dict(preferred_channel="phone", marketing_opt_in=False, city="Tijuana", postal_code="22010", phone="+52 664 330 1852")),
    # United States
    dict(id="C0022", name="Emily Johnson", email="emily.johnson.atx@gmail.com", locale="en-US", country="US", tier="plus", created_at="2022-02-20T15:40:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Austin", state="TX", postal_code="78704", phone="+1 512 555 0182", plus_since="2023-07-04")),
    dict(id="C0023", name="Michael Brown", email="mbrown1979@yahoo.com", locale="en-US", country="US", tier="standard", created_at="2023-09-14T12:12:00Z",
         attributes=dict(preferred_channel="phone", marketing_opt_in=False, city="Columbus", state="OH", postal_code="43215", phone="+1 614 555 0127")),
    dict(id="C0024", name="Ashley Davis", email="ashley.m.davis@icloud.com", locale="en-US", country="US", tier="standard", created_at="2024-04-01T09:00:00Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=True, city="San Diego", state="CA", postal_code="92104", phone="+1 619 555 0144")),
    dict(id="C0025", name="Kevin Nguyen", email="kevin.nguyen.sea@gmail.com", locale="en-US", country="US", tier="plus", created_at="2021-12-11T22:03:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Seattle", state="WA", postal_code="98103", phone="+1 206 555 0199", plus_since="2022-01-05")),
    dict(id="C0026", name="Jessica Miller", email="jess.miller.pdx@gmail.com", locale="en-US", country="US", tier="standard", created_at="2025-01-19T17:30:00Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=False, city="Portland", state="OR", postal_code="97214", phone="+1 503 555 0163")),
    dict(id="C0027", name="Robert Wilson", email="robert.wilson.usa@gmail.com", locale="en-US", country="US", tier="standard", created_at="2024-08-22T06:45:00Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=False, city="APO", state="AE", postal_code="09096", phone="+1 910 555 0110", military=True, shipping_note="Unit 3050 Box 27, APO AE 09096")),
    dict(id="C0028", name="Maria Gonzalez", email="mariagonzalez.mia@gmail.com", locale="en-US", country="US", tier="standard", created_at="2023-03-03T13:13:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Miami", state="FL", postal_code="33135", phone="+1 305 555 0171", spoken_languages=["en", "es"])),
    dict(id="C0029", name="Brian Thompson", email="bthompson@oakridgesd.org", locale="en-US", country="US", tier="business", created_at="2024-10-07T14:00:00Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=False, city="Springfield", state="IL", postal_code="62704", phone="+1 217 555 0135", company="Oak Ridge School District 84", tax_exempt=True)),
    dict(id="C0030", name="Samantha Lee", email="sam.lee.nyc@gmail.com", locale="en-US", country="US", tier="standard", created_at="2025-08-28T20:20:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Brooklyn", state="NY", postal_code="11216", phone="+1 718 555 0158", student=True)),
    dict(id="C0031", name="Daniel Kim", email="dkim.chicago@gmail.com", locale="en-US", country="US", tier="plus", created_at="2022-06-30T11:00:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Chicago", state="IL", postal_code="60614", phone="+1 312 555 0104", plus_since="2024-05-02")),
    dict(id="C0032", name="Olivia Martinez", email="olivia.martinez.co@outlook.com", locale="en-US", country="US", tier="plus", created_at="2023-12-01T16:45:00Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=True, city="Denver", state="CO", postal_code="80205", phone="+1 720 555 0133", plus_since="2025-01-15")),
    dict(id="C0033", name="James Anderson", email="janderson.tx@gmail.com", locale="en-US", country="US", tier="standard", created_at="2025-04-04T08:30:00Z",
         attributes=dict(preferred_channel="phone", marketing_opt_in=False, city="Houston", state="TX", postal_code="77006", phone="+1 713 555 0119")),
    dict(id="C0034", name="Rachel Cohen", email="rachel.cohen.nj@gmail.com", locale="en-US", country="US", tier="standard", created_at="2024-11-20T19:00:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=True, city="Hoboken", state="NJ", postal_code="07030", phone="+1 201 555 0187")),
    dict(id="C0035", name="Sergio Castro Blanco", email="sergiocastroblanco@gmail.com", locale="es-ES", country="ES", tier="standard", created_at="2024-03-12T10:20:00Z",
         attributes=dict(preferred_channel="chat", marketing_opt_in=False, city="Valladolid", postal_code="47008", phone="+34 647 390 221")),
    dict(id="C0036", name="Elena Ruiz Domínguez", email="elena.ruizdominguez@gmail.com", locale="es-ES", country="ES", tier="plus", created_at="2021-05-05T09:09:09Z",
         attributes=dict(preferred_channel="email", marketing_opt_in=True, city="A Coruña", postal_code="15004", phone="+34 698 220 871", plus_since="2021-05-05")),
]

# --------------------------------------------------------------------------- catalogue

# key -> country -> (sku, name, unit price, large item?)
CATALOG = {
    "luma-speaker": {"ES": ("LUM-LS1-ANT-ES", "Luma Speaker (LS-1) Antracita", 79.99, False),
                     "MX": ("LUM-LS1-ANT-MX", "Luma Speaker (LS-1) Antracita", 1699.00, False),
                     "US": ("LUM-LS1-CHR-US", "Luma Speaker (LS-1) Charcoal", 89.99, False)},
    "luma-cam": {"ES": ("LUM-LC2-ES", "Luma Cam (LC-2) cámara de seguridad 2K", 59.99, False),
                 "MX": ("LUM-LC2-MX", "Luma Cam (LC-2) cámara de seguridad 2K", 1299.00, False),
                 "US": ("LUM-LC2-US", "Luma Cam (LC-2) 2K security camera", 69.99, False)},
    "luma-plug": {"ES": ("LUM-LP1-2PK-ES", "Luma Plug (LP-1) pack de 2", 24.99, False),
                  "MX": ("LUM-LP1-2PK-MX", "Luma Plug (LP-1) paquete de 2", 499.00, False),
                  "US": ("LUM-LP1-2PK-US", "Luma Plug (LP-1) 2-pack", 29.99, False)},
    "luma-router": {"ES": ("LUM-LR3-2PK-ES", "Luma Router (LR-3) Wi-Fi 6 mesh pack de 2", 149.00, False),
                    "MX": ("LUM-LR3-2PK-MX", "Luma Router (LR-3) Wi-Fi 6 mesh paquete de 2", 3299.00, False),
                    "US": ("LUM-LR3-3PK-US", "Luma Router (LR-3) Wi-Fi 6 mesh 3-pack", 229.99, False)},
    "tv": {"ES": ("ARD-55Q7-ES", "Televisor Arden 55\" 4K QLED 55Q7", 549.00, False),
           "MX": ("ARD-55Q7-MX", "Pantalla Arden 55\" 4K QLED 55Q7", 10999.00, False),
           "US": ("ARD-65Q7-US", "Arden 65\" 4K QLED TV 65Q7", 749.99, True)},
    "washer": {"ES": ("KEL-WM8-ES", "Lavadora Kelvo 8 kg 1400 rpm", 429.00, True),
               "MX": ("KEL-WT19-MX", "Lavadora Kelvo 19 kg carga superior", 8999.00, True),
               "US": ("KEL-FL45-US", "Kelvo 4.5 cu ft front-load washer", 849.00, True)},
    "fridge": {"ES": ("KEL-FC185-ES", "Frigorífico combi Kelvo 185 cm No Frost", 599.00, True),
               "MX": ("KEL-RF14-MX", "Refrigerador Kelvo 14 pies No Frost", 11499.00, True),
               "US": ("KEL-FD25-US", "Kelvo 25 cu ft French-door refrigerator", 1899.00, True)},
    "laptop": {"ES": ("ORB-14P-ES", "Portátil Orbe 14 Pro i5 16 GB 512 GB", 799.00, False),
               "MX": ("ORB-14P-MX", "Laptop Orbe 14 Pro i5 16 GB 512 GB", 16999.00, False),
               "US": ("ORB-14P-US", "Orbe 14 Pro laptop i5 16GB 512GB", 899.99, False)},
    "earbuds": {"ES": ("NIM-BUDS2-ES", "Auriculares Nimbus Buds 2 ANC", 89.99, False),
                "MX": ("NIM-BUDS2-MX", "Audífonos Nimbus Buds 2 ANC", 1899.00, False),
                "US": ("NIM-BUDS2-US", "Nimbus Buds 2 ANC earbuds", 99.99, False)},
    "sofa": {"ES": ("HOG-OSLO3-ES", "Sofá 3 plazas Oslo gris", 649.00, True),
             "MX": ("HOG-OSLO3-MX", "Sala Oslo 3 plazas gris", 12999.00, True),
             "US": ("HOG-OSLO3-US", "Oslo 3-seat sofa, gray", 899.00, True)},
    "desk": {"ES": ("HOG-TEO-ES", "Escritorio elevable Teo 140x70", 289.00, False),
             "MX": ("HOG-TEO-MX", "Escritorio elevable Teo 140x70", 5499.00, False),
             "US": ("HOG-TEO-US", "Teo standing desk 55x28 in", 329.00, False)},
    "bookcase": {"ES": ("HOG-LUND5-ES", "Estantería Lund 5 baldas roble", 99.00, False),
                 "MX": ("HOG-LUND5-MX", "Librero Lund 5 repisas roble", 2199.00, False),
                 "US": ("HOG-LUND5-US", "Lund 5-shelf bookcase, oak", 119.00, False)},
    "chair": {"ES": ("HOG-ERGO-ES", "Silla de oficina Ergo Mesh", 159.00, False),
              "MX": ("HOG-ERGO-MX", "Silla de oficina Ergo Mesh", 2999.00, False),
              "US": ("HOG-ERGO-US", "Ergo Mesh office chair", 189.00, False)},
    "aircon": {"ES": ("FRE-SPL35-ES", "Aire acondicionado split Frescor 3.000 frigorías", 499.00, False),
               "MX": ("FRE-MS1T-MX", "Minisplit Frescor 1 tonelada inverter 220 V", 8499.00, False),
               "US": ("FRE-WIN8K-US", "Frescor 8,000 BTU window air conditioner", 329.00, False)},
    "vacuum": {"ES": ("VET-R7-ES", "Robot aspirador Vetta R7", 249.00, False),
               "MX": ("VET-R7-MX", "Robot aspiradora Vetta R7", 4999.00, False),
               "US": ("VET-R7-US", "Vetta R7 robot vacuum", 279.99, False)},
    "coffee": {"ES": ("CAF-SA5-ES", "Cafetera superautomática Caffa S5", 379.00, False),
               "MX": ("CAF-SA5-MX", "Cafetera superautomática Caffa S5", 7999.00, False),
               "US": ("CAF-SA5-US", "Caffa S5 super-automatic espresso machine", 449.00, False)},
    "airfryer": {"ES": ("VET-AF55-ES", "Freidora de aire Vetta 5,5 L", 69.99, False),
                 "MX": ("VET-AF55-MX", "Freidora de aire Vetta 5.5 L", 1499.00, False),
                 "US": ("VET-AF55-US", "Vetta 5.8 qt air fryer", 79.99, False)},
    "phone": {"ES": ("NOV-X3-128-ES", "Smartphone Nova X3 128 GB", 399.00, False),
              "MX": ("NOV-X3-128-MX", "Celular Nova X3 128 GB", 7499.00, False),
              "US": ("NOV-X3-128-US", "Nova X3 smartphone 128GB", 429.00, False)},
    "tv-mount": {"US": ("ARD-MNT-FM85-US", "Arden full-motion TV wall mount 42-85\"", 89.99, False)},
    "mkt-case": {"ES": ("MKT-FEX-1187", "Funda de silicona para Nova X3 (vendido por FundasExpress)", 12.99, False),
                 "MX": ("MKT-TMX-5521", "Smartwatch deportivo SW-20 (vendido por TecnoMundo MX)", 899.00, False),
                 "US": ("MKT-CCR-0932", "Rugged phone case for Nova X3 (sold by CaseCraft)", 19.99, False)},
    "mkt-gaming": {"ES": ("MKT-GZI-4410", "Auriculares gaming RGB 7.1 (vendido por GameZone Iberia)", 39.90, False),
                   "MX": ("MKT-GMX-7730", "Control inalámbrico para consola (vendido por GamerMX)", 649.00, False),
                   "US": ("MKT-PXL-2291", "RGB gaming headset 7.1 (sold by PixelGear)", 44.99, False)},
    "gift-card": {"ES": ("GC-ES-DIGITAL", "Tarjeta regalo digital Tiendalia", 50.00, False),
                  "MX": ("GC-MX-DIGITAL", "Tarjeta de regalo digital Tiendalia", 1000.00, False),
                  "US": ("GC-US-DIGITAL", "Tiendalia digital gift card", 50.00, False)},
}
FILLER = {
    "ES": ["airfryer", "earbuds", "chair", "luma-plug", "vacuum", "bookcase", "monitor"],
    "MX": ["airfryer", "earbuds", "chair", "luma-plug", "vacuum", "desk"],
    "US": ["airfryer", "earbuds", "chair", "luma-plug", "vacuum", "desk"],
}
CATALOG["monitor"] = {"ES": ("ARD-M27Q-ES", "Monitor Arden 27\" QHD", 229.00, False),
                      "MX": ("ARD-M27Q-MX", "Monitor Arden 27\" QHD", 4299.00, False),
                      "US": ("ARD-M27Q-US", "Arden 27\" QHD monitor", 249.99, False)}

CURRENCY = {"ES": "EUR", "MX": "MXN", "US": "USD"}

AGENTS = {
    "ES": ["Lucía Romero", "Javier Molina", "Marta Gil", "Sergio Navarro", "Irene Campos"],
    "MX": ["Fernanda Ríos", "Diego Hernández", "Ximena Castillo", "Luis Ortega"],
    "US": ["Emily Carter", "Marcus Reed", "Priya Shah", "Tom Becker", "Dana Brooks"],
}

CHANNEL_GAP_MIN = {  # typical minutes between messages per channel
    "chat": (1, 6), "whatsapp": (3, 45), "web": (90, 600), "email": (120, 1200), "phone": (1, 3),
}

# --------------------------------------------------------------------------- helpers

MONTHS = {
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
}
US_TAX = {"TX": 0.0825, "OH": 0.0750, "CA": 0.0775, "WA": 0.1025, "OR": 0.0, "AE": 0.0, "FL": 0.0700, "IL": 0.0875, "NY": 0.08875, "CO": 0.0881, "NJ": 0.06625}
SHIPPING = {"ES": (49.0, 3.99), "MX": (999.0, 99.0), "US": (50.0, 5.99)}
Q2 = (dt.datetime(2026, 4, 1, tzinfo=UTC), dt.datetime(2026, 6, 30, 23, 59, tzinfo=UTC))
Q3 = (dt.datetime(2026, 7, 1, tzinfo=UTC), dt.datetime(2026, 9, 30, 23, 59, tzinfo=UTC))
EXPORT_CUTOFF = dt.datetime(2026, 9, 30, 23, 59, tzinfo=UTC)


def money(amount: float, country: str) -> str:
    if country == "ES":
        s = f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        return f"{s} €"
    if country == "MX":
        return f"MX${amount:,.2f}"
    return f"${amount:,.2f}"


def human_date(d: dt.datetime, lang: str) -> str:
    if lang == "es":
        return f"{d.day} de {MONTHS['es'][d.month - 1]}"
    return f"{MONTHS['en'][d.month - 1]} {d.day}"


def iso(d: dt.datetime) -> str:
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def business_hours(rng: random.Random, d: dt.datetime, country: str) -> dt.datetime:
    """Move a datetime to a plausible local working hour, expressed in UTC."""
    offset = {"ES": 2, "MX": -6, "US": -5}[country]  # summer offsets, good enough
    local_hour = rng.choice([8, 9, 9, 10, 10, 11, 11, 12, 13, 16, 17, 18, 19, 20, 21])
    minute = rng.randrange(60)
    return d.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(hours=local_hour - offset, minutes=minute)


def agent_hours(rng: random.Random, t: dt.datetime, country: str, channel: str) -> dt.datetime:
    """Agents answer during opening hours (the chat/phone bot is 24/7, people are not)."""
    offset = {"ES": 2, "MX": -6, "US": -5}[country]
    local = t + dt.timedelta(hours=offset)
    open_h, close_h = {"ES": (9, 21), "MX": (8, 20), "US": (8, 20)}[country]
    if open_h <= local.hour < close_h:
        return t
    nxt = local.replace(hour=open_h, minute=0, second=0) + dt.timedelta(minutes=rng.randint(3, 75))
    if local.hour >= close_h:
        nxt += dt.timedelta(days=1)
    return nxt - dt.timedelta(hours=offset)


def matches(customer: dict, flt: dict | None) -> bool:
    if not flt:
        return True
    for k, v in flt.items():
        val = customer.get(k, customer["attributes"].get(k))
        if isinstance(v, list):
            if val not in v:
                return False
        elif val != v:
            return False
    return True


class OrderBook:
    def __init__(self, rng: random.Random):
        self.rng = rng
        # order numbers restart every year; 2025 ended with higher numbers than 2026 has reached
        self.counters = {("ES", 2026): 4180, ("MX", 2026): 2260, ("US", 2026): 1130,
                         ("ES", 2025): 7905, ("MX", 2025): 5120, ("US", 2025): 2870}
        self.orders: dict[str, list[dict]] = {c["id"]: [] for c in CUSTOMERS}

    def tracking(self, country: str, large: bool) -> tuple[str, str]:
        r = self.rng
        if country == "ES":
            if large or r.random() < 0.35:
                return "Correos Express", "".join(r.choice("0123456789") for _ in range(16))
            return "SEUR", "".join(r.choice("0123456789") for _ in range(14))
        if country == "MX":
            if r.random() < 0.65:
                return "Estafeta", "".join(r.choice("0123456789") for _ in range(22))
            return "DHL", "".join(r.choice("0123456789") for _ in range(10))
        if not large and r.random() < 0.35:
            return "USPS", "9400" + "".join(r.choice("0123456789") for _ in range(18))
        return "UPS", "1Z" + "".join(r.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(16))

    def create(self, customer: dict, products: list[str], date: dt.datetime, status: str, tax_state: str | None = None) -> dict:
        country = customer["country"]
        ckey = (country, date.year)
        self.counters[ckey] += self.rng.randint(9, 97)
        items = []
        large = False
        for key in products:
            sku, name, price, is_large = CATALOG[key][country]
            large = large or is_large
            items.append({"sku": sku, "name": name, "qty": 1, "unit_price": price})
        if products and products[0] == "desk" and len(products) > 1:
            # desks ship as several boxes; keep a single line but qty of accessories
            pass
        subtotal = round(sum(i["unit_price"] * i["qty"] for i in items), 2)
        threshold, fee = SHIPPING[country]
        shipping = 0.0 if (customer["tier"] == "plus" or subtotal >= threshold or large) else fee
        tax = 0.0
        if country == "US":
            tax = round((subtotal + shipping) * US_TAX.get(customer["attributes"].get("state", ""), 0.07), 2)
            if customer["attributes"].get("tax_exempt") and self.rng.random() < 0.5:
                tax = 0.0
            if tax_state:  # the ticket is about the tax charged for a specific state
                tax = round((subtotal + shipping) * US_TAX[tax_state], 2)
        carrier, tracking = self.tracking(country, large)
        if customer["attributes"].get("military"):
            carrier, tracking = "USPS", "9400" + "".join(self.rng.choice("0123456789") for _ in range(18))
        order = {
            "order_id": f"TL-{country}-{date.year}-{self.counters[ckey]:06d}",
            "date": iso(date),
            "status": status,
            "currency": CURRENCY[country],
            "subtotal": subtotal,
            "shipping": shipping,
            "tax": tax,
            "total": round(subtotal + shipping + tax, 2),
            "carrier": None if status in ("processing",) else carrier,
            "tracking": None if status in ("processing",) else tracking,
            "items": items,
        }
        if status == "cancelled" and self.rng.random() < 0.5:
            order["carrier"] = None
            order["tracking"] = None
        self.orders[customer["id"]].append(order)
        return order


# --------------------------------------------------------------------------- generation


def pick_customer(rng, sc, load, book, need_slot, date):
    oldest_order = date - dt.timedelta(days=sc["order_age"][1] + 2)
    cands = [c for c in CUSTOMERS if c["country"] == sc["country"] and matches(c, sc["customer_filter"])
             and (not need_slot or c["created_at"] < iso(oldest_order))]
    if sc["lang"] == "en" and sc["country"] == "ES":
        cands = [c for c in cands if c["attributes"].get("preferred_language") == "en"] or cands
    elif sc["lang"] == "es":
        cands = [c for c in cands if c["attributes"].get("preferred_language", "es") == "es"] or cands
    if not cands:
        raise SystemExit(f"no customer for scenario {sc['key']}")
    rng.shuffle(cands)
    cands.sort(key=lambda c: load[c["id"]] + rng.random() * 1.5)
    for c in cands:
        if not need_slot or len(book.orders[c["id"]]) < 6:
            return c
    raise SystemExit(f"no customer with a free order slot for {sc['key']}")


def choose_date(rng, is_open):
    if is_open:  # still unresolved when the exports were taken (1 October 2026)
        start = dt.datetime(2026, 9, 10, tzinfo=UTC)
        return start + dt.timedelta(days=rng.randint(0, 18))
    if rng.random() < 0.56:
        return Q2[0] + dt.timedelta(days=rng.randint(0, 88))
    return Q3[0] + dt.timedelta(days=rng.randint(0, 82))


def generate():
    rng = random.Random(SEED)
    book = OrderBook(rng)
    load = {c["id"]: 0 for c in CUSTOMERS}
    by_key = {s["key"]: s for s in SCENARIOS}
    instances = []

    ordered = [s for s in SCENARIOS if not s["followup"]] + [s for s in SCENARIOS if s["followup"]]
    for sc in ordered:
        for i in range(sc["n"]):
            opener, overrides = None, {}
            if sc["openers"] and i % (len(sc["openers"]) + 1) != 0:
                o = sc["openers"][(i - 1) % len(sc["openers"])]
                opener, overrides = (o if isinstance(o, tuple) else (o, {}))
            is_open = bool(sc["open_cut"]) and rng.random() < sc["open_share"]
            parent = None
            if sc["followup"]:
                parents = [x for x in instances if x["sc"]["key"] == sc["followup"] and not x["open"] and not x.get("child")]
                if not parents:
                    continue
                parent = rng.choice(parents)
                parent["child"] = True
                customer = parent["customer"]
                date = parent["date"] + dt.timedelta(days=rng.randint(8, 12))
                if date > Q3[1] - dt.timedelta(days=1):
                    date = Q3[1] - dt.timedelta(days=2)
            else:
                date = choose_date(rng, is_open)
                customer = pick_customer(rng, sc, load, book, sc["needs_order"], date)
            date = business_hours(rng, date, customer["country"])
            load[customer["id"]] += 1
            order = None
            if parent is not None:
                order = parent["order"]
            elif sc["needs_order"]:
                age = rng.randint(*sc["order_age"])
                odate = business_hours(rng, date - dt.timedelta(days=age), customer["country"])
                if odate >= date:
                    odate = date - dt.timedelta(hours=rng.randint(2, 20))
                products = [sc["product"]] + [rng.choice(FILLER[customer["country"]]) for _ in range(sc["extra_items"])]
                if sc["extra_items"] == 0 and rng.random() < 0.25 and not CATALOG[sc["product"]][customer["country"]][3]:
                    products.append(rng.choice([p for p in FILLER[customer["country"]] if p != sc["product"] and p in CATALOG and customer["country"] in CATALOG[p]]))
                products = [p for p in products if customer["country"] in CATALOG[p]]
                order = book.create(customer, products, odate, sc["order_status"], sc.get("tax_state"))
            instances.append(dict(sc=sc, i=i, customer=customer, date=date, order=order, open=is_open,
                                  opener=opener, overrides=overrides, parent=parent))

    # customers without any order get one or two ordinary past orders
    for c in CUSTOMERS:
        while len(book.orders[c["id"]]) < (1 if load[c["id"]] else 2):
            d = business_hours(rng, dt.datetime(2026, 1, 10, tzinfo=UTC) + dt.timedelta(days=rng.randint(0, 240)), c["country"])
            prods = rng.sample([p for p in FILLER[c["country"]] if c["country"] in CATALOG[p]], rng.randint(1, 2))
            book.create(c, prods, d, rng.choice(["delivered", "delivered", "delivered", "returned"]))

    instances.sort(key=lambda x: x["date"])
    for n, inst in enumerate(instances):
        inst["id"] = f"TK-{10231 + n * 3 + (n % 3)}"
    return rng, book, instances


def render(rng, inst):
    sc, customer, order = inst["sc"], inst["customer"], inst["order"]
    country, lang = customer["country"], sc["lang"]
    agent_full = rng.choice(AGENTS[country])
    if lang == "en" and country == "ES":
        agent_full = "Irene Campos"  # English-speaking agent in the Spanish team
    product_key = sc["product"]
    item_name = CATALOG[product_key][country][1] if product_key and country in CATALOG[product_key] else ""
    price = CATALOG[product_key][country][2] if product_key and country in CATALOG[product_key] else 0.0
    odate = dt.datetime.fromisoformat(order["date"].replace("Z", "+00:00")) if order else inst["date"] - dt.timedelta(days=10)
    ctx = {
        "first": customer["name"].split()[0] if customer["name"].split()[0] not in ("María",) else "María José",
        "name": customer["name"],
        "email": customer["email"],
        "agent": agent_full.split()[0],
        "order": order["order_id"] if order else "",
        "item": item_name,
        "price": money(price, country),
        "total": money(order["total"], country) if order else "",
        "carrier": (order or {}).get("carrier") or "",
        "tracking": (order or {}).get("tracking") or "",
        "odate": human_date(odate, lang),
        "ddate": human_date(odate + dt.timedelta(days=rng.randint(2, 4)), lang),
        "prev": inst["parent"]["id"] if inst["parent"] else "",
        "rf": f"RF-{rng.randint(1000000, 9999999)}",
        "arn": "74" + "".join(str(rng.randint(0, 9)) for _ in range(21)),
        "rec": f"REC-2026-0{rng.randint(10000, 99999)}",
        "claim": f"CLM-{rng.randint(100000, 999999)}",
    }
    if inst["parent"]:
        ctx["rf"] = inst["parent"]["ctx"]["rf"]
    inst["ctx"] = ctx

    msgs = list(sc["msgs"])
    if inst["opener"]:
        msgs[0] = ("c", inst["opener"])
    if inst["open"]:
        msgs = msgs[: sc["open_cut"]]
    channel = rng.choice(sc["channels"])
    if country == "US" and channel == "whatsapp":
        channel = "chat"
    # e-mail tickets often carry the helpdesk auto-acknowledgement
    if channel == "email" and not any(a == "s" for a, _ in msgs) and rng.random() < 0.5:
        ack = {"es": "Hemos recibido tu mensaje. Te responderemos en un máximo de 24 horas hábiles. Tu número de caso es el que aparece en el asunto.",
               "en": "We've received your message and will reply within 24 business hours. Please keep the case number in the subject line."}[lang]
        msgs.insert(1, ("s", ack))

    t = inst["date"]
    lo, hi = CHANNEL_GAP_MIN[channel]
    out = []
    for k, (author, body) in enumerate(msgs):
        if author.endswith("+"):  # this message happens a day or more later
            author = author[0]
            t = t + dt.timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 300))
        elif k:
            t = t + dt.timedelta(minutes=rng.randint(lo, hi) if author != "s" else rng.randint(0, 1))
        text = body.format(**ctx)
        if author == "c":
            out.append({"author": "customer", "name": customer["name"], "time": iso(t), "body": text})
        elif author == "a":
            if k:
                t = agent_hours(rng, t, country, channel)
            out.append({"author": "agent", "name": agent_full, "time": iso(t), "body": text})
        else:
            out.append({"author": "system", "name": "Tiendalia Helpdesk", "time": iso(t), "body": text})

    # the exports were taken on 1 October 2026: later messages don't exist yet
    if out[-1]["time"] > iso(EXPORT_CUTOFF):
        kept = [m for m in out if m["time"] <= iso(EXPORT_CUTOFF)]
        out = kept if len(kept) >= 2 else out[:2]
        inst["open"] = True
        t = dt.datetime.fromisoformat(out[-1]["time"].replace("Z", "+00:00"))
    if inst["open"]:
        status = "pending" if out[-1]["author"] == "agent" else "open"
        resolution, csat = None, None
        updated = t
    else:
        updated = t + dt.timedelta(minutes=rng.randint(5, 240))
        status = "solved" if (EXPORT_CUTOFF - updated).days < 10 else "closed"
        lo_c, hi_c = inst["overrides"].get("csat", sc["csat"])
        csat = rng.randint(lo_c, hi_c) if rng.random() < 0.88 else None
        resolution = sc["resolution"].format(**ctx)
    priority = inst["overrides"].get("priority", sc["priority"])
    subject = rng.choice(sc["subjects"]).format(**ctx)
    tags = list(dict.fromkeys(sc["tags"] + [country.lower()] + (["plus-member"] if customer["tier"] == "plus" else [])
                              + (["business"] if customer["tier"] == "business" else [])))
    product = sc["product"]
    if product and product.startswith("mkt-"):
        product = "marketplace-item"
    if product == "gift-card":
        product = None
    return {
        "id": inst["id"],
        "customer_id": customer["id"],
        "channel": channel,
        "created_at": iso(inst["date"]),
        "updated_at": iso(updated),
        "subject": subject,
        "language": lang,
        "messages": out,
        "tags": tags,
        "category": sc["category"],
        "product": product,
        "priority": priority,
        "status": status,
        "resolution": resolution,
        "csat": csat,
    }


FIELDS = ["id", "customer_id", "channel", "created_at", "updated_at", "subject", "language", "messages", "tags",
          "category", "product", "priority", "status", "resolution", "csat"]


def main() -> int:
    rng, book, instances = generate()
    tickets = [render(rng, inst) for inst in instances]

    customers = []
    for c in CUSTOMERS:
        rec = dict(c)
        rec["orders"] = sorted(book.orders[c["id"]], key=lambda o: o["date"])
        customers.append(rec)
    CUSTOMERS_OUT.parent.mkdir(parents=True, exist_ok=True)
    CUSTOMERS_OUT.write_text(json.dumps(customers, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    TICKETS_DIR.mkdir(parents=True, exist_ok=True)
    q2 = [t for t in tickets if t["created_at"] < "2026-07-01"]
    q3 = [t for t in tickets if t["created_at"] >= "2026-07-01"]
    with (TICKETS_DIR / "tickets-2026-q3.jsonl").open("w", encoding="utf-8") as fh:
        for t in q3:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")
    with (TICKETS_DIR / "tickets-2026-q2.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, quoting=csv.QUOTE_MINIMAL)
        w.writeheader()
        for t in q2:
            row = dict(t)
            row["messages"] = json.dumps(t["messages"], ensure_ascii=False)
            row["tags"] = ";".join(t["tags"])
            row["resolution"] = t["resolution"] if t["resolution"] is not None else ""
            row["csat"] = "" if t["csat"] is None else t["csat"]
            row["product"] = t["product"] or ""
            w.writerow(row)

    n_orders = sum(len(c["orders"]) for c in customers)
    langs = {l: sum(1 for t in tickets if t["language"] == l) for l in ("es", "en")}
    resolved = sum(1 for t in tickets if t["status"] in ("solved", "closed"))
    print(f"scenarios: {len(SCENARIOS)}  tickets: {len(tickets)} (q2 {len(q2)}, q3 {len(q3)})  "
          f"languages: {langs}  resolved: {resolved}  customers: {len(customers)}  orders: {n_orders}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
