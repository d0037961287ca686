package sender

import (
	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/replies"
)

// Reply keys. The texts are in internal/replies, which the web tier reads
// too, to recognise them at /verify.
const (
	rHelp        = string(replies.Help)
	rJoined      = string(replies.Joined)
	rStopped     = string(replies.Stopped)
	rStarted     = string(replies.Started)
	rStartNoArea = string(replies.StartNoArea)
	rNoZIP       = string(replies.NoZIP)
	rBadZIP      = string(replies.BadZIP)
	rUnknownZIP  = string(replies.UnknownZIP)
	rTooManyZIPs = string(replies.TooManyZIPs)
	rLang        = string(replies.Lang)
	rNoLang      = string(replies.NoLang)
	rReported    = string(replies.Reported)
	rReportHow   = string(replies.ReportHow)
	rCode        = string(replies.Code)
	rWelcome     = string(replies.Welcome)
)

// replyText returns the reply for key in lang, formatted with args.
func replyText(name string, lang tocsin.Language, key string, args ...any) string {
	return replies.Text(name, lang, replies.Key(key), args...)
}
