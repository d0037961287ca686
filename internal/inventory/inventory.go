package inventory

// The components an incident can compromise, as responders name them.
// Some imply others: code on the web tier or the sender host can use the
// database credentials there, and whoever writes the database can read it.
const (
	DatabaseRead       = "database read"       // the database, a copy or a backup of it, read
	DatabaseWrite      = "database write"      // the database written (implies database read)
	WebTier            = "web tier"            // code run by the attacker in the web role or on its host
	SenderHost         = "sender host"         // code run on, or the disk of, the sender (its keys, its provider credentials)
	ProviderCredential = "provider credential" // the SMS provider's credentials or account (Twilio, Kannel)
	OperatorAccount    = "operator account"    // one operator's console session (password and second factor)
	ServerLogs         = "server logs"         // the process logs (slog)
)

// Components returns the component names Assess knows, for a caller to
// check what a responder typed.
func Components() []string {
	return []string{DatabaseRead, DatabaseWrite, WebTier, SenderHost, ProviderCredential, OperatorAccount, ServerLogs}
}

// implied returns the components that a compromise of c also gives.
func implied(c string) []string {
	switch c {
	case DatabaseWrite:
		return []string{DatabaseRead}
	case WebTier, SenderHost:
		return []string{DatabaseRead, DatabaseWrite}
	}
	return nil
}

// Item is one kind of data tocsin holds (or deliberately does not),
// where, how it is protected, and which compromised component exposes it.
type Item struct {
	Data       string // what, e.g. "Subscriber phone numbers"
	Where      string // where it lives
	Protection string // how it is protected, or why it is not there at all
	ExposedIf  string // in words: what exposes it
	// By maps each component that exposes it to why; a component not in
	// By does not expose it.
	By map[string]string
	// Response is what to do once it is exposed, for the report's next steps.
	Response string
}

// allInOne is the caveat of everything the all-in-one "tocsin serve"
// keeps in one process and one data directory.
const allInOne = " With the all-in-one tocsin serve (the default) the web tier and the sender are one process and one data directory; only split roles on separate hosts keep them apart, and Assess assumes the default."

// Default describes what tocsin stores, as the BRIEF and
// docs/threat-model.md say it does. It is conservative: when exposure
// depends on how the instance is deployed, it assumes the all-in-one
// default, and it counts what an attacker could watch while in control, not
// only what is stored.
func Default() []Item {
	return append(personalData(), secrets()...)
}

func personalData() []Item {
	return []Item{
		{
			Data:       "Subscriber phone numbers",
			Where:      "database (subscribers, sign-ups, queued texts: sealed); the SMS provider's message log; DATA/outbox.jsonl in the clear with the dev outbox provider",
			Protection: "sealed (X25519 sealed box) to the sender's public key the moment they arrive; equality look-ups by HMAC-SHA256 keyed with sender.key; only the sender holds sender.key; logs print them redacted",
			ExposedIf:  "sender.key is read (sender host, or the web tier with the all-in-one serve), numbers arrive while the attacker runs code on the web tier, or the provider's message log is read",
			By: map[string]string{
				SenderHost:         "sender.key opens every sealed number in the database, and the sender opens numbers to send.",
				WebTier:            "numbers that arrive while the attacker runs code there (sign-ups, inbound texts) are seen in the clear before they are sealed." + allInOne + " There, sender.key opens every number.",
				ProviderCredential: "the provider keeps every message with its recipient; its credentials can list them (Twilio's message log), so every number texted within the provider's retention is exposed.",
			},
			Response: "Tell subscribers what happened, in English and Spanish, and how to check a text at /verify. sender.key cannot be replaced without every subscriber signing up again; if it was read, say so.",
		},
		{
			Data:       "Subscription areas and languages",
			Where:      "database (ZIP codes, or a point snapped to a ~150 m cell, with a radius; language), linked to a subscriber id, not to a number",
			Protection: "no encryption; no number beside them, only the id of a sealed row",
			ExposedIf:  "the database is read",
			By: map[string]string{
				DatabaseRead: "areas are stored in the clear; without sender.key they belong to an unknown number, with it they place a person in a neighbourhood.",
			},
		},
		{
			Data:       "Who reported: names, IP addresses, user agents, the number of an SMS reporter",
			Where:      "nowhere in tocsin: no column for them, request logs hold method, route, status and duration only; an SMS report keeps nothing of the texter",
			Protection: "never collected or stored",
			ExposedIf:  "someone watches requests or texts as they arrive (web tier, sender host), or reads the provider's inbound message log",
			By: map[string]string{
				WebTier:            "tocsin stores none of it, but code running there sees the address and user agent of every request, reports included, while it runs.",
				SenderHost:         "the sender opens the number of each inbound text to handle it, so an attacker there sees who texts REPORT while they are there.",
				ProviderCredential: "the provider's log of inbound messages holds the number of everyone who texted the service, SMS reporters included.",
			},
		},
		{
			Data:       "Report contents: category, description, place text, photo, ~150 m cell, times to the minute",
			Where:      "database; after 6 hours description, place text and photo are cleared (category, cell and times stay)",
			Protection: "minimised (snapped place, times to the minute, photos re-encoded without metadata, expiry), not encrypted: operators must read them",
			ExposedIf:  "the database is read, or an operator's console is used",
			By: map[string]string{
				DatabaseRead:    "unexpired reports are readable in full; expired ones keep category, cell and times.",
				OperatorAccount: "the console shows reports to any operator.",
			},
		},
		{
			Data:       "Operator accounts: usernames, roles, password hashes, TOTP secrets, sessions",
			Where:      "database (operators, sessions, enrolments)",
			Protection: "passwords hashed with argon2id; session tokens stored hashed; TOTP secrets stored in the clear (the server must compute codes)",
			ExposedIf:  "the database is read, or the web tier runs the attacker's code",
			By: map[string]string{
				DatabaseRead: "TOTP secrets are in the clear, so every operator's second factor is lost; password hashes allow offline guessing (argon2id slows it).",
				WebTier:      "code there sees passwords and codes as operators type them, and live sessions.",
			},
			Response: "Re-enrol every operator's second factor and have them change passwords; end all sessions.",
		},
		{
			Data:       "Audit trail, security events and alert drafts",
			Where:      "database (audit hash chain, security_events, alerts)",
			Protection: "the audit chain is tamper-evident and its head committed to the transparency log; security events are not chained; no encryption",
			ExposedIf:  "the database is read, an operator's console is used, or the logs are read",
			By: map[string]string{
				DatabaseRead:    "who did what and when, unsent drafts and the security events are readable. Sent alerts are public anyway.",
				OperatorAccount: "the console shows security events and drafts.",
				ServerLogs:      "security events are also logged (kind, subject, detail); logs hold no numbers, addresses, report text or keys.",
			},
			Response: "Run tocsin audit verify and compare its head with one noted off the server: a database writer can also have edited them.",
		},
	}
}

