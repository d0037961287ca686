package main

import (
	"flag"
	"slices"
	"strings"

	"github.com/tocsin/tocsin/internal/phone"
)

// smsNumbers is --sms-number: the service's public numbers, the ones people
// text JOIN, STOP, START and REPORT to, shown on the pages. The flag may be
// repeated, and each value may be a comma-separated list.
type smsNumbers []phone.Public

func (l *smsNumbers) String() string {
	s := make([]string, len(*l))
	for i, n := range *l {
		s[i] = n.E164()
	}
	return strings.Join(s, ",")
}

func (l *smsNumbers) Set(v string) error {
	ns, err := phone.ParsePublicList(v)
	if err != nil {
		return err
	}
	for _, n := range ns {
		if !slices.Contains(*l, n) {
			*l = append(*l, n)
		}
	}
	return nil
}

func (l *smsNumbers) register(fs *flag.FlagSet) {
	fs.Var(l, "sms-number", "the service's public number(s) in E.164 form (+13105550100), comma-separated or the flag repeated: the pages show them wherever they name a keyword (JOIN, STOP, START), each as a link that opens a text with the keyword typed")
}
