"""Hand-written support scenarios used by build_tickets.py.

Placeholders filled per ticket: {first} {name} {email} {agent} {order} {item}
{price} {total} {carrier} {tracking} {odate} {ddate} {prev} {rf} {arn} {rec}
{claim} {tdate}.

``msgs`` is a list of (author, body) with author c=customer, a=agent, s=system.
``openers`` are alternative first customer messages (tone/wording variants);
an opener may be a (text, overrides) tuple, e.g. {"priority": "high", "csat": (1, 3)}.
``open_cut``: when an instance is left unresolved, only the first N messages are kept.
"""

from __future__ import annotations


def S(key, country, category, tags, product, subjects, msgs, resolution, *, n=2, channels=("email", "chat", "web"),
      priority="normal", csat=(4, 5), open_cut=None, order_status="delivered", order_age=(5, 20), lang=None,
      openers=None, customer_filter=None, followup=None, open_share=0.3, extra_items=0, needs_order=None, tax_state=None):
    if open_cut is None and len(msgs) >= 3 and not followup:
        open_cut, open_share = len(msgs) - 1, 0.12
    else:
        open_share = min(0.6, open_share * 1.15)
    return dict(key=key, country=country, category=category, tags=list(tags), product=product,
                subjects=list(subjects), msgs=list(msgs), resolution=resolution, n=n, channels=list(channels),
                priority=priority, csat=csat, open_cut=open_cut, order_status=order_status, order_age=order_age,
                lang=lang or ("en" if country == "US" else "es"), openers=list(openers or []),
                customer_filter=customer_filter, followup=followup, open_share=open_share, extra_items=extra_items, tax_state=tax_state,
                needs_order=(product is not None) if needs_order is None else needs_order)


SCENARIOS = []
add = SCENARIOS.append

# =========================================================================== SPAIN

add(S("es_return_how", "ES", "returns", ["returns", "devolucion", "cambio-de-opinion"], "earbuds",
      ["Quiero devolver unos auriculares", "Devolución pedido {order}", "¿Cómo devuelvo un producto?"],
      [("c", "Hola, compré unos {item} (pedido {order}) y no me convencen, el ajuste no es cómodo. ¿Cómo los devuelvo? ¿Tengo que pagar algo? Los he probado un par de días pero están como nuevos."),
       ("a", "Hola {first}, soy {agent}. Claro que puedes devolverlos: tienes 30 días desde la entrega. Entra en Mis pedidos > {order} > Devolver artículos, elige el motivo y la opción \"Entrega en punto\". Te llegará un QR por email, válido 14 días, que enseñas en cualquier oficina de Correos o punto SEUR Pickup; no hace falta imprimir nada y es gratis. Solo una cosa: al ser intraurales, deben conservar el precinto higiénico de las almohadillas de repuesto. Si prefieres que los recojan en casa, cuesta 4,95 €."),
       ("c", "Perfecto, los tengo con todo. Lo hago en Correos entonces. ¿Y el dinero cuándo me llega?"),
       ("a", "Cuando lleguen al almacén los revisamos en un máximo de 3 días hábiles y te enviamos el email \"Tu reembolso está en camino\". Desde ese momento, a tu tarjeta tarda de 3 a 10 días hábiles según el banco. ¡Gracias, {first}!")],
      "Se explicó el proceso de devolución (30 días, QR válido 14 días, entrega gratuita en Correos/SEUR Pickup, recogida a domicilio 4,95 €) y los plazos de reembolso. El cliente inició la devolución desde la app.",
      n=3, channels=("chat", "whatsapp", "email"), priority="low",
      openers=["Buenas, me llegaron los {item} hace una semana y no son lo que esperaba. ¿Puedo devolverlos aunque los haya sacado de la caja y probado? Pedido {order}.",
               "hola!! quiero devolver los {item} del pedido {order}, no me gustan como suenan. es gratis devolver?"]))

add(S("es_refund_late", "ES", "refunds", ["refunds", "reembolso", "tarjeta"], "tv",
      ["Reembolso no recibido pedido {order}", "¿Dónde está mi dinero?", "No me ha llegado el reembolso"],
      [("c", "Buenos días. Devolví el {item} del pedido {order} y me llegó el email de que el reembolso estaba en camino ({rf}), pero en mi cuenta no aparece nada. Son {price}, no es poco dinero."),
       ("a", "Buenos días, {first}. Soy {agent}. He revisado tu devolución: el reembolso de {price} se emitió correctamente a tu tarjeta. Los bancos tardan entre 3 y 10 días hábiles en mostrar el abono desde ese email, y hoy estamos en el sexto día hábil. Te aconsejo esperar hasta el décimo; a veces aparece como TIENDALIA COMMERCE. Si para entonces no lo ves, respóndenos y te facilitaremos el ARN para que tu banco lo localice."),
       ("c", "Vale, esperaré. Gracias.")],
      "Reembolso emitido correctamente a tarjeta; se informó del plazo bancario de 3-10 días hábiles y de que, si no aparece tras 10 días hábiles, se facilitará el ARN.",
      n=3, channels=("email", "web", "whatsapp"), order_status="returned", order_age=(25, 45), csat=(3, 5),
      openers=[("HOLA, LLEVO DOS SEMANAS ESPERANDO EL REEMBOLSO DEL PEDIDO {order}. Me dijisteis que estaba en camino ({rf}) y no hay ni rastro. Como no aparezca esta semana pongo una reclamación en la OCU.", {"priority": "high", "csat": (2, 4)})]))

add(S("es_refund_late_followup", "ES", "refunds", ["refunds", "reembolso", "arn", "contacto-repetido"], "tv",
      ["RE: Reembolso no recibido pedido {order}", "Sigo sin reembolso ({rf})"],
      [("c", "Hola otra vez. Ya han pasado los 10 días hábiles que me dijisteis en el ticket {prev} y el reembolso del pedido {order} sigue sin aparecer. Mi banco dice que ellos no tienen nada."),
       ("a", "Hola {first}, siento que sigas esperando. Te confirmo los datos del abono para que se los des a tu banco: importe {price}, fecha de emisión indicada en el email {rf} y ARN {arn}. Con el ARN el banco puede localizar el abono en su sistema aunque todavía no lo muestre en la app."),
       ("c+", "Se lo he pasado al banco y dicen que lo tienen retenido por una revisión interna, que lo liberan mañana. Gracias por el número."),
       ("a", "¡Perfecto! Dejo el caso abierto un par de días por si acaso. Si mañana no lo ves, escríbenos aquí mismo.")],
      "Se facilitó el ARN del reembolso; el banco del cliente localizó el abono retenido por revisión interna y lo liberó.",
      n=2, channels=("email", "whatsapp"), order_status="returned", order_age=(35, 55), csat=(3, 4), followup="es_refund_late",
      open_cut=2, open_share=0.3))

add(S("es_delivered_not_received", "ES", "shipping", ["shipping", "entregado-no-recibido", "seur"], "vacuum",
      ["Pone entregado pero no tengo el paquete", "Pedido {order} marcado como entregado", "Paquete no recibido"],
      [("c", "Hola. El seguimiento del pedido {order} ({carrier} {tracking}) dice que se entregó ayer a las 13:42, pero yo estaba en casa toda la mañana y nadie ha llamado. He preguntado en el portal y a los vecinos y nada."),
       ("a", "Hola {first}, soy {agent}. Lo siento mucho. He visto que {carrier} marcó la entrega sin firma ni foto, así que ya he abierto una investigación con ellos. Tardan hasta 5 días hábiles en responder. Si confirman que el paquete se ha perdido, te enviamos otra unidad o te devolvemos el dinero, lo que prefieras."),
       ("c", "Prefiero que me enviéis otro, lo necesitaba esta semana."),
       ("a+", "Anotado. {carrier} ha confirmado que el repartidor se equivocó de portal y no han podido recuperarlo, así que hemos enviado un {item} nuevo por Exprés 24 h sin coste. Te llegará mañana; el nuevo seguimiento está en Mis pedidos.")],
      "Investigación con SEUR: entrega en dirección equivocada, paquete no recuperado. Se envió una unidad de reposición por Exprés 24 h sin coste.",
      n=3, channels=("chat", "whatsapp", "email", "phone"), priority="high", csat=(3, 5), order_age=(3, 6), open_cut=2, open_share=0.35,
      openers=[("ME ESTÁIS TOMANDO EL PELO. Pone ENTREGADO en el pedido {order} y aquí no ha llegado nada. Quiero una solución YA o pido el dinero y no vuelvo a comprar.", {"priority": "urgent", "csat": (2, 4)})]))

add(S("es_bizum_no_order", "ES", "payments", ["payments", "bizum", "cargo-duplicado"], "airfryer",
      ["Me habéis cobrado por Bizum pero no hay pedido", "Cargo Bizum sin pedido"],
      [("c", "Hola, esta tarde intenté comprar una {item} y pagué con Bizum. En la app del banco me sale el cargo pero en Mis pedidos no aparece nada. Se me cortó la conexión justo después de confirmar."),
       ("a", "Hola {first}, soy {agent}. Lo he revisado: el pago llegó a confirmarse en tu banco, pero al cortarse la conexión el pedido no se llegó a crear. En estos casos el cargo se anula automáticamente en 24-48 horas, y verás el movimiento \"Devolución Bizum TIENDALIA\". Si quieres el producto, puedes volver a hacer el pedido ahora sin esperar."),
       ("c", "Vale, lo vuelvo a hacer entonces. ¿Seguro que no me cobráis dos veces?"),
       ("a", "Seguro. El primer cargo se anula solo; solo quedará el del nuevo pedido. Si el viernes no ves la devolución, mándanos una captura del movimiento y lo revisamos.")],
      "Pago Bizum sin pedido creado por corte de conexión; se confirmó la anulación automática del cargo en 24-48 h. El cliente repitió el pedido.",
      n=2, channels=("chat", "whatsapp"), needs_order=False, csat=(4, 5), extra_items=0))

add(S("es_invoice_nif_late", "ES", "billing_invoices", ["facturas", "nif", "autonomo"], "desk",
      ["Factura con NIF de un pedido antiguo", "Necesito factura completa", "Factura a nombre de empresa"],
      [("c", "Buenas. Soy autónomo y necesito la factura completa con mi NIF del pedido {order} para la declaración del trimestre. En Mis pedidos no me deja pedirla, solo descargar la simplificada."),
       ("a", "Hola {first}, soy {agent}. Desde Mis pedidos se puede solicitar la factura completa hasta 90 días después de la fecha del pedido, y el tuyo es del {odate}, por eso no te aparece la opción. No te preocupes: la emitimos desde facturación. ¿Me confirmas razón social, NIF y dirección fiscal completa?"),
       ("c", "Daniel Rodríguez Pérez, Reformas Rodríguez, NIF 50987654X, C/ Libreros 14, 2º B, 28801 Alcalá de Henares."),
       ("a", "Gracias. He enviado la solicitud a facturas@tiendalia.es; la factura completa (serie FC) te llegará por email en un máximo de 5 días hábiles y sustituye a la simplificada. Para próximos pedidos, guarda tus datos en Mi cuenta > Datos de facturación y se emitirán con NIF automáticamente.")],
      "Pedido con más de 90 días: la factura completa con NIF se solicitó al departamento de facturación (emisión en 5 días hábiles, serie FC). Se recomendó guardar los datos fiscales en la cuenta.",
      n=2, channels=("email", "web"), customer_filter={"id": "C0008"}, order_age=(100, 150), priority="low"))

add(S("es_invoice_nif_simple", "ES", "billing_invoices", ["facturas", "nif", "factura-rectificativa"], "monitor",
      ["Error en los datos de mi factura", "Corregir NIF en factura"],
      [("c", "Hola, pedí la factura completa del pedido {order} y me he equivocado en una letra del NIF. ¿Podéis cambiarla?"),
       ("a", "Hola {first}. Una factura emitida no se puede modificar, pero puedes corregirla tú mismo desde Mis pedidos > Facturas > Corregir datos: se emite una factura rectificativa (serie FR) que anula la anterior y una nueva con el NIF correcto. Tienes 12 meses desde la emisión para hacerlo."),
       ("c", "Hecho, ya me han llegado las dos. Gracias."),],
      "El cliente corrigió el NIF desde Mis pedidos; se generó factura rectificativa (FR) y nueva factura con los datos correctos.",
      n=2, channels=("chat", "email"), priority="low", order_age=(10, 30)))