func secrets() []Item {
	return []Item{
		{
			Data:       "sender.key (opens numbers, keys the number hashes, MACs the ledger)",
			Where:      "the sender's keys directory (DATA/keys with the all-in-one serve), and its offline backup",
			Protection: "file mode 0600, never in the database, never printed; the web role refuses to read it",
			ExposedIf:  "the sender host is compromised, or the web tier with the all-in-one serve",
			By: map[string]string{
				SenderHost: "it is a file there.",
				WebTier:    "it is a file of the same process." + allInOne,
			},
			Response: "sender.key cannot be rotated without losing every subscriber: decide with the operators whether to start over and ask everyone to subscribe again.",
		},
		{
			Data:       "SMS provider credentials (Twilio API key and auth token, Kannel sendsms password and hook secret)",
			Where:      "the sender's configuration (flags, TOCSIN_* environment, *_FILE files); the provider's own account",
			Protection: "held by the sender only (the web role refuses them); sending uses an API key, not the auth token",
			ExposedIf:  "the sender host or the provider account is compromised, or the web tier with the all-in-one serve",
			By: map[string]string{
				SenderHost:         "they are in its configuration.",
				WebTier:            "they are in the same process." + allInOne,
				ProviderCredential: "they are the credentials.",
			},
			Response: "Rotate the provider credentials (Twilio API key and secret and auth token; Kannel passwords and hook secret), then unfreeze with k-of-n signatures.",
		},
		{
			Data:       "log.key (signs transparency log checkpoints)",
			Where:      "the sender's keys directory",
			Protection: "held by the sender only; witnesses who saved a checkpoint catch a forked log",
			ExposedIf:  "the sender host is compromised, or the web tier with the all-in-one serve",
			By: map[string]string{
				SenderHost: "it is a file there.",
				WebTier:    "it is a file of the same data directory." + allInOne,
			},
			Response: "Make a new log key, publish the new log.pub everywhere the old one is, and ask witnesses to compare their saved checkpoints.",
		},
		{
			Data:       "web.key (form and CSRF tokens)",
			Where:      "the web role's keys directory",
			Protection: "a file, never in the database",
			ExposedIf:  "the web tier or, with the all-in-one serve, the sender host is compromised",
			By: map[string]string{
				WebTier:    "it is a file there.",
				SenderHost: "it is a file of the same data directory." + allInOne,
			},
			Response: "Replace web.key (open forms and pending sign-up codes stop working).",
		},
		{
			Data:       "Operator signing keys and the root key",
			Where:      "operators' own machines (passphrase-protected Ed25519 files); the root key offline; the server holds public keys only",
			Protection: "never on the server",
			ExposedIf:  "an operator's own machine or the offline medium is compromised: none of the server's components",
			By:         map[string]string{},
		},
	}
}
