package subscriber

import (
	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/replies"
)

// Reply keys. The texts are in internal/replies, which the web tier reads
// too, to recognise them at /verify.
const (
	RHelp        = string(replies.Help)
	RJoined      = string(replies.Joined)
	RStopped     = string(replies.Stopped)
	RStarted     = string(replies.Started)
	RStartNoArea = string(replies.StartNoArea)
	RNoZIP       = string(replies.NoZIP)
	RBadZIP      = string(replies.BadZIP)
	RUnknownZIP  = string(replies.UnknownZIP)
	RTooManyZIPs = string(replies.TooManyZIPs)
	RLang        = string(replies.Lang)
	RNoLang      = string(replies.NoLang)
	RReported    = string(replies.Reported)
	RReportHow   = string(replies.ReportHow)
	RCode        = string(replies.Code)
	RWelcome     = string(replies.Welcome)
)

// Reply returns the reply for key in lang, formatted with args.
func Reply(name string, lang tocsin.Language, key string, args ...any) string {
	return replies.Text(name, lang, replies.Key(key), args...)
}