add(S("es_desistimiento_express", "ES", "returns", ["desistimiento", "devolucion", "envio-expres"], "coffee",
      ["Ejercicio del derecho de desistimiento - pedido {order}", "Desistimiento y gastos de envío"],
      [("c", "Por la presente les comunico que desisto del contrato de compra de la {item}, pedido {order}, recibido el {ddate}, conforme al artículo 102 del TRLGDCU. Solicito el reembolso íntegro, incluidos los gastos de envío exprés (6,99 €)."),
       ("s", "Hemos recibido tu mensaje. Te responderemos en un máximo de 24 horas hábiles."),
       ("a", "Estimado/a {first}: confirmamos la recepción de su desistimiento. Puede entregar la cafetera gratuitamente en Correos o SEUR Pickup con el QR que le hemos enviado; dispone de 14 días naturales para hacerlo. Le reembolsaremos todos los pagos en un máximo de 14 días naturales desde hoy, como marca la ley. Respecto al envío: la ley obliga a devolver el coste del envío estándar (3,99 €), no el suplemento por la modalidad exprés que usted eligió, por lo que reembolsaremos {price} más 3,99 €."),
       ("c", "Entendido. La entrego mañana."),
       ("a+", "Recibida y revisada. Hemos emitido el reembolso ({rf}) a su tarjeta. Un saludo.")],
      "Desistimiento aceptado. Reembolso del producto más el envío estándar (3,99 €); el suplemento exprés no se reembolsa conforme a la ley, como se explicó.",
      n=2, channels=("email",), order_status="returned", order_age=(6, 12), csat=(3, 4)))

add(S("es_plus_cancel", "ES", "loyalty", ["tiendalia-plus", "cancelacion", "suscripcion"], None,
      ["Cancelar Tiendalia Plus y reembolso", "Me habéis renovado Plus sin avisar", "Baja de Plus"],
      [("c", "Hola, hace 5 días me cobrasteis 49 € de la renovación anual de Tiendalia Plus. No quiero seguir, no he comprado nada desde entonces. ¿Me lo podéis devolver?"),
       ("a", "Hola {first}, soy {agent}. Sí: las suscripciones anuales se reembolsan íntegramente si se cancelan en los 14 días siguientes al cobro y no se ha usado ninguna ventaja. He comprobado que no has hecho pedidos ni devoluciones con ventajas Plus desde la renovación, así que he cancelado la suscripción y emitido el reembolso de 49 € a tu tarjeta (3-10 días hábiles)."),
       ("c", "Genial, gracias por no ponerme pegas.")],
      "Cancelación de Plus anual dentro de los 14 días sin uso de ventajas: reembolso íntegro de 49 €.",
      n=3, channels=("chat", "email", "whatsapp"), needs_order=False, customer_filter={"tier": "plus"}, csat=(4, 5),
      openers=[("OS HABÉIS COBRADO 49 EUROS DE PLUS SIN PEDIRME PERMISO. Quiero la baja inmediata y mi dinero, o lo denuncio al banco como cargo no autorizado.", {"priority": "high", "csat": (3, 5)})]))

add(S("es_aircon_install", "ES", "complaints", ["instalacion", "aire-acondicionado", "retraso"], "aircon",
      ["Instalación del aire acondicionado sin fecha", "Llevo 10 días con el aire en la caja", "Retraso instalación split"],
      [("c", "Compré el {item} con instalación (pedido {order}) y el aparato llegó hace 10 días. Nadie me ha dado fecha para instalarlo y estamos a 38 grados. Esto es inaceptable."),
       ("a", "Hola {first}, soy {agent}. Tienes toda la razón en estar molesto. En verano, por la demanda, el plazo de instalación puede llegar a 12 días hábiles desde la entrega, pero no es normal que nadie te haya llamado. He escalado el caso a nuestro coordinador de instaladores en tu provincia con prioridad."),
       ("c", "Si el viernes no está instalado pongo una hoja de reclamaciones y lo llevo a la OCU."),
       ("a", "Te confirmo cita para el jueves de 9:00 a 13:00 con el instalador. Como compensación por la espera, te hemos abonado 30 € en saldo Tiendalia. Recuerda no desembalar el equipo; el técnico lo revisa al abrirlo.")],
      "Escalado a coordinación de instaladores; cita de instalación confirmada dentro del plazo de verano (12 días hábiles). Compensación de 30 € en saldo por la falta de comunicación.",
      n=3, channels=("phone", "email", "whatsapp"), priority="high", order_age=(12, 16), csat=(2, 4), open_cut=3, open_share=0.35,
      openers=[("ESTO ES UNA VERGÜENZA. Pagué 299 € de instalación del {item} y el aparato sigue en la caja en el salón. Nadie llama. Quiero fecha HOY.", {"priority": "urgent", "csat": (1, 3)})]))

add(S("es_protect_claim", "ES", "warranty", ["tiendalia-protect", "seguro", "pantalla-rota"], "laptop",
      ["Parte de Tiendalia Protect: pantalla rota", "Se me cayó el portátil"],
      [("c", "Hola, se me ha caído el {item} (pedido {order}) y la pantalla está rajada. Contraté Tiendalia Protect cuando lo compré. ¿Qué tengo que hacer?"),
       ("a", "Hola {first}, soy {agent}. Siento el susto. Tu Protect de 2 años está activo y cubre las caídas. Da el parte en Mis pedidos > Tiendalia Protect > Dar parte (o en el 910 48 22 71, de lunes a viernes de 9:00 a 19:00). Te enviaremos una etiqueta para mandarlo al servicio técnico y se repara en 10 días hábiles desde que llega. Al ser un producto de más de 400 €, la franquicia por reparación es de 49 €, que pagas cuando se aprueba el parte."),
       ("c", "Vale, 49 € es asumible. Ya he dado el parte."),
       ("a+", "Parte aprobado ({claim}). La etiqueta está en tu email. Haz copia de seguridad y quita tus datos antes de enviarlo.")],
      "Parte de Tiendalia Protect aprobado por caída (pantalla rota). Franquicia de 49 € (producto > 400 €); reparación en 10 días hábiles.",
      n=2, channels=("chat", "email", "phone"), order_age=(90, 300), csat=(4, 5)))

add(S("es_damaged_sofa", "ES", "shipping", ["shipping", "danado", "sofa", "entrega-grande"], "sofa",
      ["Sofá llegado con una pata rota", "Producto dañado en la entrega"],
      [("c", "Buenas tardes. Hoy me han entregado el {item} (pedido {order}) y al desembalarlo tiene una pata partida y el tapizado rasgado en un lateral. Los repartidores ya se habían ido. Os mando fotos."),
       ("a", "Hola {first}, soy {agent}. Gracias por las fotos y por avisarnos el mismo día: en artículos grandes hay que comunicarlo en 48 horas, así que está perfecto. ¿Prefieres un sofá nuevo o el reembolso?"),
       ("c", "Uno nuevo, por favor. Pero no quiero pagar otra vez el transporte."),
       ("a", "Por supuesto, no tiene ningún coste. Te enviamos un sofá nuevo y el transportista se llevará el dañado en la misma entrega. Te llamarán por teléfono para darte una franja de 2 horas en los próximos 3-7 días hábiles.")],
      "Daño comunicado dentro de las 48 h: reposición del sofá sin coste y recogida del dañado en la misma entrega.",
      n=2, channels=("email", "whatsapp"), priority="high", order_age=(4, 8), csat=(4, 5), open_cut=2, open_share=0.3))

add(S("es_marketplace_seller", "ES", "marketplace", ["marketplace", "vendedor", "garantia-tiendalia"], "mkt-gaming",
      ["El vendedor no responde", "Pedido de marketplace no llega", "Reclamación a vendedor externo"],
      [("c", "Hola, compré unos {item} y el vendedor no contesta a mis mensajes desde hace una semana. El pedido {order} sigue \"preparando\" y ya ha pasado la fecha estimada."),
       ("a", "Hola {first}, soy {agent}. Los vendedores del marketplace deben responder en 2 días hábiles, y este no lo ha hecho, así que puedes abrir una reclamación de la Garantía Tiendalia desde Mis pedidos > Problema con este artículo. Ya la he abierto yo por ti ({claim}). La revisamos en un máximo de 5 días hábiles."),
       ("c", "Ok, gracias. Espero que me devuelvan el dinero."),
       ("a+", "Resuelto: el vendedor no ha justificado el envío, así que te hemos reembolsado {price} directamente a tu método de pago. Sentimos las molestias.")],
      "Reclamación de la Garantía Tiendalia por falta de respuesta del vendedor (más de 2 días hábiles). Reembolso completo al cliente.",
      n=2, channels=("chat", "email", "web"), order_status="cancelled", order_age=(12, 20), csat=(3, 5), open_cut=2, open_share=0.4))

add(S("es_change_address", "ES", "order_changes", ["cambio-de-direccion", "pedido"], "chair",
      ["Cambiar dirección de entrega", "Me he equivocado de dirección"],
      [("c", "Hola!! Acabo de hacer el pedido {order} y he puesto la dirección antigua. ¿Se puede cambiar? Es urgente"),
       ("a", "Hola {first}, soy {agent}. Tranquila, tu pedido todavía está en \"Pago confirmado\", así que puedes cambiarla tú misma en Mis pedidos > Cambiar dirección, o dime la nueva y lo hago yo. Solo tiene que estar en la misma zona (península)."),
       ("c", "Calle Pintor Sorolla 22, 3ºA, mismo código postal que la cuenta. Gracias!"),
       ("a", "Cambiada. Sale hoy y te llegará en 2-4 días hábiles a la dirección nueva.")],
      "Dirección de entrega modificada antes del envío (estado Pago confirmado).",
      n=2, channels=("whatsapp", "chat"), order_status="shipped", order_age=(0, 1), priority="high", csat=(5, 5)))

add(S("es_gift_card_expired", "ES", "payments", ["tarjeta-regalo", "caducidad", "saldo"], None,
      ["Tarjeta regalo no funciona", "Código de tarjeta regalo caducado"],
      [("c", "Buenas, me regalaron una tarjeta de 100 € por mi cumpleaños y al meter el código me dice que está caducada. ¡Pero si nunca la he usado!"),
       ("a", "Hola {first}, soy {agent}. He buscado el código: es una tarjeta comprada hace algo más de 2 años, y las tarjetas regalo en España caducan a los 2 años desde la compra. Entiendo que es frustrante, sobre todo si te la dieron tarde. Como excepción, y por ser la primera vez, te he cargado 100 € de saldo en tu cuenta con validez de 6 meses."),
       ("c", "¡Muchísimas gracias! No me lo esperaba.")],
      "Tarjeta regalo caducada (más de 2 años). Se concedió, como excepción, saldo equivalente con validez de 6 meses.",
      n=2, channels=("chat", "email"), needs_order=False, priority="low", csat=(5, 5)))

add(S("es_phishing_sms", "ES", "account", ["phishing", "seguridad", "sms-fraudulento"], None,
      ["SMS sospechoso de aduanas", "¿Este mensaje es vuestro?"],
      [("c", "Me ha llegado un SMS que dice \"TIENDALIA: su paquete está retenido, pague 1,99 € de gastos de aduana en tiendalia-envios.info\". ¿Es vuestro? Tengo un pedido en camino."),
       ("a", "Hola {first}, soy {agent}. No es nuestro: es phishing. Tiendalia nunca pide pagos de aduanas o reenvío por enlaces en SMS, y nuestras webs solo terminan en tiendalia.es, tiendalia.mx o tiendalia.com. No pulses el enlace. Si ya metiste la tarjeta, llama a tu banco para bloquearla. Reenvía el SMS a phishing@tiendalia.com para que lo denunciemos. Tu pedido real está en reparto y no tiene ningún cargo pendiente."),
       ("c", "No pinché, menos mal. Lo reenvío. Gracias.")],
      "SMS de phishing (falso cobro de aduanas). Se confirmó que no es de Tiendalia, que el pedido real no tiene cargos y se pidió reenviarlo a phishing@tiendalia.com.",
      n=2, channels=("whatsapp", "chat", "email"), needs_order=False, priority="normal", csat=(5, 5)))

