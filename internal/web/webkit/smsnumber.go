package webkit

import (
	"html/template"
)

// smsLink is one of the service's numbers as a page shows it: a link that
// opens a new text to it with a keyword typed in.
type smsLink struct {
	Sep  string       // what comes before it: "", ", " or " or "
	Href template.URL // sms:+13105550100?&body=JOIN%20
	Text string       // (310) 555-0100
}

// SMSLinks returns the service's numbers as links that open a text with
// body typed in, separated for a sentence in the page's language. Each
// href is built from a number in E.164 form (digits only) and the body
// percent-encoded (phone.Public.SMSURI), so it is safe as a URL: the
// template package would otherwise refuse the sms: scheme.
func (p *Page) SMSLinks(body string) []smsLink {
	out := make([]smsLink, len(p.SMS))
	for i, n := range p.SMS {
		out[i] = smsLink{Href: template.URL(n.SMSURI(body)), Text: n.String()}
		switch {
		case i == 0:
		case i == len(p.SMS)-1:
			out[i].Sep = " " + p.T("sms.or") + " "
		default:
			out[i].Sep = ", "
		}
	}
	return out
}
