package main

import (
	"flag"

	"github.com/tocsin/tocsin/internal/web/abuse"
)

// registerLimits adds the abuse limits' flags (docs/configuration.md,
// "Abuse limits").
func registerLimits(fs *flag.FlagSet, l *abuse.Limits) {
	d := abuse.DefaultLimits
	fs.IntVar(&l.SignupsPerHour, "signups-per-hour", d.SignupsPerHour, "web sign-ups per hour across the service before anonymous callers are asked for a proof of work")
	fs.IntVar(&l.SignupsPerAreaPerHour, "signups-per-area-per-hour", d.SignupsPerAreaPerHour, "web sign-ups per hour for one area (about 9 km across); more are refused")
	fs.IntVar(&l.SignupsPerPrefixPerHour, "signups-per-prefix-per-hour", d.SignupsPerPrefixPerHour, "web sign-ups per hour for one number prefix (the number less its last 4 digits); more are refused")
	fs.IntVar(&l.ReportsPerHour, "reports-per-hour", d.ReportsPerHour, "anonymous reports (form and API) per hour across the service before anonymous callers must solve a proof of work")
	fs.IntVar(&l.ReportsPerAreaPerHour, "reports-per-area-per-hour", d.ReportsPerAreaPerHour, "anonymous reports per hour for one area (about 9 km across); more are refused")
	fs.IntVar(&l.CodesPerHour, "codes-per-hour", d.CodesPerHour, "confirmation codes entered on the web per hour across the service before anonymous callers must solve a proof of work")
	fs.IntVar(&l.CodesPerAreaPerHour, "codes-per-area-per-hour", d.CodesPerAreaPerHour, "confirmation codes entered per hour for sign-ups of one area; more are refused")
	fs.IntVar(&l.APIKeyReportsPerHour, "api-key-reports-per-hour", d.APIKeyReportsPerHour, "reports per hour for one partner API key (keys skip the proof of work)")
	fs.IntVar(&l.PoWMaxNumber, "pow-max-number", d.PoWMaxNumber, "proof-of-work difficulty: a solver tries half this many SHA-256 hashes on average; -1 never asks for one and refuses instead")
}
