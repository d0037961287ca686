package web

import "github.com/tocsin/tocsin"

// catalog holds every text of the pages, in English and Spanish.
type catalog map[string][2]string

// text returns key in lang, falling back to English, then to the key itself
// (a test checks that every key a template uses exists in both languages).
func (c catalog) text(lang tocsin.Language, key string) string {
	t, ok := c[key]
	if !ok {
		return key
	}
	if lang == tocsin.Spanish && t[1] != "" {
		return t[1]
	}
	return t[0]
}

// newCatalog builds the catalog. It is a function, not a package variable,
// so nothing can change it for every request.
func newCatalog() catalog {
	c := catalog{
		"nav.report":    {"Report activity", "Reportar actividad"},
		"nav.subscribe": {"Get alerts", "Recibir alertas"},
		"nav.privacy":   {"What we store", "Qué guardamos"},
		"nav.console":   {"Console", "Consola"},
		"footer.text":   {"A community alert network. We keep no names, addresses or IP addresses of the people we serve.", "Una red comunitaria de alertas. No guardamos nombres, direcciones ni direcciones IP de las personas a quienes servimos."},
		"form.fix":      {"Please correct the marked fields.", "Por favor corrige los campos marcados."},

		"formerror.toolarge":        {"The form is too large", "El formulario es demasiado grande"},
		"formerror.toolarge.text":   {"What you sent is larger than this form accepts, so nothing was saved. Go back, shorten it and send it again.", "Lo que enviaste es más grande de lo que acepta este formulario, así que no se guardó nada. Vuelve atrás, acórtalo y envíalo de nuevo."},
		"formerror.unreadable":      {"The form could not be read", "No se pudo leer el formulario"},
		"formerror.unreadable.text": {"What you sent is not a form this page can read, so nothing was saved. Go back and send it again.", "Lo que enviaste no es un formulario que esta página pueda leer, así que no se guardó nada. Vuelve atrás y envíalo de nuevo."},

		"home.title":  {"Community alerts", "Alertas comunitarias"},
		"home.h1":     {"Community rapid-response alerts", "Alertas comunitarias de respuesta rápida"},
		"home.intro":  {"Neighbours report immigration-enforcement activity; trained volunteers check each report; everyone subscribed for the area gets a text message within minutes.", "Los vecinos reportan actividad de control migratorio; voluntarios capacitados verifican cada reporte; quienes están suscritos en la zona reciben un mensaje de texto en minutos."},
		"home.sms":    {"No data? Text JOIN and your ZIP code (for example JOIN 90210) to our number. Text STOP at any time to end.", "¿Sin datos? Envía ALTA y tu código postal (por ejemplo ALTA 90210) a nuestro número. Envía ALTO cuando quieras para terminar."},
		"home.recent": {"Recent alerts", "Alertas recientes"},
		"home.none":   {"No alerts have been sent recently.", "No se han enviado alertas recientemente."},

		"alert.title":       {"Alert", "Alerta"},
		"alert.confirmed":   {"Confirmed", "Confirmada"},
		"alert.unconfirmed": {"Unconfirmed", "Sin confirmar"},
		"alert.allclear":    {"All clear", "Todo despejado"},
		"alert.valid":       {"Valid until", "Válida hasta"},
		"alert.genuine":     {"This alert was sent by this service. A text that claims to come from us but whose Ref code is not on this site was not sent by us.", "Esta alerta fue enviada por este servicio. Un mensaje que dice venir de nosotros pero cuyo código Ref no está en este sitio no lo enviamos nosotros."},

		"alert.log":          {"In the public log", "En el registro público"},
		"alert.log.verified": {"This alert is in the public transparency log: its inclusion proof checks against the latest checkpoint signed with the log's key.", "Esta alerta está en el registro público de transparencia: su prueba de inclusión se verifica con el último punto de control firmado con la clave del registro."},
		"alert.log.entry":    {"Entry", "Entrada"},
		"alert.log.size":     {"of a log of", "de un registro de"},
		"alert.log.proof":    {"Inclusion proof (RFC 6962)", "Prueba de inclusión (RFC 6962)"},
		"alert.log.check":    {"Check it without trusting this site:", "Verifícalo sin confiar en este sitio:"},

		"unlogged.title": {"Not in the public log", "No está en el registro público"},
		"unlogged.text":  {"No alert with this reference is in our signed public transparency log, so this site does not show it as sent by us. If a text message brought you here, treat it as fake: do not follow its instructions or links. If an alert was sent in the last minute, reload this page shortly.", "Ninguna alerta con este código está en nuestro registro público de transparencia firmado, así que este sitio no la muestra como enviada por nosotros. Si un mensaje de texto te trajo aquí, trátalo como falso: no sigas sus instrucciones ni enlaces. Si se envió una alerta hace un minuto, vuelve a cargar esta página en un momento."},

		"notfound.title": {"Not found", "No encontrado"},
		"notfound.text":  {"There is nothing here. If you followed a link from a text message that claims to come from us, that message may be fake.", "Aquí no hay nada. Si seguiste un enlace de un mensaje que dice venir de nosotros, ese mensaje puede ser falso."},

		"report.title":      {"Report activity", "Reportar actividad"},
		"report.intro":      {"Tell us what you see. You do not need an account, and we keep nothing that identifies you.", "Dinos lo que ves. No necesitas cuenta y no guardamos nada que te identifique."},
		"report.category":   {"What did you see?", "¿Qué viste?"},
		"report.zip":        {"ZIP code", "Código postal"},
		"report.locate":     {"Use my location", "Usar mi ubicación"},
		"report.place":      {"Where exactly (cross streets, landmark)", "Dónde exactamente (calles, referencia)"},
		"report.place.hint": {"Main St and 3rd Ave", "Main St y 3rd Ave"},
		"report.when":       {"When did you see it?", "¿Cuándo lo viste?"},
		"report.now":        {"Just now", "Ahora mismo"},
		"report.desc":       {"What is happening (size, activity, uniforms, vehicles)", "Qué está pasando (cuántos, actividad, uniformes, vehículos)"},
		"report.desc.hint":  {"About 6 agents in vests stopping cars, two white vans", "Unos 6 agentes con chalecos parando carros, dos camionetas blancas"},
		"report.photo":      {"Photo (optional; location and camera data are removed)", "Foto (opcional; se borran la ubicación y los datos de la cámara)"},
		"report.privacy":    {"We do not keep your IP address, your device or your phone number with a report. Reports are deleted after a few hours.", "No guardamos tu dirección IP, tu dispositivo ni tu teléfono con el reporte. Los reportes se borran después de unas horas."},
		"report.send":       {"Send report", "Enviar reporte"},
		"report.thanks":     {"Thank you. Your report was received; volunteers check every report before any alert goes out.", "Gracias. Recibimos tu reporte; voluntarios verifican cada reporte antes de enviar una alerta."},
		"report.toolarge":   {"The form is too large: the photo must be under 8 MB.", "El formulario es demasiado grande: la foto debe pesar menos de 8 MB."},

		"cat.checkpoint": {"Checkpoint", "Retén / punto de control"},
		"cat.raid":       {"Raid", "Redada"},
		"cat.vehicle":    {"Vehicles", "Vehículos"},
		"cat.detention":  {"Detention", "Detención"},
		"cat.other":      {"Other", "Otro"},

		"subscribe.title":   {"Get alerts", "Recibir alertas"},
		"subscribe.intro":   {"Get a text message when activity is confirmed near you. We send you a code to confirm the number is yours.", "Recibe un mensaje cuando se confirme actividad cerca de ti. Te enviamos un código para confirmar que el número es tuyo."},
		"subscribe.phone":   {"Mobile number", "Número de celular"},
		"subscribe.zips":    {"ZIP codes (up to 5)", "Códigos postales (hasta 5)"},
		"subscribe.point":   {"Or a place and a radius", "O un lugar y un radio"},
		"subscribe.radius":  {"Radius in metres", "Radio en metros"},
		"subscribe.lang":    {"Language of the texts", "Idioma de los mensajes"},
		"subscribe.privacy": {"Your number is encrypted the moment it arrives, and only the sending service can read it. Text STOP at any time.", "Tu número se cifra en cuanto llega y solo el servicio de envío puede leerlo. Envía ALTO cuando quieras."},
		"subscribe.send":    {"Send me a code", "Envíame un código"},
		"confirm.intro":     {"If this number can receive texts, a 6-digit code is on its way. Type it here within 15 minutes.", "Si este número puede recibir mensajes, va en camino un código de 6 dígitos. Escríbelo aquí en los próximos 15 minutos."},
		"confirm.code":      {"Code", "Código"},
		"confirm.send":      {"Confirm", "Confirmar"},
		"confirm.done":      {"You are subscribed. A welcome text is on its way.", "Ya estás suscrito. Va en camino un mensaje de bienvenida."},

		// A number the SMS policy refuses (subscribe.go).
		"subscribe.region":         {"This service only texts numbers in %s.", "Este servicio solo envía mensajes a números de %s."},
		"subscribe.us_territories": {"the US and its territories", "Estados Unidos y sus territorios"},
		"subscribe.number_type":    {"We cannot text this kind of number (premium-rate, toll-free, landline or pager). Use a mobile number.", "No podemos enviar mensajes a este tipo de número (de tarificación especial, gratuito, fijo o localizador). Usa un número de celular."},

		"privacy.title":           {"What we store", "Qué guardamos"},
		"privacy.intro":           {"What we never stored cannot be leaked, hacked or seized. This is everything we keep.", "Lo que nunca guardamos no se puede filtrar, robar ni confiscar. Esto es todo lo que guardamos."},
		"privacy.reports":         {"Reports", "Reportes"},
		"privacy.reports.kept":    {"We keep the category, your description, the place rounded to about 150 metres (or the ZIP code), the time rounded to the minute, and a photo with every piece of metadata removed.", "Guardamos la categoría, tu descripción, el lugar redondeado a unos 150 metros (o el código postal), la hora redondeada al minuto y una foto sin ningún metadato."},
		"privacy.reports.notkept": {"We never keep your IP address, browser, device, phone number or any account: there is none.", "Nunca guardamos tu dirección IP, navegador, dispositivo, número de teléfono ni ninguna cuenta: no hay cuentas."},
		"privacy.reports.expire":  {"Reports expire after a few hours; then their photo is deleted.", "Los reportes vencen después de unas horas; entonces se borra su foto."},
		"privacy.subs":            {"Subscriptions", "Suscripciones"},
		"privacy.subs.sealed":     {"Your phone number is the only personal datum we hold. It is encrypted to a key that only the sending service has; the public website cannot read it.", "Tu número es el único dato personal que tenemos. Se cifra con una clave que solo tiene el servicio de envío; el sitio web público no puede leerlo."},
		"privacy.subs.hash":       {"To recognise STOP we keep a keyed fingerprint of the number, whose key also stays with the sending service.", "Para reconocer ALTO guardamos una huella del número con clave, que también se queda en el servicio de envío."},
		"privacy.subs.stop":       {"We keep the ZIP codes or the place you follow, and your language. Text STOP and nothing more is sent.", "Guardamos los códigos postales o el lugar que sigues y tu idioma. Envía ALTO y no se envía nada más."},
		"privacy.logs":            {"Logs", "Registros"},
		"privacy.bait":            {"Traps for intruders", "Trampas para intrusos"},
		"privacy.bait.text":       {"We leave fake keys, fake files and fake accounts where only someone breaking in would look. When one is used we keep the IP address, browser and a few headers of that request, for 30 days, to trace the intruder. No page, form or text message you use is one of them.", "Dejamos claves, archivos y cuentas falsas donde solo miraría alguien que entra sin permiso. Cuando se usa una, guardamos la dirección IP, el navegador y algunos encabezados de esa solicitud, durante 30 días, para rastrear al intruso. Ninguna página, formulario o mensaje que usted usa es una de ellas."},
		"privacy.logs.text":       {"Our logs never contain phone numbers, IP addresses or report text. Operators' actions are recorded in an audit trail.", "Nuestros registros nunca contienen números de teléfono, direcciones IP ni el texto de los reportes. Las acciones de los operadores quedan en un registro de auditoría."},

		"login.title":     {"Operator login", "Acceso de operadores"},
		"login.username":  {"Name", "Nombre"},
		"login.password":  {"Password", "Contraseña"},
		"login.next":      {"Next", "Siguiente"},
		"login.code":      {"Code from your authenticator app", "Código de tu app de autenticación"},
		"login.submit":    {"Log in", "Entrar"},
		"login.bad":       {"Wrong name or password.", "Nombre o contraseña incorrectos."},
		"login.badcode":   {"That code is not right, or was already used.", "Ese código no es correcto o ya se usó."},
		"login.locked":    {"Too many failed attempts. Try again in", "Demasiados intentos fallidos. Intenta de nuevo en"},
		"login.badboth":   {"Wrong name, password or code.", "Nombre, contraseña o código incorrectos."},
		"login.needcode":  {"This account has had many failed log-ins. Enter the code from your authenticator app together with your password.", "Esta cuenta tuvo muchos intentos fallidos. Escribe el código de tu app de autenticación junto con tu contraseña."},
		"enrol.title":     {"Set up your operator account", "Configura tu cuenta de operador"},
		"enrol.step1":     {"Add this account to an authenticator app (scan the code or type the secret).", "Agrega esta cuenta a una app de autenticación (escanea el código o escribe el secreto)."},
		"enrol.secret":    {"Secret:", "Secreto:"},
		"enrol.step2":     {"Choose a password of at least 12 characters and type the current code from the app.", "Elige una contraseña de al menos 12 caracteres y escribe el código actual de la app."},
		"enrol.password2": {"Password again", "Repite la contraseña"},
		"enrol.submit":    {"Finish", "Terminar"},
		"console.logout":  {"Log out", "Salir"},

		"queue.title":      {"Report queue", "Cola de reportes"},
		"queue.all":        {"All", "Todos"},
		"queue.when":       {"Seen", "Visto"},
		"queue.what":       {"What", "Qué"},
		"queue.where":      {"Where", "Dónde"},
		"queue.state":      {"State", "Estado"},
		"queue.photo":      {"Photo", "Foto"},
		"queue.nearby":     {"nearby reports", "reportes cercanos"},
		"queue.empty":      {"No reports.", "No hay reportes."},
		"queue.compose":    {"Compose alert from selected", "Redactar alerta con los seleccionados"},
		"state.new":        {"New", "Nuevo"},
		"state.verified":   {"Verified", "Verificado"},
		"state.false":      {"False", "Falso"},
		"state.duplicate":  {"Duplicate", "Duplicado"},
		"state.expired":    {"Expired", "Vencido"},
		"action.verified":  {"Verify", "Verificar"},
		"action.false":     {"Mark false", "Marcar falso"},
		"action.duplicate": {"Duplicate", "Duplicado"},

		"alerts.title":  {"Alerts", "Alertas"},
		"alerts.text":   {"Text", "Texto"},
		"alerts.counts": {"Recipients / sent / failed", "Destinatarios / enviados / fallidos"},
		"alerts.signed": {"Signed / needed", "Firmas / necesarias"},
		"alerts.howto":  {"An alert goes out when enough operators have signed exactly what it says, each with their own key:", "Una alerta sale cuando suficientes operadores han firmado exactamente lo que dice, cada uno con su propia clave:"},

		"verify.title":   {"Is this message real?", "¿Es real este mensaje?"},
		"verify.intro":   {"Paste a text message that claims to come from us. We check it against every alert in our signed public transparency log, which holds every alert we have sent.", "Pega un mensaje de texto que dice venir de nosotros. Lo comparamos con cada alerta de nuestro registro público de transparencia firmado, que contiene cada alerta que hemos enviado."},
		"verify.logged":  {"It is in our signed public transparency log, checked against the log's public key: entry", "Está en nuestro registro público de transparencia firmado, verificado con la clave pública del registro: entrada"},
		"verify.paste":   {"The message", "El mensaje"},
		"verify.check":   {"Check", "Verificar"},
		"verify.empty":   {"Paste the text of the message (at most 2,000 characters).", "Pega el texto del mensaje (hasta 2.000 caracteres)."},
		"verify.genuine": {"This alert was sent by this service.", "Esta alerta la envió este servicio."},
		"nav.verify":     {"Is this real?", "¿Es real?"},

		"audit.title":    {"Audit trail", "Registro de auditoría"},
		"audit.log":      {"Transparency log", "Registro de transparencia"},
		"audit.log.size": {"Entries under the latest signed checkpoint:", "Entradas bajo el último punto de control firmado:"},
		"audit.log.none": {"No checkpoint yet: the sender signs one when it starts.", "Aún no hay punto de control: el remitente firma uno al arrancar."},
		"audit.verify":   {"Check the whole trail against the heads committed in the log:", "Verifica todo el registro contra las cabezas guardadas en el registro público:"},
		"audit.filter":   {"Action, actor or subject", "Acción, actor o asunto"},
		"audit.apply":    {"Filter", "Filtrar"},
		"audit.actor":    {"Who", "Quién"},
		"audit.action":   {"Action", "Acción"},

		"security.title":    {"Security", "Seguridad"},
		"security.frozen":   {"Outbound messaging is FROZEN: nothing is sent.", "El envío de mensajes está CONGELADO: no se envía nada."},
		"security.running":  {"Outbound messaging is running.", "El envío de mensajes está activo."},
		"security.freeze":   {"Freeze all outbound messaging", "Congelar todo envío de mensajes"},
		"security.unfreeze": {"Unfreezing needs signatures from several operators:", "Descongelar necesita firmas de varios operadores:"},
		"security.orders":   {"Freeze orders", "Órdenes de congelación"},
		"security.order":    {"Order", "Orden"},
		"security.events":   {"Security events", "Eventos de seguridad"},
		"security.kind":     {"Kind", "Tipo"},
		"security.subject":  {"Subject", "Asunto"},
		"security.detail":   {"What happened", "Qué pasó"},
		"security.none":     {"No security events.", "No hay eventos de seguridad."},
		"security.severity": {"Severity", "Gravedad"},
		"security.from":     {"From (requests to bait only)", "Desde (solo solicitudes a cebos)"},

		"canaries.title":     {"Canaries", "Canarios"},
		"canaries.intro":     {"Bait for intruders: each looks like the real thing, answers with phony data, and raises a security event with the request's details when used.", "Cebos para intrusos: cada uno parece real, responde con datos falsos y genera un evento de seguridad con los datos de la solicitud cuando se usa."},
		"canaries.keys":      {"Canary API keys", "Claves de API canario"},
		"canaries.operators": {"Canary operator accounts", "Cuentas de operador canario"},
		"canaries.decoys":    {"Decoy URLs", "URL señuelo"},
		"canaries.subs":      {"Canary subscribers live in the sender's directory only: list them with tocsin canary list --sender-data DIR.", "Los suscriptores canario solo están en el directorio del remitente: tocsin canary list --sender-data DIR."},
		"canaries.name":      {"Name", "Nombre"},
		"canaries.created":   {"Created", "Creada"},
		"canaries.used":      {"Last used", "Último uso"},
		"canaries.hits":      {"Events", "Eventos"},
		"canaries.newkey":    {"Create a canary API key", "Crear una clave de API canario"},
		"canaries.newop":     {"Create a canary operator account", "Crear una cuenta de operador canario"},
		"canaries.shown":     {"Canary key (shown once): leave it where an intruder would look.", "Clave canario (se muestra una vez): déjela donde miraría un intruso."},
		"canaries.none":      {"None yet.", "Ninguna todavía."},

		"notices.title":   {"Incident notices", "Avisos de incidentes"},
		"notices.intro":   {"What happened, in plain words, from the people who run this service.", "Qué pasó, en palabras sencillas, de quienes gestionan este servicio."},
		"notices.none":    {"No incident notices.", "No hay avisos de incidentes."},
		"notices.publish": {"Draft a notice", "Redactar un aviso"},
		"notices.signed":  {"A notice speaks in the service's name: it is published only once as many operators have signed it as an alert to everyone needs, and only in the transparency log. Each signs with:", "Un aviso habla en nombre del servicio: se publica solo cuando lo han firmado tantos operadores como necesita una alerta a todos, y solo en el registro de transparencia. Cada uno firma con:"},
		"notices.state":   {"State", "Estado"},
		"notices.titleen": {"Title (English)", "Título (inglés)"},
		"notices.titlees": {"Title (Spanish)", "Título (español)"},
		"notices.bodyen":  {"What happened (English)", "Qué pasó (inglés)"},
		"notices.bodyes":  {"What happened (Spanish)", "Qué pasó (español)"},
		"notices.by":      {"Drafted by", "Redactado por"},
		"notices.latest":  {"Incident notice:", "Aviso de incidente:"},
		"alerts.none":     {"No alerts yet.", "Todavía no hay alertas."},

		"compose.title":       {"Compose alert", "Redactar alerta"},
		"compose.en":          {"English text", "Texto en inglés"},
		"compose.es":          {"Spanish text", "Texto en español"},
		"compose.segments":    {"segment(s)", "segmento(s)"},
		"compose.gsm":         {"Cheaper GSM-7 version:", "Versión GSM-7 más barata:"},
		"compose.zips":        {"Target ZIP codes", "Códigos postales"},
		"compose.circle":      {"Or a circle", "O un círculo"},
		"compose.ttl":         {"Valid for (minutes)", "Válida por (minutos)"},
		"compose.reaches":     {"This alert reaches", "Esta alerta llega a"},
		"compose.subscribers": {"subscribers.", "suscriptores."},
		"compose.preview":     {"Preview", "Vista previa"},
		"compose.save":        {"Save draft for approval", "Guardar borrador para aprobar"},
	}
	for k, v := range operatorCatalog() {
		c[k] = v
	}
	return c
}
