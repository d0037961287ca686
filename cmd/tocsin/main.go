// Command tocsin runs a community rapid-response alert network: the public
// site, the operator console and the sender, in one binary.
//
// Every subcommand takes its settings from flags or from TOCSIN_* environment
// variables (a flag wins). Secrets are never printed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/host"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/remote"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server (web and sender in one process, SQLite; --role web for the web role alone)", runServe},
		{"sender", "run the sender role alone (keys, provider, trust anchor; no public port)", runSender},
		{"init", "create the offline root key, the trust anchor and roster version 1", host.RunInit},
		{"key", "create your operator signing key (key new)", remote.RunKey},
		{"roster", "show, propose or sign a roster version (roster show|propose|sign)", host.RunRoster},
		{"alert", "list the alerts waiting for signatures, show or approve (sign) one (alert list|show|approve)", remote.RunAlert},
		{"notice", "show or approve (sign) an incident notice (notice show|approve ID)", remote.RunNotice},
		{"freeze", "stop all outbound messaging (any one operator)", remote.RunFreeze},
		{"unfreeze", "restart outbound messaging (needs several operators' signatures)", remote.RunUnfreeze},
		{"operator", "manage console operators (operator add)", host.RunOperator},
		{"doctor", "check a role's configuration for dangerous mistakes", runDoctor},
		{"audit", "check the audit trail's hash chain (audit verify)", host.RunAudit},
		{"verify", "check a server's transparency log and an alert's place in it", remote.RunVerify},
		{"canary", "create and list bait: canary subscribers, API keys and operator accounts (canary subscriber|apikey|operator|list)", host.RunCanary},
		{"apikey", "create, list or revoke keys to the report queue API (apikey new|list|revoke)", host.RunAPIKey},
		{"incident", "export an incident's indicators (STIX 2.1) or write its report (incident iocs|report)", host.RunIncident},
		{"version", "print the version", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `tocsin: a community rapid-response alert network.

Usage:
  tocsin <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'tocsin <command> --help' for a command's flags and environment variables.\n")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = []string{"version"}
	}
	for _, c := range commands() {
		if c.name == args[0] {
			rest, errw := args[1:], stderr
			if cmdline.WantsHelp(rest) {
				// Help goes to standard output, and a command asked for
				// it reads no data directory and calls no server.
				if vs := verbs()[c.name]; len(vs) > 0 && verbOf(rest, vs) == "" {
					commandUsage(stdout, c, vs)
					return 0
				}
				errw = stdout
			}
			err := c.run(ctx, rest, stdout, errw)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			default:
				fmt.Fprintf(stderr, "tocsin %s: %s\n", c.name, errorText(err))
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "tocsin: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errorText is what a person reads: the message of a tocsin error, or the
// error itself.
func errorText(err error) string {
	if tocsin.ErrorCode(err) != tocsin.EINTERNAL {
		return tocsin.ErrorMessage(err)
	}
	return err.Error()
}
