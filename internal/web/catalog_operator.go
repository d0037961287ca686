package web

// operatorCatalog holds the texts of the console's navigation, its refusals,
// the freeze and the notices' editing, in English and Spanish.
func operatorCatalog() catalog {
	return catalog{
		"nav.consolemenu": {"Console", "Consola"},
		"nav.queue":       {"Queue", "Cola"},
		"nav.alerts":      {"Alerts", "Alertas"},
		"nav.compose":     {"Compose", "Redactar"},
		"nav.security":    {"Security", "Seguridad"},
		"nav.audit":       {"Audit", "Auditoría"},
		"nav.canaries":    {"Canaries", "Canarios"},
		"nav.notices":     {"Notices", "Avisos"},

		"forbidden.title":   {"Not allowed for your role", "Tu rol no permite esto"},
		"forbidden.triage":  {"Only dispatchers and administrators can change reports. Nothing was changed. If a report needs attention, tell a dispatcher.", "Solo despachadores y administradores pueden cambiar reportes. No se cambió nada. Si un reporte necesita atención, avisa a un despachador."},
		"forbidden.compose": {"Only dispatchers and administrators can compose alerts. Nothing was saved. Ask a dispatcher to write the alert.", "Solo despachadores y administradores pueden redactar alertas. No se guardó nada. Pide a un despachador que escriba la alerta."},
		"forbidden.freeze":  {"Only dispatchers and administrators can freeze messaging. Nothing was frozen. If something looks wrong, call a dispatcher or an administrator now.", "Solo despachadores y administradores pueden congelar el envío. No se congeló nada. Si algo parece mal, llama ahora a un despachador o a un administrador."},
		"forbidden.admin":   {"Only an administrator can do this. Nothing was changed. Ask an administrator.", "Solo un administrador puede hacer esto. No se cambió nada. Pide ayuda a un administrador."},
		"forbidden.other":   {"Your role does not allow this. Nothing was changed. Ask an administrator.", "Tu rol no permite esto. No se cambió nada. Pide ayuda a un administrador."},
		"forbidden.back":    {"Back to the console", "Volver a la consola"},
		"expired.title":     {"This form has expired", "Este formulario caducó"},
		"expired.text":      {"Nothing was done. Go back, reload the page and try again.", "No se hizo nada. Vuelve atrás, recarga la página e inténtalo de nuevo."},

		"freeze.title":         {"Freeze all outbound messaging?", "¿Congelar todo envío de mensajes?"},
		"freeze.explain":       {"A freeze stops every text at once: alerts, confirmation codes and replies. It needs no key and cannot harm anyone, so freeze whenever you suspect a break-in or a wrong alert.", "Congelar detiene todos los mensajes a la vez: alertas, códigos de confirmación y respuestas. No necesita clave y no daña a nadie, así que congela cuando sospeches una intrusión o una alerta equivocada."},
		"freeze.unfreeze":      {"Afterwards nothing is sent until operators sign an unfreeze with their keys (tocsin unfreeze). Signatures needed:", "Después no se envía nada hasta que operadores firmen un descongelamiento con sus claves (tocsin unfreeze). Firmas necesarias:"},
		"freeze.reason":        {"Why? (kept in the freeze order and the audit trail)", "¿Por qué? (queda en la orden y en el registro de auditoría)"},
		"freeze.reason.needed": {"Say in a few words why you freeze, so the others know what to check.", "Di en pocas palabras por qué congelas, para que los demás sepan qué revisar."},
		"freeze.reason.long":   {"The reason is too long: at most 300 characters.", "El motivo es demasiado largo: como máximo 300 caracteres."},
		"freeze.failed":        {"The freeze could not be saved. Try again at once; if it fails again, stop the sender process.", "No se pudo guardar la congelación. Inténtalo de nuevo ya; si vuelve a fallar, detén el proceso del remitente."},
		"freeze.confirm":       {"Freeze now", "Congelar ahora"},
		"freeze.cancel":        {"Cancel", "Cancelar"},
		"freeze.back":          {"See the security page", "Ver la página de seguridad"},
		"freeze.banner":        {"Outbound messaging is FROZEN: approved alerts wait and go out only after an unfreeze, if still valid then. Signatures an unfreeze needs:", "El envío está CONGELADO: las alertas aprobadas esperan y salen solo tras descongelar, si siguen vigentes. Firmas necesarias para descongelar:"},
		"freeze.banner.more":   {"Who has signed", "Quién ha firmado"},

		"security.since":          {"Frozen since", "Congelado desde"},
		"security.unfreeze.need":  {"An unfreeze takes effect with this many operators' signatures:", "Un descongelamiento surte efecto con las firmas de este número de operadores:"},
		"security.unfreeze.order": {"Unfreeze order", "Orden de descongelar"},
		"security.unfreeze.none":  {"No operator has signed an unfreeze yet.", "Ningún operador ha firmado todavía un descongelamiento."},
		"alerts.waits":            {"Frozen: waits for the unfreeze", "Congelado: espera al descongelamiento"},
	}
}