add(S("es_plus_late_express_en", "ES", "loyalty", ["tiendalia-plus", "express", "late-delivery", "points"], "monitor",
      ["Express delivery late - Plus member", "24h delivery took 3 days"],
      [("c", "Hi, I'm a Plus member and ordered the {item} (order {order}) with Express 24h on Monday before 2pm. It arrived on Thursday. Isn't the point of paying for Plus that delivery is next day? Sorry, my Spanish isn't good enough for this."),
       ("a", "Hi {first}, no problem at all, I'm {agent} and happy to help in English. You're right: it shipped on Monday but SEUR had a delay at the Málaga hub. When an Express delivery is late because of us, Plus members get 500 bonus Tiendalia Points. I've added them to your account now (worth EUR 5 off a future order)."),
       ("c", "OK, that's fair. Thanks for sorting it."),],
      "Late Express 24h delivery for a Plus member due to SEUR hub delay; 500 bonus points added as per Plus policy.",
      n=2, lang="en", channels=("chat", "email"), customer_filter={"id": "C0010"}, order_age=(4, 7), csat=(4, 5)))

add(S("es_hoja_reclamaciones", "ES", "complaints", ["reclamacion", "hoja-de-reclamaciones", "escalado"], "fridge",
      ["Quiero una hoja de reclamaciones", "Reclamación formal", "Tercera vez que llamo"],
      [("c", "Es la tercera vez que contacto por el {item} del pedido {order}: llegó con la puerta abollada, me dijisteis que vendrían a cambiarlo y nadie ha venido. Quiero presentar una hoja de reclamaciones oficial."),
       ("a", "Hola {first}, soy {agent}, responsable de equipo. Lamento mucho cómo se ha gestionado. Te he enviado por email el formulario oficial de la hoja de reclamaciones; cuando lo rellenes, recibirás copia en PDF y te responderemos por escrito en un máximo de 10 días hábiles. Tu número de reclamación es {rec}. Al mismo tiempo, he programado la sustitución del frigorífico con el transportista: te llamarán hoy para darte franja."),
       ("c", "Vale. Lo quiero por escrito todo."),
       ("a+", "Sustitución realizada el martes y frigorífico dañado retirado. Te hemos enviado la respuesta escrita a la hoja de reclamaciones {rec} con el resumen y un abono de 50 € en saldo por las molestias.")],
      "Escalado a responsable de equipo; hoja de reclamaciones electrónica facilitada ({rec}) y respondida por escrito. Frigorífico sustituido y retirado; compensación de 50 € en saldo.",
      n=2, channels=("phone", "email"), priority="urgent", order_age=(15, 25), csat=(2, 4), open_cut=2, open_share=0.35))

add(S("es_financing_phone", "ES", "payments", ["financiacion", "pago-a-plazos"], "laptop",
      ["Financiación rechazada", "Pagar a plazos el portátil"],
      [("a", "Nota de llamada: el cliente quiere comprar un {item} financiado a 12 meses y la solicitud le sale rechazada. Le explico que la financiación (3, 6, 12, 24 o 36 meses, desde 90 €) la aprueba nuestra entidad financiera colaboradora y que Tiendalia no puede ver ni cambiar el motivo; la entidad le enviará la respuesta por email."),
       ("c", "Cliente pregunta si puede pagar una parte con tarjeta y el resto financiado."),
       ("a", "Le indico que no es posible dividir un pedido entre financiación y otra tarjeta; sí puede combinar saldo Tiendalia o tarjeta regalo con un método. Alternativa: pagar con tarjeta de crédito y fraccionar desde su banco. Cliente conforme; lo pagará con tarjeta.")],
      "Financiación rechazada por la entidad colaboradora; se explicaron las alternativas (tarjeta de crédito, fraccionar con el banco). No se puede dividir el pago entre dos métodos.",
      n=2, channels=("phone",), needs_order=False, csat=(3, 4), priority="normal"))

add(S("es_rgpd_delete", "ES", "account", ["rgpd", "privacidad", "borrado-de-datos"], None,
      ["Solicitud de supresión de datos", "Borrar mi cuenta y mis datos (RGPD)"],
      [("c", "Solicito, en virtud del artículo 17 del RGPD, la supresión de todos mis datos personales y el cierre de mi cuenta."),
       ("a", "Hola {first}, soy {agent}. Hemos recibido tu solicitud. Antes de tramitarla, te informamos de que tienes 23,40 € de saldo Tiendalia sin usar que se perderán al cerrar la cuenta, y que conservaremos bloqueadas las facturas durante 6 años por obligación legal. ¿Quieres continuar o prefieres gastar antes el saldo?"),
       ("c", "Continuad, no me importa el saldo."),
       ("a+", "Solicitud tramitada. Tu cuenta se ha cerrado hoy y el resto de datos se borrarán o anonimizarán en un máximo de 30 días. Te llegará la confirmación por email del DPD (dpd@tiendalia.es).")],
      "Supresión de datos tramitada (cuenta cerrada, borrado en 30 días, facturas bloqueadas 6 años). Se avisó de la pérdida del saldo pendiente.",
      n=2, channels=("email", "web"), needs_order=False, priority="normal", csat=(4, 5), open_cut=2, open_share=0.4))

add(S("es_speaker_multiroom", "ES", "product_support", ["luma-speaker", "multisala", "eco"], "luma-speaker",
      ["Eco entre altavoces Luma", "Grupo multisala desincronizado"],
      [("c", "Tengo tres {item} en un grupo y en el pasillo se oye como con eco, uno va un poco retrasado."),
       ("a", "Hola {first}, soy {agent}. Lo más habitual es que uno de los altavoces tenga otra versión de firmware. Revisa en Luma Home > cada altavoz > Ajustes > Información del dispositivo que los tres tengan la misma versión (2.8 o superior), reinicia el router y después los altavoces."),
       ("c", "El de la cocina tenía la 2.6. Actualizado y ya suenan sincronizados. Gracias!")],
      "Desincronización por firmware desactualizado en un altavoz; actualizado a 2.8 y sincronización correcta.",
      n=2, channels=("chat", "email"), priority="low", order_age=(30, 90)))

add(S("es_pickup_home_return_plus", "ES", "returns", ["returns", "recogida-a-domicilio", "tiendalia-plus"], "vacuum",
      ["Me han cobrado la recogida siendo Plus", "Cobro de 4,95 € por recogida"],
      [("c", "Hola, soy socia Plus y al pedir la recogida a domicilio de la devolución del {item} (pedido {order}) me aparece que me descontarán 4,95 €. ¿No era gratis para Plus?"),
       ("a", "Hola {first}, soy {agent}. Tienes razón, para socios Plus la recogida a domicilio es gratuita. Veo que tu cuota mensual no se pudo cobrar hace unos días y las ventajas quedaron en pausa mientras reintentamos el cobro; por eso el sistema te aplicó la tarifa. Ya se ha cobrado la cuota correctamente, así que he quitado el cargo de 4,95 € de la devolución."),
       ("c", "Ah, cambié de tarjeta. Perfecto, gracias.")],
      "Ventajas Plus en pausa por renovación fallida (tarjeta cambiada); tras cobrarse la cuota, se eliminó el cargo de 4,95 € de recogida.",
      n=2, channels=("chat", "whatsapp"), customer_filter={"tier": "plus"}, order_age=(8, 20), csat=(4, 5)))

add(S("es_canarias_customs", "ES", "shipping", ["shipping", "canarias", "igic", "aduanas"], "coffee",
      ["Me piden pagar aduanas en Canarias", "Cobro de IGIC en la entrega", "Duda impuestos envío Canarias"],
      [("c", "Hola, vivo en Las Palmas. El repartidor me ha dicho por teléfono que para entregarme el pedido {order} tengo que pagarle 38 € de \"despacho de aduanas\". ¿Esto es normal? En la web ya me cobrasteis el IGIC."),
       ("a", "Hola {first}, soy {agent}. No, no debes pagar nada en la entrega: en los envíos a Canarias cobramos el IGIC al hacer el pedido y nosotros tramitamos el DUA. Acabo de comprobar que tu envío ya tiene el despacho hecho. Lo más probable es un error del transportista o un intento de estafa, así que no pagues nada y no sigas enlaces de SMS. He contactado con Correos Express para que lo entreguen sin cargo."),
       ("c", "Menos mal que pregunté. ¿Cuándo me lo traen entonces?"),
       ("a+", "Correos Express confirma que fue un error de su delegación y que lo entregan el jueves sin ningún cobro. Te aviso también de que tu factura ya refleja el pedido sin IVA y con el 7 % de IGIC.")],
      "Se confirmó que el IGIC se cobró en el pedido y que el DUA lo gestiona Tiendalia; el cobro en entrega era un error del transportista. Correos Express entregó sin cargo.",
      n=2, channels=("whatsapp", "chat"), customer_filter={"region": "canarias"}, priority="high", order_age=(6, 10), order_status="delivered"))

add(S("es_plus_cancel_used", "ES", "loyalty", ["tiendalia-plus", "cancelacion", "reembolso-denegado"], None,
      ["Reembolso de la cuota de Plus", "Quiero darme de baja de Plus"],
      [("c", "Buenas, quiero darme de baja de Tiendalia Plus y que me devolváis lo que queda del año. Me cobrasteis los 49 € en marzo."),
       ("a", "Hola {first}, soy {agent}. He tramitado la cancelación: Plus no se renovará. En cuanto al reembolso, la cuota anual solo se devuelve si se cancela en los 14 días siguientes al cobro sin haber usado ventajas. En tu caso han pasado más de 14 días y has usado el envío exprés gratis en varios pedidos, así que no corresponde reembolso, pero mantienes todas las ventajas hasta la fecha de fin del periodo pagado."),
       ("c", "Pues vaya. Bueno, al menos lo aprovecho hasta entonces.")],
      "Cancelada la renovación automática de Plus; sin reembolso (fuera de 14 días y con ventajas usadas). Ventajas activas hasta fin del periodo pagado.",
      n=2, channels=("chat", "phone", "email"), needs_order=False, customer_filter={"tier": "plus"}, csat=(2, 4)))

add(S("es_warranty_washer", "ES", "warranty", ["garantia", "lavadora", "sat"], "washer",
      ["Lavadora averiada, no centrifuga", "Garantía lavadora", "La lavadora hace un ruido horrible"],
      [("c", "Hola. La {item} que os compré (pedido {order}) ha dejado de centrifugar y da el error E21. Tiene poco más de un año. ¿Está en garantía?"),
       ("a", "Hola {first}, soy {agent}. Sí, en España los productos nuevos tienen 3 años de garantía legal desde la entrega, así que estás cubierto. He abierto la solicitud de garantía y el servicio técnico oficial te llamará en un máximo de 2 días hábiles para acordar la visita; el técnico acude en 72 horas hábiles. Mientras tanto, comprueba si el filtro de la bomba de desagüe (tapa inferior derecha) está obstruido: el E21 suele indicar un problema de desagüe."),
       ("c", "He limpiado el filtro y tenía una moneda y una horquilla... ahora funciona. Qué vergüenza. ¿Cancelo la visita?"),
       ("a", "¡Nada de vergüenza, pasa muchísimo! Cancelo la visita del técnico. Si vuelve a fallar, responde a este mensaje y la reactivamos.")],
      "Error E21 por filtro de desagüe obstruido; se resolvió limpiando el filtro. Visita del SAT cancelada. Se informó de la garantía legal de 3 años.",
      n=2, channels=("phone", "email", "chat"), order_age=(380, 480), csat=(5, 5), open_cut=2, open_share=0.2,
      openers=["Buenos días, la lavadora del pedido {order} hace un ruido horrible al centrifugar y no termina el programa, marca E21. ¿Qué hago?"]))

add(S("es_router_pppoe", "ES", "product_support", ["luma-router", "pppoe", "sin-internet", "fibra"], "luma-router",
      ["Luma Router sin internet", "No consigo configurar el Luma Router con mi fibra", "Luma Router luz roja parpadeando"],
      [("c", "Hola, he conectado el {item} al router de la fibra y la luz se queda en rojo parpadeando. La app dice \"sin conexión a internet\". Mi compañía es Digi."),
       ("a", "Hola {first}, soy {agent}. La luz roja parpadeando significa que el Luma no recibe internet. Con Digi hay dos formas: si el router de Digi sigue encendido haciendo de router, el Luma debería funcionar en modo automático; pero si lo has conectado directamente a la ONT, tienes que ir en Luma Home a Ajustes > Avanzado > Conexión a internet > PPPoE, poner el usuario y la contraseña PPPoE de Digi y el VLAN ID 20. ¿Cómo lo tienes conectado?"),
       ("c", "Directo a la ONT, quité el router de Digi. No sé el usuario PPPoE..."),
       ("a", "Te lo tienen que facilitar en Digi (se puede pedir en su área de cliente). Cuando lo tengas, mete usuario, contraseña y VLAN 20. Otra opción más sencilla: vuelve a poner el router de Digi y conecta el Luma a uno de sus puertos LAN."),
       ("c", "Ya está, con el PPPoE y la VLAN 20 funciona. Luz blanca. ¡Gracias!")],
      "Luma Router conectado directamente a la ONT de Digi: se configuró PPPoE con las credenciales del operador y VLAN ID 20. Funciona correctamente.",
      n=2, channels=("chat", "whatsapp"), order_age=(2, 8), open_cut=3, open_share=0.3))

