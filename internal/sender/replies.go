package sender

import (
	"fmt"

	"github.com/tocsin/tocsin"
)

// Reply keys. Each reply fits one GSM-7 segment where it can: the Spanish
// texts avoid á, í, ó and ú, which would force UCS-2.
const (
	rHelp        = "help"
	rJoined      = "joined"
	rStopped     = "stopped"
	rStarted     = "started"
	rStartNoArea = "start_no_area"
	rNoZIP       = "no_zip"
	rBadZIP      = "bad_zip"
	rUnknownZIP  = "unknown_zip"
	rTooManyZIPs = "too_many_zips"
	rLang        = "lang"
	rNoLang      = "no_lang"
	rReported    = "reported"
	rReportHow   = "report_how"
	rCode        = "code"
	rWelcome     = "welcome"
)

// replyText returns the reply for key in lang, formatted with args.
func replyText(name string, lang tocsin.Language, key string, args ...any) string {
	catalog := map[string][2]string{
		rHelp: {
			"%[1]s alerts: text JOIN + ZIP (JOIN 90210) to get alerts, REPORT + ZIP + what you see to report, LANG ES for Spanish, STOP to end. Msg&data rates may apply.",
			"Alertas %[1]s: envia ALTA + codigo postal (ALTA 90210) para recibir alertas, REPORTE + codigo + lo que ves para reportar, IDIOMA EN para ingles, ALTO para terminar.",
		},
		rJoined: {
			"%[1]s: you will get alerts for %[2]s. Alerts end with a Ref code you can check on our site. Reply STOP to end, HELP for help.",
			"%[1]s: recibiras alertas para %[2]s. Cada alerta termina con un codigo Ref que puedes verificar. Responde ALTO para terminar, AYUDA para ayuda.",
		},
		rStopped: {
			"%[1]s: you are unsubscribed and will get no more messages. Text START to come back.",
			"%[1]s: te diste de baja y no recibiras mas mensajes. Envia START para volver.",
		},
		rStarted: {
			"%[1]s: welcome back, alerts are on again. Reply STOP to end.",
			"%[1]s: bienvenido de nuevo, las alertas estan activas. Responde ALTO para terminar.",
		},
		rStartNoArea: {
			"%[1]s: text JOIN and your ZIP code, for example JOIN 90210, to get alerts.",
			"%[1]s: envia ALTA y tu codigo postal, por ejemplo ALTA 90210, para recibir alertas.",
		},
		rNoZIP: {
			"%[1]s: add your ZIP code, for example JOIN 90210.",
			"%[1]s: agrega tu codigo postal, por ejemplo ALTA 90210.",
		},
		rBadZIP: {
			"%[1]s: a ZIP code is 5 digits, for example JOIN 90210.",
			"%[1]s: un codigo postal tiene 5 digitos, por ejemplo ALTA 90210.",
		},
		rUnknownZIP: {
			"%[1]s: we do not know the ZIP code %[2]s. Check it and try again.",
			"%[1]s: no conocemos el codigo postal %[2]s. Revisalo e intenta de nuevo.",
		},
		rTooManyZIPs: {
			"%[1]s: you can follow at most %[2]d ZIP codes.",
			"%[1]s: puedes seguir hasta %[2]d codigos postales.",
		},
		rLang: {
			"%[1]s: you will get messages in English. Text LANG ES for Spanish.",
			"%[1]s: recibiras mensajes en espanol. Envia IDIOMA EN para ingles.",
		},
		rNoLang: {
			"%[1]s: text LANG EN for English or LANG ES for Spanish.",
			"%[1]s: envia IDIOMA ES para espanol o IDIOMA EN para ingles.",
		},
		rReported: {
			"%[1]s: thank you, your report was received. Volunteers check every report before any alert. We keep nothing that identifies you.",
			"%[1]s: gracias, recibimos tu reporte. Voluntarios verifican cada reporte antes de alertar. No guardamos nada que te identifique.",
		},
		rReportHow: {
			"%[1]s: text REPORT, the ZIP code and what you see, for example REPORT 90210 checkpoint at Main St and 3rd.",
			"%[1]s: envia REPORTE, el codigo postal y lo que ves, por ejemplo REPORTE 90210 reten en Main St y 3rd.",
		},
		rCode: {
			"%[1]s: your confirmation code is %[2]s. It expires in 15 minutes. If you did not ask for it, ignore this message.",
			"%[1]s: tu codigo de confirmacion es %[2]s. Vence en 15 minutos. Si no lo pediste, ignora este mensaje.",
		},
		rWelcome: {
			"%[1]s: you are subscribed to alerts. Alerts end with a Ref code you can check on our site. Reply STOP to end, HELP for help.",
			"%[1]s: estas suscrito a las alertas. Cada alerta termina con un codigo Ref que puedes verificar. Responde ALTO para terminar.",
		},
	}
	texts, ok := catalog[key]
	if !ok {
		texts = catalog[rHelp]
	}
	i := 0
	if lang == tocsin.Spanish {
		i = 1
	}
	return fmt.Sprintf(texts[i], append([]any{name}, args...)...)
}
