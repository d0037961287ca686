package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/alarm"
	"github.com/tocsin/tocsin/internal/sender"
)

// responseConfig is how the sender answers an intrusion: the operators'
// alarm channel, the auto-freeze rules and how long security events keep
// their network details.
type responseConfig struct {
	alarm         alarm.Config
	autoFreeze    string
	eventNetDays  int
	eventDays     int
	publicURLHint string // set by the caller: the site's public URL
}

func (c *responseConfig) register(fs *flag.FlagSet) {
	c.alarm.RegisterFlags(fs)
	fs.StringVar(&c.autoFreeze, "auto-freeze", "all", "what freezes outbound messaging at once: all, none, or a comma-separated list of "+fmt.Sprint(sender.Rules))
	fs.IntVar(&c.eventNetDays, "event-network-days", 30, "days the network details (address, user agent, headers) of security events are kept")
	fs.IntVar(&c.eventDays, "event-days", 365, "days security events are kept")
}

// apply checks the settings and puts them in the sender's configuration.
func (c *responseConfig) apply(cfg *sender.Config) error {
	rules, err := sender.ParseAutoFreeze(c.autoFreeze)
	if err != nil {
		return fmt.Errorf("--auto-freeze: %w", err)
	}
	if c.eventNetDays < 1 || c.eventDays < c.eventNetDays {
		return fmt.Errorf("--event-network-days must be at least 1 and --event-days at least as many (got %d and %d)", c.eventNetDays, c.eventDays)
	}
	if c.alarm.ConsoleURL == "" && c.publicURLHint != "" {
		c.alarm.ConsoleURL = c.publicURLHint + "/console/security"
	}
	n, err := alarm.New(c.alarm)
	if err != nil {
		return err
	}
	cfg.AutoFreeze, cfg.Alarm, cfg.PublicURL = rules, n, c.publicURLHint
	cfg.EventNetworkRetention = time.Duration(c.eventNetDays) * 24 * time.Hour
	cfg.EventRetention = time.Duration(c.eventDays) * 24 * time.Hour
	return nil
}