add(S("es_router_movistar", "ES", "product_support", ["luma-router", "movistar", "doble-nat", "modo-puente"], "luma-router",
      ["Luma Router con Movistar: la consola no conecta", "NAT estricto con el router Luma"],
      [("c", "Buenas tardes. He instalado el {item} detrás del router de Movistar y internet va, pero la PlayStation dice NAT tipo 3 y no puedo jugar online con mis amigos."),
       ("a", "Hola {first}, soy {agent}. Lo que ocurre es que tienes dos routers haciendo lo mismo (doble NAT). Tienes dos opciones: poner el router de Movistar en modo puente (monopuesto), que se pide llamando a Movistar o desde su app Smart WiFi, y configurar en el Luma la conexión PPPoE con VLAN 6; o dejar el Luma en modo puente (Ajustes > Avanzado > Modo de red > Puente). Ojo, en modo puente el Luma no ofrece control parental ni prioridad de dispositivos."),
       ("c", "Uso el control parental para los críos, así que prefiero la primera. ¿El usuario PPPoE cuál es?"),
       ("a", "Con Movistar el usuario es adslppp@telefonicanetpa y la contraseña adslppp, con VLAN ID 6. Cuando Movistar te confirme el modo monopuesto, mételo en Ajustes > Avanzado > Conexión a internet > PPPoE."),
       ("c", "Hecho, NAT tipo 2 y el control parental sigue funcionando. Mil gracias.")],
      "Doble NAT con el router de Movistar: router del operador en monopuesto y Luma con PPPoE (VLAN 6), manteniendo el control parental.",
      n=2, channels=("chat", "email"), order_age=(3, 12), open_cut=3, open_share=0.25))

add(S("es_cam_zones", "ES", "product_support", ["luma-cam", "deteccion-movimiento", "notificaciones"], "luma-cam",
      ["Demasiadas notificaciones de la Luma Cam", "La cámara avisa por cada coche que pasa"],
      [("c", "Hola, tengo la {item} en la entrada de casa y me manda avisos cada vez que pasa un coche por la calle. Tengo el móvil echando humo. ¿Se puede evitar?"),
       ("a", "Hola {first}, soy {agent}. Sí: en Luma Home > tu cámara > Ajustes > Detección de movimiento > Zonas de actividad puedes dibujar hasta 4 zonas (por ejemplo, la puerta y el camino) y la cámara solo avisará del movimiento dentro de ellas. Deja la calle fuera. También te recomiendo bajar la sensibilidad a 2 si hay árboles. Y un consejo legal: usa una zona de privacidad para tapar la acera y la calle, porque una cámara particular no debe grabar la vía pública."),
       ("c", "Hecho, he puesto una zona en la puerta y tapado la calle. Ya no me llega nada de los coches. Gracias!")],
      "Se configuraron zonas de actividad (solo puerta de entrada), sensibilidad 2 y zona de privacidad sobre la vía pública. Avisos corregidos.",
      n=2, channels=("chat", "whatsapp", "web"), priority="low", order_age=(10, 40)))

add(S("es_plug_tariff", "ES", "product_support", ["luma-plug", "consumo", "horarios"], "luma-plug",
      ["Luma Plug: el horario va una hora tarde", "Coste de electricidad en la app no cuadra"],
      [("c", "Hola! Tengo programado el {item} para encender el termo a las 2:00 (hora valle) y se enciende a las 3:00. Y el coste que calcula la app no se parece a mi factura."),
       ("a", "Hola {first}, soy {agent}. Lo de la hora casi siempre es la zona horaria de la casa: revisa Ajustes > Casa y comprueba que pone Europa/Madrid (si pone UTC, verás justo una o dos horas de diferencia). Para el coste, ve a Ajustes > Energía > Tarifa y elige discriminación horaria 2.0TD con el precio de punta, llano y valle de tu factura; la app aplica sola los periodos oficiales (valle de 0:00 a 8:00 y fines de semana)."),
       ("c", "Efectivamente estaba en UTC. Cambiado y metida la tarifa. Ahora cuadra bastante. Gracias")],
      "Zona horaria de la casa corregida (UTC → Europa/Madrid) y tarifa 2.0TD configurada en Ajustes > Energía. Horarios y costes correctos.",
      n=2, channels=("chat", "email"), priority="low", order_age=(15, 60)))

add(S("es_correos_pickup", "ES", "shipping", ["shipping", "correos", "citypaq", "recogida-en-punto"], "airfryer",
      ["No me ha llegado el código del Citypaq", "Código de recogida Citypaq"],
      [("c", "Hola. Elegí recogida en Citypaq para el pedido {order} y en el seguimiento pone que está depositado, pero no me ha llegado ningún SMS con el código."),
       ("a", "Hola {first}, soy {agent}. He visto que en el pedido figura un móvil con un dígito de menos, por eso no te llegó el SMS. Te he reenviado el código de 8 dígitos al email y al móvil correcto, que ya he actualizado. Ojo: en Citypaq tienes 3 días naturales para recogerlo; si no, pasa a la oficina de Correos asociada durante 15 días."),
       ("c", "Ya lo tengo, recogido. Gracias!")],
      "Teléfono mal escrito en el pedido; se reenvió el código de recogida de Citypaq y se actualizó el móvil. Paquete recogido.",
      n=2, channels=("whatsapp", "chat"), order_age=(3, 6), priority="normal"))

add(S("es_correos_returned", "ES", "shipping", ["shipping", "correos", "devuelto-al-remitente", "reembolso"], "chair",
      ["Mi paquete ha vuelto de Correos", "No recogí el paquete a tiempo"],
      [("c", "Buenas, no pude ir a por el paquete del pedido {order} a la oficina de Correos (estuve de viaje) y ahora pone que vuelve al remitente. ¿Me lo podéis volver a mandar?"),
       ("a", "Hola {first}, soy {agent}. En oficina de Correos el paquete se guarda 15 días naturales (se puede ampliar 5 días una vez desde el SMS) y después vuelve a nuestro almacén. Cuando lo recibamos te reembolsaremos automáticamente el importe del producto; los gastos de envío no se reembolsan. No podemos reenviar el mismo paquete, así que si todavía lo quieres tendrías que hacer un pedido nuevo."),
       ("c", "Vale, pues hago el pedido otra vez, esta vez a casa."),
       ("a+", "Perfecto. El paquete ya ha llegado al almacén y el reembolso del producto está emitido ({rf}).")],
      "Paquete no recogido en el plazo de 15 días en oficina de Correos y devuelto al almacén; reembolso del producto sin gastos de envío. El cliente repitió el pedido con entrega a domicilio.",
      n=2, channels=("email", "chat"), order_status="returned", order_age=(20, 28), csat=(3, 4)))

# =========================================================================== MEXICO

add(S("mx_oxxo_pending", "MX", "payments", ["oxxo", "pago-en-efectivo", "pago-pendiente"], "airfryer",
      ["Pagué en OXXO y sigue pendiente", "Pago OXXO no reflejado", "Mi pedido dice pendiente de pago"],
      [("c", "Hola buenas tardes, pagué mi pedido {order} en el OXXO hace como 3 horas y en la app sigue diciendo pendiente de pago. Tengo mi ticket."),
       ("a", "Hola {first}, soy {agent}. Normalmente el pago se refleja en menos de 1 hora. ¿Me mandas por aquí una foto del ticket donde se vean la referencia, el importe, la fecha y la hora, por favor?"),
       ("c", "Ahí va la foto."),
       ("a", "Gracias. Ya lo validamos: la referencia era correcta pero hubo un retraso en la conciliación de OXXO Pay. Tu pago de {total} ya aparece confirmado y tu pedido pasó a preparación. El plazo de entrega cuenta desde hoy.")],
      "Retraso en la conciliación de OXXO Pay; se validó el ticket y se confirmó el pago manualmente. Pedido en preparación.",
      n=3, channels=("whatsapp", "chat"), order_status="shipped", order_age=(0, 1), priority="high", csat=(4, 5), open_cut=2, open_share=0.3,
      openers=[("ya pague en oxxo desde ayer y NADA, sigue pendiente!! no me vayan a cancelar el pedido {order} que ya di mi dinero", {"priority": "urgent", "csat": (3, 5)})]))

add(S("mx_oxxo_expired", "MX", "payments", ["oxxo", "referencia-vencida", "pedido-cancelado"], "earbuds",
      ["Se venció mi referencia de OXXO", "Me cancelaron el pedido"],
      [("c", "Hola, no alcancé a pagar en OXXO y me llegó un correo de que mi pedido se canceló. ¿Todavía puedo pagarlo? El precio ya subió en la página."),
       ("a", "Hola {first}, soy {agent}. La referencia de OXXO es válida 48 horas; al vencer, el pedido se cancela automáticamente y los productos regresan al inventario, por eso ya no se puede reactivar. No te cobraron nada. Tendrías que hacer un pedido nuevo al precio actual."),
       ("c", "Ay, qué mal, estaba en oferta. ¿No me pueden respetar el precio?"),
       ("a+", "Lo revisé con mi supervisora y, como excepción, te generé un cupón por la diferencia (MX$200) válido 7 días. Al pagar en OXXO recuerda que tienes 48 horas y que el máximo por pedido es MX$10,000.")],
      "Referencia OXXO vencida (48 h) y pedido cancelado automáticamente. Se otorgó un cupón por la diferencia de precio como excepción.",
      n=2, channels=("whatsapp", "chat", "email"), order_status="cancelled", order_age=(2, 4), csat=(4, 5)))

add(S("mx_cfdi_late", "MX", "billing_invoices", ["factura", "cfdi", "factura-global"], "laptop",
      ["No puedo facturar mi compra", "Factura CFDI fuera de plazo", "Necesito factura urgente"],
      [("c", "Buenas tardes, necesito la factura de mi pedido {order} y el portal me dice que ya no se puede. Compré el mes pasado. Es para la empresa, la necesito sí o sí."),
       ("a", "Hola {first}, soy {agent}. Lamentablemente la factura CFDI solo puede solicitarse dentro del mes en que hiciste la compra (o 72 horas después si compraste en los últimos 3 días del mes). Tu compra fue el {odate} y, al cerrar el mes, se incluyó en la factura global a público en general, como exige el SAT. Por eso ya no es posible emitir una factura individual."),
       ("c", "No puede ser, en ningún lado me dijeron eso. Voy a poner una queja en PROFECO."),
       ("a", "Entiendo tu molestia. Está indicado en el artículo de facturación y en el correo de confirmación, pero te comparto el consejo para la próxima: guarda tus datos fiscales en Mi cuenta y la factura se genera automáticamente al entregarse el pedido. Si decides acudir a PROFECO, puedes hacerlo por Concilianet.")],
      "No es posible facturar fuera del mes de compra (venta incluida en factura global del mes). Se recomendó guardar datos fiscales para facturación automática.",
      n=3, channels=("email", "chat", "whatsapp"), order_age=(35, 50), csat=(1, 3), priority="normal",
      openers=[("OIGAN NECESITO MI FACTURA DEL PEDIDO {order} Y EL PORTAL NO ME DEJA. ¿CÓMO QUE YA PASÓ EL PLAZO? ES UNA COMPRA DE MI NEGOCIO.", {"priority": "high", "csat": (1, 2)})]))

