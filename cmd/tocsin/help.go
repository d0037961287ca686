package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// verbs lists the subcommands of each command that has them, as typed
// after the command ("subscriber add"). "tocsin X --help" lists them, and
// the test that walks the command tree asks each for its help.
func verbs() map[string][]string {
	return map[string][]string{
		"key":      {"new"},
		"roster":   {"show", "propose", "sign"},
		"alert":    {"list", "show", "approve"},
		"notice":   {"show", "approve"},
		"operator": {"add"},
		"audit":    {"verify"},
		"canary":   {"subscriber add", "subscriber list", "apikey new", "operator add", "list"},
		"apikey":   {"new", "list", "revoke"},
		"incident": {"iocs", "report"},
	}
}

// verbOf returns the subcommand args start with, or "".
func verbOf(args []string, vs []string) string {
	for _, v := range vs {
		words := strings.Fields(v)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return v
		}
	}
	return ""
}

// commandUsage answers "tocsin X --help" for a command with subcommands.
func commandUsage(w io.Writer, c command, vs []string) {
	fmt.Fprintf(w, "Usage: tocsin %s <subcommand> [flags]\n\n%s.\n\nSubcommands:\n", c.name, c.summary)
	for _, v := range vs {
		fmt.Fprintf(w, "  tocsin %s %s\n", c.name, v)
	}
	fmt.Fprintf(w, "\nRun 'tocsin %s <subcommand> --help' for its flags and environment variables.\n", c.name)
}