add(S("mx_msi_return", "MX", "refunds", ["meses-sin-intereses", "devolucion", "bonificacion"], "washer",
      ["Devolví la lavadora y me siguen cobrando mensualidades", "Cargo de MSI después de devolución"],
      [("c", "Hola, devolví la {item} del pedido {order} hace 3 semanas y en mi estado de cuenta me siguen cobrando la mensualidad de los meses sin intereses. Ya me dijeron que el reembolso estaba hecho ({rf})."),
       ("a", "Hola {first}, soy {agent}. Confirmo que notificamos la devolución al banco el mismo día en que se aprobó el reembolso. Con MSI el banco cancela el plan y bonifica las mensualidades pagadas en un máximo de 10 días hábiles, pero puede tardar hasta 2 cortes en verse reflejado. Te recomiendo seguir pagando la mensualidad que aparece para no generar intereses moratorios; cualquier pago de más te lo devuelve el banco."),
       ("c", "Ok pero si en el siguiente corte no aparece vuelvo a escribir."),
       ("a", "Claro. Te dejo el folio de la notificación al banco para que lo tengas: {arn}.")],
      "Devolución notificada al banco; se explicó que la bonificación de MSI puede tardar hasta 2 cortes y que debe seguir pagando mientras tanto. Se facilitó el folio.",
      n=2, channels=("email", "chat"), order_status="returned", order_age=(30, 45), csat=(3, 4), open_cut=2, open_share=0.3))

add(S("mx_extended_zone", "MX", "shipping", ["estafeta", "zona-extendida", "retraso"], "vacuum",
      ["Mi pedido no llega, zona extendida", "Cobro de MX$79 por zona extendida", "¿Por qué tarda tanto mi paquete?"],
      [("c", "Hola, mi pedido {order} ya tiene 9 días y sigue en el centro de Estafeta de la ciudad. Además me cobraron MX$79 de zona extendida. Vivo en un pueblo pero sí llegan paqueterías."),
       ("a", "Hola {first}, soy {agent}. Tu código postal es zona extendida para Estafeta: ahí el plazo es el estándar (3-6 días hábiles) más 2 a 5 días hábiles, y la paquetería visita tu localidad solo ciertos días (en tu caso martes y viernes). El cargo de MX$79 es el que se aplica a zonas extendidas. Según la guía {tracking}, sale a ruta el viernes."),
       ("c", "Ok, pero si no estoy el viernes?"),
       ("a", "Hacen dos intentos; si no hay nadie, lo dejan en la sucursal Estafeta más cercana durante 5 días hábiles y necesitarás tu INE y el número de guía. Para la próxima puedes elegir 'Ocurre' (recoger en sucursal) sin costo adicional.")],
      "Entrega en zona extendida de Estafeta (plazo +2-5 días, visita martes/viernes, cargo MX$79). Se informó de la ruta y la opción Ocurre.",
      n=3, channels=("whatsapp", "chat"), customer_filter={"extended_zone": True}, order_age=(9, 12), order_status="shipped", csat=(3, 5), open_cut=2, open_share=0.3,
      openers=["Hola, ¿por qué me cobraron MX$79 extra de envío en el pedido {order}? Nunca me habían cobrado eso y ya van 9 días sin que llegue."]))

add(S("mx_cfdi_name", "MX", "billing_invoices", ["factura", "cfdi", "rfc", "error-de-datos"], "desk",
      ["Error al generar factura: el nombre no coincide", "No me deja facturar, error de RFC"],
      [("c", "Hola, intento facturar el pedido {order} y me sale \"El nombre no coincide con el RFC\". Ya revisé el RFC y está bien. Razón social: HA COMERCIALIZADORA DEL BAJIO SA DE CV."),
       ("a", "Hola {first}, soy {agent}. El problema es el régimen societario: en CFDI 4.0 la razón social va exactamente como en la Constancia de Situación Fiscal pero sin \"SA DE CV\". Captúrala como HA COMERCIALIZADORA DEL BAJIO, con el código postal fiscal de la Constancia, régimen 601 y uso G03."),
       ("c", "Listo, ya se generó. Me llegaron el PDF y el XML. Gracias.")],
      "Error de validación por incluir el régimen societario en la razón social; se capturó sin 'SA DE CV' y se emitió el CFDI.",
      n=2, channels=("email", "chat"), customer_filter={"id": "C0015"}, order_age=(3, 10), priority="normal", csat=(5, 5)))

add(S("mx_msi_missing", "MX", "payments", ["meses-sin-intereses", "msi", "tarjeta-de-credito"], "tv",
      ["No me aparecen los meses sin intereses", "¿Por qué no puedo pagar a 12 meses?"],
      [("c", "Hola quiero comprar la {item} a 12 meses sin intereses pero solo me salen 3 y 6. Mi tarjeta es BBVA de crédito."),
       ("a", "Hola {first}, soy {agent}. Los 12 MSI aplican en compras desde MX$6,000, y la pantalla cuesta {price}, así que por monto sí calificas. Lo que suele pasar es que el banco no muestra el plazo si tu línea de crédito disponible no cubre el total, o si en el carrito tienes un producto que no participa, como artículos de marketplace o tarjetas de regalo. ¿Tienes algo más en el carrito?"),
       ("c", "Sí tenía una funda de un vendedor externo. La quité y ya me salen los 12 meses. Gracias!")],
      "El carrito incluía un artículo de marketplace excluido de MSI; al retirarlo aparecieron los 12 meses sin intereses.",
      n=2, channels=("chat", "whatsapp"), needs_order=False, priority="normal", csat=(5, 5)))

add(S("mx_msi_debit", "MX", "payments", ["meses-sin-intereses", "tarjeta-de-debito"], "laptop",
      ["MSI con tarjeta de débito", "No me salen los meses con mi tarjeta"],
      [("c", "Buenas noches, intento pagar la {item} con mi tarjeta Banorte a meses sin intereses y no me aparece ninguna opción. Es de débito, ¿influye?"),
       ("a", "Hola {first}, soy {agent}. Sí influye: los meses sin intereses solo aplican con tarjetas de crédito de bancos participantes (Banorte sí participa), no con débito, departamentales ni tarjetas emitidas fuera de México. Con débito puedes pagar de contado, o si prefieres en efectivo en OXXO hasta MX$10,000, aunque la laptop supera ese límite."),
       ("c", "Ok, la pago con la de crédito de mi esposo entonces. Gracias.")],
      "MSI no disponibles con tarjeta de débito; se explicaron los requisitos (tarjeta de crédito de banco participante).",
      n=2, channels=("chat", "whatsapp"), needs_order=False, priority="low", csat=(4, 5)))

add(S("mx_oxxo_refund_clabe", "MX", "refunds", ["reembolso", "oxxo", "clabe", "transferencia"], "earbuds",
      ["Reembolso de pedido pagado en OXXO", "¿Cómo me regresan mi dinero si pagué en efectivo?"],
      [("c", "Hola, devolví los {item} del pedido {order}, los pagué en OXXO. ¿Cómo me van a regresar el dinero?"),
       ("a", "Hola {first}, soy {agent}. Como el pago fue en efectivo tienes dos opciones: saldo Tiendalia al instante, o transferencia a una CLABE de 18 dígitos a tu nombre, que se hace en un máximo de 5 días hábiles. Por seguridad no hacemos transferencias a cuentas de terceros."),
       ("c", "Transferencia por favor, CLABE 012180015293847562 a mi nombre en BBVA."),
       ("a", "Registrada. En cuanto se apruebe la revisión de la devolución, recibirás la transferencia en un máximo de 5 días hábiles. Te llegará el correo {rf} con el comprobante.")],
      "Reembolso de pedido pagado en OXXO mediante transferencia a CLABE del titular (máx. 5 días hábiles).",
      n=2, channels=("whatsapp", "email"), order_status="returned", order_age=(15, 25), csat=(4, 5)))

add(S("mx_profeco_fridge", "MX", "complaints", ["profeco", "refrigerador", "entrega-tardia", "queja"], "fridge",
      ["Queja: refrigerador sin entregar", "Voy a ir a PROFECO", "Llevo semanas esperando mi refrigerador"],
      [("c", "Compré un {item} (pedido {order}) hace 15 días, pagué {total} y la paquetería ya me canceló dos citas de entrega. Si no me lo entregan esta semana levanto queja en PROFECO."),
       ("a", "Hola {first}, soy {agent}. Tienes razón, dos citas canceladas no es aceptable. Ya escalé el caso con Estafeta como prioridad y tengo confirmada la entrega para el jueves entre 10:00 y 12:00, con dos operadores. Como compensación te abonamos MX$500 en saldo Tiendalia."),
       ("c", "Está bien, pero si el jueves no llega, no espero más."),
       ("a+", "El refrigerador se entregó el jueves a las 11:20. Lamentamos mucho la espera. El saldo ya está en tu cuenta.")],
      "Entrega de artículo grande reprogramada con prioridad tras dos citas canceladas por la paquetería; entregado. Compensación de MX$500 en saldo.",
      n=2, channels=("phone", "email", "whatsapp"), order_status="delivered", order_age=(14, 18), priority="urgent", csat=(2, 4), open_cut=2, open_share=0.4))

add(S("mx_speaker_wifi", "MX", "product_support", ["luma-speaker", "wifi", "configuracion"], "luma-speaker",
      ["No puedo conectar la Luma Speaker al WiFi", "Luma Speaker luz roja"],
      [("c", "Hola, ya intenté 5 veces conectar mi {item} y siempre parpadea en rojo y la app dice que no se pudo conectar al wifi. La contraseña está bien."),
       ("a", "Hola {first}, soy {agent}. El rojo parpadeando es error de conexión a la red. Revisa dos cosas: que la primera letra de la contraseña no se haya puesto en mayúscula automáticamente, y si tu módem de Telmex/Izzi usa el mismo nombre para 2.4 y 5 GHz. En ese caso, acerca la bocina al módem durante la configuración o separa temporalmente las redes. Si sigue igual, mantén presionado el botón de acción 15 segundos hasta que se ponga naranja y vuelve a intentarlo."),
       ("c", "Era la mayúscula del celular 🤦‍♀️ ya quedó, gracias!")],
      "Contraseña con mayúscula automática; la bocina Luma Speaker se configuró correctamente.",
      n=2, channels=("whatsapp", "chat"), order_age=(2, 6), priority="low"))

add(S("mx_giftcard_expired", "MX", "payments", ["tarjeta-de-regalo", "caducidad", "saldo"], None,
      ["Mi tarjeta de regalo ya venció", "No puedo usar tarjeta de regalo"],
      [("c", "Hola, tengo una tarjeta de regalo de Tiendalia de MX$1,000 y me dice que está vencida. Me la regalaron en Navidad pasada."),
       ("a", "Hola {first}, soy {agent}. Las tarjetas de regalo en México tienen vigencia de 12 meses desde la fecha de compra; la tuya se compró en noviembre del año pasado, por eso ya venció aunque te la dieran en diciembre. La fecha aparece en Mi cuenta > Saldo al canjearla."),
       ("c", "Pues qué mal, nadie me avisó. Es dinero que alguien pagó."),
       ("a+", "Lo entiendo. Lo revisé con el área de saldo y, como la tarjeta venció hace menos de un mes, la reactivamos por 30 días como cortesía. Ya puedes canjearla.")],
      "Tarjeta de regalo MX vencida (vigencia 12 meses). Reactivada por 30 días como cortesía.",
      n=2, channels=("chat", "email", "whatsapp"), needs_order=False, priority="low", csat=(4, 5)))

add(S("mx_marketplace_not_arrived", "MX", "marketplace", ["marketplace", "garantia-tiendalia", "no-llego"], "mkt-case",
      ["No me llegó mi smartwatch", "El vendedor no envía", "Pedido de vendedor externo sin llegar"],
      [("c", "Compré el {item} hace más de un mes y nunca llegó. El vendedor me dice que ya lo envió pero la guía no tiene movimientos."),
       ("a", "Hola {first}, soy {agent}. Ya pasaron más de 30 días desde la fecha estimada de entrega, así que calificas para la Garantía Tiendalia. Abrí la reclamación {claim}; le pedimos al vendedor prueba de entrega y la revisamos en máximo 5 días hábiles."),
       ("c", "Ok, espero respuesta."),
       ("a+", "El vendedor no pudo acreditar la entrega, así que te reembolsamos {price} a tu método de pago original. Lamentamos el inconveniente.")],
      "Garantía Tiendalia: pedido de marketplace no entregado 30 días después de la fecha estimada; reembolso completo.",
      n=3, channels=("chat", "email", "whatsapp"), order_status="cancelled", order_age=(40, 55), csat=(3, 5), open_cut=2, open_share=0.35,
      openers=[("ESTAFA. Compré un {item} y el vendedor desapareció. Quiero mi dinero o hago contracargo con el banco.", {"priority": "high", "csat": (3, 4)})]))

add(S("mx_large_return_fee", "MX", "returns", ["devolucion", "articulo-grande", "costo-de-recoleccion"], "sofa",
      ["¿Por qué me cobran por devolver la sala?", "Costo de recolección de MX$490"],
      [("c", "Quiero devolver la {item} del pedido {order} porque no me cupo en el departamento, y me dice que me cobran MX$490 de recolección. ¿Por qué si las devoluciones son gratis?"),
       ("a", "Hola {first}, soy {agent}. Las devoluciones son gratis cuando llevas el paquete a una sucursal Estafeta o DHL, pero los artículos de más de 30 kg requieren recolección con dos personas, y cuando la devolución es por cambio de opinión tiene un costo de MX$490. Sería gratis si el producto tuviera un defecto o fuera distinto al que pediste, o si fueras socio Tiendalia Plus."),
       ("c", "Ni modo, la devuelvo igual.")],
      "Se explicó el costo de recolección de artículos grandes por cambio de opinión (MX$490). El cliente aceptó y se programó la recolección.",
      n=2, channels=("chat", "whatsapp"), customer_filter={"tier": "standard"}, order_age=(5, 12), csat=(3, 4)))

add(S("mx_account_locked_phone", "MX", "account", ["cuenta", "bloqueo", "contrasena"], None,
      ["Cuenta bloqueada", "No me llega el correo para cambiar contraseña"],
      [("a", "Nota de llamada: el cliente no puede entrar a su cuenta; dice que puso mal la contraseña varias veces y ahora está bloqueada. Le explico que tras 5 intentos fallidos la cuenta se bloquea 30 minutos y que puede desbloquearla antes restableciendo la contraseña."),
       ("c", "El cliente comenta que el correo de restablecimiento no le llega; ya no usa ese correo (cuenta antigua de Hotmail)."),
       ("a", "Verifico identidad con el número de su último pedido y los 4 últimos dígitos de la tarjeta. Solicito el cambio de correo al nuevo; por seguridad se aplica en 24 horas y se notifica a ambas direcciones. Le indico que después podrá restablecer la contraseña (el enlace dura 60 minutos) y le recomiendo activar la verificación en dos pasos.")],
      "Identidad verificada por teléfono; cambio de email programado (efectivo en 24 h) para poder restablecer la contraseña. Recomendada la verificación en dos pasos.",
      n=2, channels=("phone",), needs_order=False, csat=(4, 5)))

add(S("mx_plus_trial_charge", "MX", "loyalty", ["tiendalia-plus", "prueba-gratis", "cargo"], None,
      ["Me cobraron Plus después de la prueba", "Cargo de MX$99 que no reconozco"],
      [("c", "Hola, me apareció un cargo de MX$99 de Tiendalia en mi tarjeta. Yo no contraté nada."),
       ("a", "Hola {first}, soy {agent}. El cargo corresponde a Tiendalia Plus mensual: activaste la prueba gratis de 30 días el mes pasado al hacer un pedido y, al terminar, se renovó automáticamente. Si no quieres continuar, puedo cancelarla ahora. Como no has usado ninguna ventaja desde el cobro, te reembolso los MX$99 como cortesía."),
       ("c", "Sí cancélenla por favor, no sabía que se renovaba."),
       ("a", "Listo, cancelada y reembolso de MX$99 emitido ({rf}). Lo verás en tu tarjeta en 3 a 10 días hábiles.")],
      "Renovación automática tras prueba gratuita de Plus; cancelada y reembolsada la primera cuota mensual (MX$99) como cortesía.",
      n=3, channels=("chat", "whatsapp", "email"), needs_order=False, csat=(4, 5),
      openers=[("¿QUÉ ES ESTE CARGO DE $99 DE TIENDALIA? NO AUTORICÉ NADA. SI NO ME LO REGRESAN LO REPORTO A MI BANCO COMO FRAUDE.", {"priority": "high", "csat": (3, 5)})]))

add(S("mx_cam_warranty", "MX", "warranty", ["luma-cam", "garantia", "reemplazo-anticipado"], "luma-cam",
      ["Luma Cam dejó de encender", "Garantía Luma Cam"],
      [("c", "Hola, mi {item} dejó de encender, ya probé con otro cargador y nada. La compré hace como 8 meses."),
       ("a", "Hola {first}, soy {agent}. Los dispositivos Luma tienen 2 años de garantía en México. ¿Ya probaste el restablecimiento manteniendo el botón 10 segundos?"),
       ("c", "Sí, no prende ninguna luz."),
       ("a", "Entonces aplicamos reemplazo anticipado: te enviamos primero una cámara nueva y tú nos regresas la dañada en la misma caja en un plazo de 14 días con la guía incluida. Ya va en camino por Estafeta; la guía está en Mis pedidos.")],
      "Luma Cam sin encender dentro de garantía (2 años en MX): reemplazo anticipado enviado; devolución de la unidad dañada en 14 días.",
      n=2, channels=("chat", "whatsapp", "email"), order_age=(200, 260), csat=(5, 5)))

add(S("mx_dhl_delivered_missing", "MX", "shipping", ["paqueteria", "entregado-no-recibido", "investigacion"], "phone",
      ["La paquetería dice entregado y no tengo nada", "Paquete entregado a otra persona"],
      [("c", "Mi pedido {order} aparece como entregado y firmado por \"Vigilancia\" pero en mi edificio no hay vigilante. Es un celular de {price}."),
       ("a", "Hola {first}, soy {agent}. Qué mal, lo siento. Ya abrí una investigación con la paquetería con la prueba de entrega; responden en un máximo de 5 días hábiles. Si se confirma que no se entregó en tu domicilio, te enviamos otro o te reembolsamos."),
       ("c", "Ok. Necesito el celular, prefiero que me manden otro."),
       ("a+", "La paquetería confirmó entrega en dirección equivocada; te enviamos un celular nuevo por Express sin costo. Guía en Mis pedidos.")],
      "Investigación con la paquetería: entrega en dirección equivocada. Reposición enviada por Express sin costo.",
      n=2, channels=("chat", "whatsapp", "phone"), priority="high", order_age=(3, 6), csat=(3, 5), open_cut=2, open_share=0.4))

# =========================================================================== UNITED STATES

add(S("us_cam_night_window", "US", "product_support", ["luma-cam", "night-vision", "troubleshooting"], "luma-cam",
      ["Luma Cam night video is all white", "Night vision not working", "Foggy picture at night"],
      [("c", "Hi, my {item} looks great during the day but at night the picture is completely white/foggy, you can't see anything. It's inside pointing out the front window at the driveway."),
       ("a", "Hi {first}, this is {agent}. That's the infrared light bouncing off the window glass. Two options: in the Luma Home app go to the camera > Settings > Night vision and set it to Off, then turn on Color night mode so the spotlight lights up the driveway when there's motion; or mount the camera outside (it's IP65) or press it flat against the glass with the rubber hood."),
       ("c", "Moved it right up against the glass with the hood and it's perfect now. Thanks!")],
      "IR reflection from window glass; camera placed against the glass with the rubber hood. Night image fixed.",
      n=3, channels=("chat", "email", "web"), order_age=(5, 30), priority="low",
      openers=["My Luma Cam (order {order}) sits on the kitchen windowsill looking out at the yard. Daytime is great but at night the image is super blurry and hazy, like there's fog. Is it defective?"]))

add(S("us_cam_reboot_night", "US", "product_support", ["luma-cam", "power", "offline"], "luma-cam",
      ["Luma Cam goes offline every night", "Camera keeps restarting after dark"],
      [("c", "My {item} keeps going offline around 9pm every night and comes back in the morning. Wi-Fi is fine, my other devices don't drop."),
       ("a", "Hi {first}, {agent} here. When it only happens after dark, it's almost always power: the infrared LEDs draw more current. Are you using the original 5V/2A adapter and cable, or a phone charger or a long USB extension?"),
       ("c", "I'm using an old phone charger and a 15 ft USB extension cable because the outlet is far away..."),
       ("a", "That's it. Phone chargers often give only 1A and extensions over 10 ft (3 m) drop the voltage. Please use the original adapter, and if you need length, the official 16 ft (5 m) weatherproof extension. Also make sure the firmware is 3.2.4 or later."),
       ("c+", "Swapped to the original adapter, no drop for 3 nights now. Thanks!")],
      "Night-time restarts caused by underpowered phone charger and long USB extension; original 5V/2A adapter fixed it.",
      n=2, channels=("chat", "email"), order_age=(10, 40), open_cut=3, open_share=0.3))

add(S("us_router_double_nat", "US", "product_support", ["luma-router", "mesh", "double-nat", "gaming"], "luma-router",
      ["Luma Router: NAT type strict on my console", "Xbox strict NAT after installing mesh", "Luma Router setup help"],
      [("c", "Set up the {item} last night. Internet works but my Xbox says NAT type strict and my work VPN keeps dropping. It's plugged into my Xfinity modem."),
       ("a", "Hi {first}, I'm {agent}. Your Xfinity gateway is also a router, so you have double NAT. The cleanest fix is to put the Xfinity gateway in bridge mode (in its admin page or by calling Xfinity), so Luma handles the whole network. Alternatively you can set Luma to bridge mode (Settings > Advanced > Network mode > Bridge), but then Luma's parental controls and device priority won't be available."),
       ("c", "Bridged the Xfinity box. NAT is open now and the VPN is stable. One node still says 'Weak' though."),
       ("a", "Move that node closer, no more than two rooms from the main unit and at table height, away from metal cabinets. When it shows 'Good' or 'Excellent' you're set. If you have Ethernet in the walls, a cable between units gives the best speed.")],
      "Double NAT with ISP gateway fixed by bridging the Xfinity gateway; advised on node placement for weak node.",
      n=3, channels=("chat", "email"), order_age=(1, 5), open_cut=2, open_share=0.3))

add(S("us_router_yellow_node", "US", "product_support", ["luma-router", "mesh", "node-placement"], "luma-router",
      ["Mesh node solid yellow light", "Is my Luma node defective?"],
      [("c", "Hi, just got my Luma mesh 3-pack (order {order}). The third node in the basement keeps showing a solid yellow light. Is it defective?"),
       ("a", "Hi {first}, {agent} here. Solid yellow means the node is connected but getting a weak signal from the main router, so it's working, just too far away. A node placed where the signal is already weak repeats a weak signal. Try moving it halfway between the main unit and the basement, for example at the top of the basement stairs, no more than two rooms away and at table height."),
       ("c", "Moved it to the stairs landing and it's solid white now. Basement signal is way better too."),],
      "Solid yellow = weak backhaul signal; node repositioned closer to the main unit and now solid white.",
      n=2, channels=("chat", "email"), order_age=(1, 6), priority="low", csat=(5, 5)))

add(S("us_cloud_cancel", "US", "product_support", ["luma-cloud", "subscription", "refund"], "luma-cam",
      ["Cancel Luma Cloud annual plan", "Refund Luma Cloud subscription"],
      [("c", "I signed up for Luma Cloud Pro yearly ($79.99) by mistake, I only have one camera. Can I get a refund and switch to something cheaper?"),
       ("a", "Hi {first}, {agent} here. Yes: annual Luma Cloud plans are refunded in full if cancelled within 14 days of the charge, and yours was charged 3 days ago. I've cancelled Cloud Pro and issued the $79.99 refund to your card (3-10 business days). For one camera, Cloud Plus ($2.99/month or $29.99/year) gives you 30 days of history and person/package detection. Note that your clips will drop to the free 24-hour history until you subscribe again."),
       ("c", "Perfect, I'll get Cloud Plus annual. Thanks!")],
      "Luma Cloud Pro annual cancelled within 14 days: full refund of $79.99. Customer moved to Cloud Plus.",
      n=2, channels=("chat", "email"), order_age=(5, 20), priority="low", csat=(5, 5)))

add(S("us_sales_tax_question", "US", "billing_invoices", ["sales-tax", "checkout", "billing"], "laptop",
      ["Why was I charged sales tax?", "Sales tax on an Oregon order?"],
      [("c", "I live in Oregon, which has no sales tax, but I was charged tax on order {order}. Can you refund it?"),
       ("a", "Hi {first}, this is {agent}. Sales tax is based on the delivery address, not the billing address. Your order was shipped to an address in Vancouver, Washington (your office, I believe), so Washington state and local tax applied. Orders delivered to Oregon aren't charged sales tax."),
       ("c", "Oh right, I sent it to work. Makes sense. Thanks for explaining.")],
      "Sales tax applied because the delivery address was in Washington (tax is based on the delivery address). No refund due.",
      n=2, channels=("email", "chat"), customer_filter={"id": "C0026"}, tax_state="WA", order_age=(3, 15), priority="low", csat=(4, 5)))

add(S("us_sales_tax_rate", "US", "billing_invoices", ["sales-tax", "gift-card", "checkout"], "tv",
      ["Sales tax charged on gift card portion", "Tax calculation question"],
      [("c", "I paid part of order {order} with a $100 gift card, but the tax was calculated on the full price. Shouldn't the gift card lower the tax?"),
       ("a", "Hi {first}, {agent} here. Good question. Gift cards and Tiendalia balance are a payment method, not a discount, so they don't reduce the taxable price. Coupons, price matches and promotions do reduce it. Your tax was calculated correctly on {price}."),
       ("c", "Got it, thanks.")],
      "Explained that gift cards are a payment method and don't reduce sales tax; tax correctly calculated.",
      n=2, channels=("email", "chat"), customer_filter={"state": ["TX", "OH", "CA", "FL", "IL", "NY", "CO", "NJ"]}, order_age=(3, 15), priority="low", csat=(3, 5)))

add(S("us_po_box_blocked", "US", "shipping", ["po-box", "usps", "checkout"], "tv",
      ["Can't ship TV to my PO box", "PO box not accepted at checkout"],
      [("c", "I'm trying to order a 65 inch TV and checkout keeps saying I need a street address. I only get mail at my PO box."),
       ("a", "Hi {first}, {agent} here. PO box deliveries go through USPS, and they're limited to packages of 20 lb or less with Standard shipping. A 65\" TV is delivered by our two-person crew, so it needs a street address. If you can't receive at home, you could use a friend's or your workplace's address; large items always need a physical delivery location."),
       ("c", "Ok I'll have it sent to my work. And the soundbar can go to the PO box?"),
       ("a", "Yes, the soundbar is 9 lb, so Standard shipping to the PO box works (4-8 business days). 2-Day isn't available for PO boxes.")],
      "Explained PO box limits (USPS, max 20 lb, Standard only). TV shipped to work address; soundbar to PO box.",
      n=2, channels=("chat", "email"), needs_order=False, priority="low"))

add(S("us_apo_tracking", "US", "shipping", ["apo", "military", "usps", "tracking"], "earbuds",
      ["APO package tracking stopped", "Order to APO address not updating"],
      [("c", "Ordered {item} to my APO address (order {order}) 12 days ago and USPS tracking hasn't moved in a week. Last scan says 'Processed through facility, Jamaica NY'."),
       ("a", "Hi {first}, thanks for your service. I'm {agent}. That scan means USPS has handed it to the military postal service; tracking usually stops updating after that, which is normal. APO deliveries take 7-21 business days from shipping, so you're still within the window. If it hasn't arrived after 21 business days, reply here and we'll open a trace or send a replacement."),
       ("c+", "Got it. Received it today actually, day 16. Thanks!")],
      "APO shipment: tracking stops after handover to military mail; delivered within the 7-21 business day window.",
      n=2, channels=("email",), customer_filter={"military": True}, order_status="delivered", order_age=(12, 16), csat=(4, 5), open_cut=2, open_share=0.4))

add(S("us_price_match", "US", "refunds", ["price-match", "price-drop", "refund"], "vacuum",
      ["Price match request", "Best Buy has it cheaper", "Price dropped after I bought"],
      [("c", "Hi, I bought the {item} on order {order} for {price} and it was delivered last week. Best Buy has the exact same model for $40 less today. Can you match it? Link: bestbuy.com/site/vetta-r7..."),
       ("a", "Hi {first}, I'm {agent}. You're within the 14 days after delivery, and I checked the link: same model, new, sold and shipped by Best Buy and in stock. I've refunded the $40 difference to your card (3-5 business days). If you prefer, next time we can add it as Tiendalia balance instantly."),
       ("c", "Awesome, that was easy. Thanks!")],
      "Price match approved within 14 days of delivery (identical item, sold by Best Buy); $40 refunded to card.",
      n=3, channels=("chat", "email"), customer_filter={"tier": ["standard", "business"]}, order_age=(8, 14), csat=(5, 5)))

add(S("us_price_match_denied", "US", "refunds", ["price-match", "denied", "marketplace-seller"], "earbuds",
      ["Price match denied?", "Why won't you match this price"],
      [("c", "I sent you an Amazon link for the {item} at $69 and the chat bot said it doesn't qualify. Why?"),
       ("a", "Hi {first}, {agent} here. I looked at the listing: it's sold by a third-party seller on Amazon (DealzHub), not by Amazon itself. Our price match only covers items sold and shipped by Amazon.com, Best Buy, Walmart, Target, Home Depot and Lowe's, not marketplace sellers. Sorry I can't approve this one. If Amazon itself lowers the price within 14 days of your delivery, let us know."),
       ("c", "That's pretty lame but ok.")],
      "Price match declined: competitor price was from a third-party marketplace seller, which is excluded.",
      n=2, channels=("chat", "email"), order_age=(5, 12), csat=(1, 3),
      openers=[("Amazon has the {item} for way less from a seller called DealzHub. You say you price match, so match it.", {"csat": (1, 2)})]))

add(S("us_damaged_tv", "US", "shipping", ["damaged", "tv", "large-item", "replacement"], "tv",
      ["TV arrived with cracked screen", "Damaged TV delivery", "Screen broken out of the box"],
      [("c", "The {item} was delivered yesterday. The box looked fine but when I turned it on there's a crack from the bottom-left corner and lines across the screen. Order {order}. I'm attaching photos of the box, the label and the screen."),
       ("a", "Hi {first}, I'm really sorry, I'm {agent}. Thanks for the photos and for reporting it within 48 hours, which is what we need for large items. Would you like a replacement or a refund?"),
       ("c", "Replacement please. And I don't want to have to deal with the broken one."),
       ("a", "Done. A new TV ships today and the delivery crew will take the damaged one away when they bring the new one, at no cost. They'll text you the day before with a 2-hour window. Please keep the original box until then.")],
      "Concealed damage on large item reported within 48 hours with photos; replacement shipped and damaged unit collected on delivery.",
      n=3, channels=("email", "chat", "phone"), priority="high", order_age=(3, 6), csat=(4, 5), open_cut=2, open_share=0.3))

add(S("us_haul_away_failed", "US", "complaints", ["haul-away", "appliance", "refund-fee"], "fridge",
      ["Delivery crew didn't take my old fridge", "Paid for haul-away, old fridge still here"],
      [("c", "The crew delivered my new {item} today but refused to take the old one even though I paid $35 for haul-away. Now I have two fridges in my kitchen!"),
       ("a", "Hi {first}, {agent} here. I'm sorry about that. The crew's notes say the old refrigerator was still plugged in with food inside. For haul-away, fridges need to be emptied and unplugged 24 hours before so they can defrost; the crew can't take them otherwise. Per our policy the $35 haul-away fee has been refunded, but unfortunately we can't send the crew back just for the haul-away."),
       ("c", "Nobody told me that. What am I supposed to do with it?"),
       ("a", "It was in the order confirmation email, but I understand it's easy to miss. Your city offers bulk appliance pickup; I've emailed you the link. As a goodwill gesture I've also added 1,000 Tiendalia Points ($10) to your account.")],
      "Haul-away not possible (old fridge not emptied/unplugged). $35 fee refunded per policy; goodwill 1,000 points; customer pointed to city bulk pickup.",
      n=2, channels=("phone", "email", "chat"), customer_filter={"tier": "standard"}, order_age=(1, 3), priority="high", csat=(2, 3)))

add(S("us_tv_mount_install", "US", "product_support", ["installation", "tv-mounting", "appointment"], "tv",
      ["TV mounting appointment", "Installer didn't show up"],
      [("c", "I booked TV wall mounting for my {item} (order {order}) for Saturday 8-12 and nobody showed up. No call, nothing. I stayed home all morning."),
       ("a", "Hi {first}, I'm {agent}. I'm very sorry. Our partner confirms the technician had a vehicle issue and didn't call you, which isn't acceptable. I've rebooked you for Tuesday 12-4 pm, the earliest slot, and refunded the $179 mounting fee in full as an apology; the installation will still be done."),
       ("c", "Ok, thank you. That's more than fair."),
       ("a+", "Installation completed on Tuesday. Remember the work is guaranteed for 1 year if the mount loosens.")],
      "Technician no-show; rebooked at earliest slot and $179 mounting fee refunded as goodwill. Installation completed.",
      n=2, channels=("phone", "chat", "email"), order_age=(4, 10), priority="high", csat=(4, 5), open_cut=2, open_share=0.3))

add(S("us_tv_mount_brick", "US", "product_support", ["installation", "tv-mounting", "extra-charge"], "tv",
      ["Installer says brick wall costs extra", "Extra $50 for TV mounting?"],
      [("c", "The installer came to mount my {item} and said my wall is brick and it'll be an extra $50. Is that legit? Nobody mentioned that when I booked."),
       ("a", "Hi {first}, {agent} here. Yes, that's correct: the standard mounting price covers drywall with studs. Brick, stone, concrete and tile aren't included, and the technician can offer it on site for an extra $50 if it's safe. You're free to decline; in that case we'd refund the mounting fee in full."),
       ("c", "Ok, go ahead with the $50 then.")],
      "Explained masonry surcharge ($50) for mounting on brick; customer accepted.",
      n=1, channels=("phone", "chat"), order_age=(4, 10), priority="normal", csat=(3, 4)))

add(S("us_monthly_return", "US", "refunds", ["tiendalia-monthly", "financing", "return"], "laptop",
      ["Returned laptop, still being charged by Bayside", "Financing payment after return"],
      [("c", "I returned the {item} I bought with Tiendalia Monthly (order {order}) and got the refund email ({rf}), but Bayside Credit still shows the full balance and my next payment is due in 4 days."),
       ("a", "Hi {first}, {agent} here. We notified Bayside Credit when the refund was issued. The lender adjusts the loan balance within 10 business days, and it's been 5. Please make the scheduled payment if the balance hasn't updated by the due date; any overpayment is refunded by Bayside. For statements or due dates you can also call them at 1-888-555-0177."),
       ("c", "Fine. I'll pay it and wait.")],
      "Refund notified to lender; explained 10-business-day balance adjustment and advised to keep paying until updated.",
      n=2, channels=("email", "chat"), order_status="returned", order_age=(25, 40), csat=(3, 4)))

add(S("us_student_retro", "US", "payments", ["student-discount", "coupon", "retroactive"], "laptop",
      ["Student discount not applied", "Can you apply my student discount to a past order?"],
      [("c", "I just got verified as a student, but I bought a {item} two days ago (order {order}). Can you apply the 10% to that order?"),
       ("a", "Hi {first}, I'm {agent}. Congrats on getting verified! Unfortunately the student discount can't be applied to orders that were already placed; it only works at checkout after verification. What you could do: the laptop is eligible, so if you return it within the return window and re-order, the 10% (up to $100) would apply."),
       ("c", "Ugh, ok. I'll think about it.")],
      "Student discount can't be applied retroactively; suggested return and re-order within the return window.",
      n=1, channels=("chat",), customer_filter={"student": True}, order_age=(2, 4), csat=(2, 4)))

add(S("us_tax_exempt_refund", "US", "billing_invoices", ["tax-exempt", "business", "sales-tax"], "monitor",
      ["Tax charged on school district order", "Request sales tax refund - exempt organization"],
      [("c", "Hello, our order {order} for classroom equipment was charged Illinois sales tax. We're a public school district with an approved exemption certificate in our Business account."),
       ("a", "Hello {first}, I'm {agent}. I see the certificate was approved on the day after the order was placed, which is why tax was charged. As the account administrator you can request a tax refund within 90 days of the order date: My orders > select the order > Request tax refund. I've already submitted it for you; the tax will be refunded to the purchasing card within 10 business days."),
       ("c", "Thank you, that's very helpful.")],
      "Tax charged before exemption certificate approval; tax refund requested within 90 days and refunded to original payment method.",
      n=2, channels=("email",), customer_filter={"id": "C0029"}, tax_state="IL", order_age=(5, 30), priority="normal", csat=(5, 5)))

add(S("us_trade_in_revised", "US", "product_support", ["trade-in", "revised-quote", "balance"], None,
      ["Trade-in quote lowered", "Dispute trade-in revised offer"],
      [("c", "I traded in my old phone and you quoted $210. Now I got an email saying the revised quote is $95 because of 'screen damage'. There was no damage when I sent it!"),
       ("a", "Hi {first}, {agent} here. I'm sorry for the surprise. Our inspection photos show a crack in the top-right corner of the screen. You have 7 days to accept or reject the revised quote. If you reject it, we'll send the phone back to you free of charge."),
       ("c", "I'll reject it then and check the phone myself."),
       ("a", "Done, the revised quote is rejected and your phone will ship back via UPS within 2 business days.")],
      "Revised trade-in quote after inspection (screen crack). Customer rejected it; device returned free of charge.",
      n=2, channels=("email", "chat"), needs_order=False, csat=(2, 4), open_cut=2, open_share=0.35))

add(S("us_refund_paypal", "US", "refunds", ["refund", "paypal", "timeline"], "coffee",
      ["When will I get my refund?", "Refund status for order {order}"],
      [("c", "Hi, I dropped off my return for the {item} at the UPS Store 6 days ago. When do I get my money back? I paid with PayPal."),
       ("a", "Hi {first}, I'm {agent}. Your return arrived at our Columbus returns center yesterday. Inspection takes up to 3 business days, then you'll get the 'Your refund is on its way' email. PayPal refunds show up within 1-2 business days after that."),
       ("c", "Great, thanks."),
       ("a+", "Update: inspection is done and the refund of {price} has been issued to PayPal ({rf}).")],
      "Return received and inspected; refund issued to PayPal (1-2 business days).",
      n=3, channels=("chat", "email"), order_status="returned", order_age=(15, 25), priority="low", csat=(4, 5)))

add(S("us_ccpa_request", "US", "account", ["privacy", "ccpa", "data-request"], None,
      ["Do not sell my personal information", "Request a copy of my data (privacy request)"],
      [("c", "I'd like a copy of all the personal information you hold about me, and I want to opt out of the sale or sharing of my data. I believe I have that right under my state's privacy law."),
       ("a", "Hi {first}, this is {agent}. I've opened a privacy request to know/access for your account. Since you're signed in, we verified you by email code. We'll deliver the data in JSON and CSV within 45 calendar days (usually around 12). I've also switched on the opt-out of sale/sharing for your account; you can check it in My account > Privacy > Advertising. If you use a browser with Global Privacy Control, we honor that too."),
       ("c", "Thanks."),
       ("a+", "Your data export is ready in My account > Privacy > Privacy requests. The download link is valid for 7 days.")],
      "Privacy access request fulfilled (data export) and sale/sharing opt-out enabled.",
      n=2, channels=("email", "web"), needs_order=False, customer_filter={"state": ["CA", "TX", "WA"]}, csat=(4, 5), open_cut=2, open_share=0.4))

add(S("us_account_takeover", "US", "account", ["fraud", "account-takeover", "unauthorized-order", "chargeback"], "phone",
      ["Order I didn't place!", "Someone hacked my account", "Unauthorized order on my card"],
      [("c", "There's an order {order} for a {item} on my account that I did NOT place, shipping to an address in Newark I've never heard of. My password was changed too. I'm calling my bank to do a chargeback."),
       ("a", "Hi {first}, I'm {agent}. I'm sorry, let's secure this right now. I've cancelled the order before it shipped (the card authorization will be released in 1-5 business days, so no charge will be captured), signed out all sessions and locked the account. I've sent a reset link to your verified email; it's valid for 60 minutes. Please then turn on two-step verification. Since the order is cancelled, you don't need a chargeback; if you already opened one, let your bank know it was cancelled."),
       ("c", "OK, I reset it and turned on the authenticator app. Thanks for acting fast."),
       ("a", "You're welcome. I also removed the unknown address and the saved card. Our fraud team will keep an eye on the account for 30 days.")],
      "Account takeover: fraudulent order cancelled before shipping, sessions revoked, password reset, 2-step verification enabled, unknown address removed.",
      n=2, channels=("phone", "chat"), order_status="cancelled", order_age=(0, 1), priority="urgent", csat=(4, 5)))

add(S("us_missing_parts", "US", "product_support", ["furniture", "missing-parts", "assembly"], "bookcase",
      ["Missing screws for bookcase", "Missing part in furniture box"],
      [("c", "Halfway through assembling the {item} and bag 4 is missing, the cam locks. Order {order}."),
       ("a", "Hi {first}, I'm {agent}. Sorry about that! I've ordered the spare parts for you: part 14, cam lock x12, and part 15, cam bolt x12, free of charge. They ship within 2 business days and arrive in 3-5 business days. Next time you can also request parts directly in My orders > Problem with this item > Missing or damaged part."),
       ("c", "Thanks. Any chance it comes faster?"),
       ("a", "I've upgraded the shipment to 2-Day at no cost. Tracking will be in your email today.")],
      "Missing hardware bag; spare parts sent free with 2-Day shipping.",
      n=2, channels=("chat", "email"), order_age=(2, 10), priority="normal", csat=(4, 5)))

add(S("us_damaged_panel", "US", "product_support", ["furniture", "damaged-part", "spare-parts"], "desk",
      ["Damaged panel on my desk", "Chipped desktop - do I return everything?"],
      [("c", "The desktop panel of the {item} arrived with a big chip on the front edge, everything else is fine. Do I need to return the whole thing? Order {order}."),
       ("a", "Hi {first}, {agent} here. No need to return it: we can send a replacement panel free of charge, which is much faster. Could you send a photo of the chip and the part number from the parts list in the instructions?"),
       ("c", "Photo attached. It's part 1, the desktop."),
       ("a+", "Thanks! A new desktop panel ships within 2 business days and arrives in 3-5 business days. You can keep or recycle the damaged one.")],
      "Damaged furniture panel replaced with a free spare part instead of a full return.",
      n=2, channels=("email", "chat"), order_age=(2, 8), priority="normal", csat=(4, 5), open_cut=3, open_share=0.3))

add(S("us_return_window", "US", "returns", ["returns", "return-window", "exception"], "chair",
      ["Return outside 30 days", "Can I still return this?", "Return window question"],
      [("c", "I want to return the {item} from order {order}. It's been 33 days since delivery, I was traveling. Is there any way?"),
       ("a", "Hi {first}, I'm {agent}. The return window for standard customers is 30 days from delivery, so the return option has closed in the app. Since it's only 3 days over and the chair is unused, I've made a one-time exception and opened the return for you. You'll get a QR code by email, valid for 14 days, to drop it off at any UPS Store."),
       ("c", "Thank you so much!")],
      "One-time exception: return accepted 3 days after the 30-day window; QR code sent for UPS drop-off.",
      n=3, channels=("chat", "email"), customer_filter={"tier": "standard"}, order_age=(35, 38), csat=(5, 5),
      openers=[("Your return window is a joke. 30 days?? I was out of the country. I'm returning the {item} or I'm disputing the charge with my credit card.", {"priority": "high", "csat": (3, 4)})]))

add(S("us_open_box_missing", "US", "returns", ["open-box", "missing-accessory"], "coffee",
      ["Open-box item missing accessories", "Open-box Excellent but missing parts"],
      [("c", "I bought an Open-box Excellent {item} (order {order}) and it's missing the milk frother and the water filter. The listing said all original accessories."),
       ("a", "Hi {first}, {agent} here. You're right, Open-box Excellent should include all original accessories. I can send the missing frother and filter at no cost (3-5 business days), or if you prefer you can return it under the normal return policy for a full refund."),
       ("c", "Just send the parts, thanks."),],
      "Open-box Excellent item missing accessories; missing parts shipped free.",
      n=2, channels=("chat", "email"), order_age=(3, 10), priority="normal", csat=(4, 5)))

add(S("us_multiple_charges", "US", "payments", ["charges", "split-shipment", "authorization"], "desk",
      ["Charged three times for one order", "Multiple charges on my card"],
      [("c", "I see three different charges from Tiendalia on my card for order {order}. Did you charge me multiple times?!"),
       ("a", "Hi {first}, I'm {agent}. No worries, you haven't been overcharged. Your order shipped in three separate boxes, one per item, and we capture payment when each box ships, so you see one charge per box. The three add up to the order total of {total}. The initial pending authorization will drop off in 1-5 business days."),
       ("c", "Ah, that makes sense. Thanks.")],
      "Explained split-shipment charges (one capture per box) adding up to the order total.",
      n=3, channels=("chat", "email"), order_age=(2, 6), priority="normal", csat=(4, 5), extra_items=2,
      openers=[("WHY ARE THERE 3 CHARGES ON MY CARD?? I placed ONE order. Fix this now or I'm calling my bank.", {"priority": "high", "csat": (3, 5)})]))

add(S("us_cancel_preparing", "US", "order_changes", ["cancellation", "order-preparing"], "airfryer",
      ["Cancel my order please", "Cancel order {order}"],
      [("c", "Please cancel order {order}, I ordered the wrong model. The app only gives me a 'Request cancellation' button."),
       ("a", "Hi {first}, {agent} here. Your order is already in 'Preparing', which is why you see Request cancellation. I've sent the request to the warehouse; we confirm within 2 hours during warehouse hours."),
       ("c", "Ok."),
       ("a", "Good news: the warehouse stopped it before shipping. The order is cancelled and the card authorization will be released in 1-5 business days.")],
      "Cancellation requested while Preparing; warehouse stopped shipment, order cancelled and authorization released.",
      n=3, channels=("chat", "email"), order_status="cancelled", order_age=(0, 1), priority="normal", csat=(5, 5), open_cut=2, open_share=0.3))

add(S("us_gift_card_scam", "US", "payments", ["gift-card", "scam", "fraud"], None,
      ["Gift card scam - can I get my money back?", "Someone made me buy gift cards"],
      [("c", "Someone called saying they were from the IRS and I had to pay with Tiendalia gift cards. I bought $400 in cards and read them the codes. I think it was a scam. Can you stop them?"),
       ("a", "Hi {first}, I'm {agent}. I'm so sorry this happened. I checked the four codes: three were already redeemed, but one ($100) had not been used yet, so I've blocked it and issued a new code to your email. Unfortunately we can't recover balances already redeemed by someone else. Please report it to the FTC at reportfraud.ftc.gov and to your local police; we'll cooperate with any investigation."),
       ("c", "Thank you for saving at least some of it."),],
      "Gift card scam: one unredeemed $100 card blocked and reissued; redeemed balances can't be recovered. Customer directed to the FTC and police.",
      n=2, channels=("phone", "chat"), needs_order=False, priority="urgent", csat=(3, 4)))

add(S("us_plus_late_2day", "US", "loyalty", ["tiendalia-plus", "2-day", "late-delivery", "points"], "luma-speaker",
      ["2-Day shipping arrived in 5 days", "Plus 2-day delivery late"],
      [("c", "I pay for Plus and my 2-Day order {order} took 5 days. What am I paying for?"),
       ("a", "Hi {first}, {agent} here. I'm sorry, UPS had a hub delay in your area. When a Plus 2-Day delivery arrives late because of us, we add 500 bonus points ($5). They're in your account now."),
       ("c", "Fine. Thanks.")],
      "Late Plus 2-Day delivery; 500 bonus points added.",
      n=2, channels=("chat",), customer_filter={"tier": "plus"}, order_age=(5, 8), csat=(3, 4)))

add(S("us_speaker_dorm", "US", "product_support", ["luma-speaker", "wifi", "captive-portal"], "luma-speaker",
      ["Luma Speaker won't connect to dorm Wi-Fi", "Speaker setup fails on campus network"],
      [("c", "Trying to set up my {item} in my dorm. The campus Wi-Fi needs a login page and the speaker never connects."),
       ("a", "Hi {first}, {agent} here. Unfortunately Luma Speaker doesn't support networks that require a browser login page or WPA2-Enterprise, which most campus networks use. Many universities have a separate network for gaming consoles and smart devices where you register the device's MAC address; check your IT department's website. The MAC address is on the bottom of the speaker and in the app during setup."),
       ("c", "Found it, they have a 'devices' network. Registered and it works!")],
      "Campus Wi-Fi uses a captive portal; speaker registered on the university's device network via MAC address.",
      n=2, channels=("chat", "email"), order_age=(2, 10), priority="low", csat=(5, 5)))
