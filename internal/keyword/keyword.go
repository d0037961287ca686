package keyword

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxBodyBytes is the longest body Parse looks at: 1600 bytes is the
// longest message US carriers and Twilio accept (10 concatenated segments).
// Longer bodies are Unknown with Problem TooLong.
const MaxBodyBytes = 1600

// MaxZIPs is how many distinct ZIP codes one JOIN may name.
const MaxZIPs = 5

// Kind is what an inbound message asks for.
type Kind int

// The kinds of command. Unknown is the zero value.
const (
	Unknown Kind = iota // not a keyword we know (or empty, or too long)
	Join                // subscribe to alerts for ZIPs
	Stop                // opt out of everything (carrier opt-out words)
	Start               // opt back in after a Stop
	Help                // send the help text
	Lang                // change the language of alerts and replies
	Report              // report an incident by text
)

var kindNames = [...]string{
	Unknown: "unknown",
	Join:    "join",
	Stop:    "stop",
	Start:   "start",
	Help:    "help",
	Lang:    "lang",
	Report:  "report",
}

// String returns the lower-case name of k ("join", "stop", ...).
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// Problem says why a recognised keyword could not be acted on as it stands.
// The caller should answer with a hint (for example "Reply JOIN and a 5-digit
// ZIP") rather than act.
type Problem int

// The problems. None is the zero value.
const (
	None        Problem = iota
	NoZIP               // JOIN without any ZIP code
	BadZIP              // JOIN with something that looks like a ZIP but is not 5 digits
	TooManyZIPs         // JOIN with more than MaxZIPs distinct ZIP codes
	NoLang              // LANG without a language, or with one we do not support
	NoText              // REPORT with nothing after it
	TooLong             // body longer than MaxBodyBytes (Kind is Unknown)
)

var problemNames = [...]string{
	None:        "none",
	NoZIP:       "no-zip",
	BadZIP:      "bad-zip",
	TooManyZIPs: "too-many-zips",
	NoLang:      "no-lang",
	NoText:      "no-text",
	TooLong:     "too-long",
}

// String returns a short lower-case name for p ("no-zip", ...).
func (p Problem) String() string {
	if p < 0 || int(p) >= len(problemNames) {
		return "Problem(" + strconv.Itoa(int(p)) + ")"
	}
	return problemNames[p]
}

// Command is a parsed inbound message.
type Command struct {
	Kind Kind
	// Lang is "es" if the keyword itself was Spanish (ALTA, ALTO, AYUDA,
	// IDIOMA, REPORTE, ...), "en" if it was English, and "" if the keyword is
	// the same in both languages (INFO) or the message is Unknown.
	Lang string
	// ZIPs: for Join, the 5-digit ZIP codes named, deduplicated, in the order
	// given (ZIP+4 is accepted and cut to 5 digits); for Report, the last
	// standalone 5-digit number in the text, if any.
	ZIPs []string
	// SetLang is "en" or "es": for Lang, the language asked for; for Join,
	// set only if a language word was given with the ZIPs ("ALTA 90210
	// ESPAÑOL").
	SetLang string
	// Category is set for Report only: checkpoint, raid, vehicle, detention
	// or other.
	Category string
	// Text is set for Report only: what follows the keyword (and the
	// category word, if one led the text), exactly as typed, trimmed.
	Text string
	// Problem is why a recognised keyword cannot be acted on; None if it can.
	Problem Problem
}

// Report categories, as used by the reports API.
const (
	CategoryCheckpoint = "checkpoint"
	CategoryRaid       = "raid"
	CategoryVehicle    = "vehicle"
	CategoryDetention  = "detention"
	CategoryOther      = "other"
)

type keywordInfo struct {
	kind Kind
	lang string
}

// keywords maps folded (lower-case, unaccented) first words to commands.
var keywords = map[string]keywordInfo{
	// Opt-in with ZIP codes.
	"join":   {Join, "en"},
	"alta":   {Join, "es"},
	"unirse": {Join, "es"},

	// Opt-out: the CTIA/Twilio standard words, REVOKE and OPTOUT (named by
	// the FCC's 2024 revocation rules), and Spanish equivalents.
	"stop":        {Stop, "en"},
	"stopall":     {Stop, "en"},
	"unsubscribe": {Stop, "en"},
	"cancel":      {Stop, "en"},
	"end":         {Stop, "en"},
	"quit":        {Stop, "en"},
	"revoke":      {Stop, "en"},
	"optout":      {Stop, "en"},
	"alto":        {Stop, "es"},
	"baja":        {Stop, "es"},
	"parar":       {Stop, "es"},
	"cancelar":    {Stop, "es"},

	// Opt back in.
	"start":  {Start, "en"},
	"unstop": {Start, "en"},
	"inicio": {Start, "es"},

	"help":  {Help, "en"},
	"info":  {Help, ""},
	"ayuda": {Help, "es"},

	"lang":     {Lang, "en"},
	"language": {Lang, "en"},
	"idioma":   {Lang, "es"},

	"report":   {Report, "en"},
	"reporte":  {Report, "es"},
	"reportar": {Report, "es"},
}

// languages maps folded language names to the codes tocsin supports.
var languages = map[string]string{
	"es":         "es",
	"esp":        "es",
	"espanol":    "es",
	"spanish":    "es",
	"castellano": "es",
	"en":         "en",
	"eng":        "en",
	"ingles":     "en",
	"english":    "en",
}

// categories maps folded category phrases (one to three words) to report
// categories. Spanish "otro/otra" is deliberately absent: "REPORTE otro
// retén" means "another checkpoint", and other is the default anyway.
var categories = map[string]string{
	"checkpoint":        CategoryCheckpoint,
	"checkpoints":       CategoryCheckpoint,
	"check point":       CategoryCheckpoint,
	"reten":             CategoryCheckpoint,
	"retenes":           CategoryCheckpoint,
	"punto de control":  CategoryCheckpoint,
	"puntos de control": CategoryCheckpoint,
	"raid":              CategoryRaid,
	"raids":             CategoryRaid,
	"redada":            CategoryRaid,
	"redadas":           CategoryRaid,
	"vehicle":           CategoryVehicle,
	"vehicles":          CategoryVehicle,
	"vehiculo":          CategoryVehicle,
	"vehiculos":         CategoryVehicle,
	"camioneta":         CategoryVehicle,
	"camionetas":        CategoryVehicle,
	"detention":         CategoryDetention,
	"detentions":        CategoryDetention,
	"arrest":            CategoryDetention,
	"arrests":           CategoryDetention,
	"detencion":         CategoryDetention,
	"detenciones":       CategoryDetention,
	"arresto":           CategoryDetention,
	"arrestos":          CategoryDetention,
	"other":             CategoryOther,
}

// maxCategoryWords is the longest phrase in categories.
const maxCategoryWords = 3

// token is a run of letters, digits and combining marks in the body.
type token struct {
	start, end int    // byte offsets into the body
	fold       string // lower-case, compatibility-decomposed, marks removed
}

// eagerFold is how many leading tokens tokenize folds: the keyword and its
// first arguments. The rest are folded only by the commands that need them,
// so a long REPORT costs little.
const eagerFold = 1 + maxCategoryWords

// foldAll folds the tokens tokenize left unfolded.
func foldAll(body string, toks []token) {
	for i := range toks {
		foldToken(body, &toks[i])
	}
}

func foldToken(body string, t *token) {
	if t.fold == "" {
		t.fold = fold(body[t.start:t.end])
	}
}

// Parse reads an inbound SMS body. It never fails: anything it does not
// understand is a Command of Kind Unknown.
func Parse(body string) Command {
	if len(body) > MaxBodyBytes {
		return Command{Kind: Unknown, Problem: TooLong}
	}
	toks := tokenize(body)
	if len(toks) == 0 {
		return Command{}
	}
	toks = splitGluedKeyword(body, toks)

	first := toks[0].fold
	kw, ok := keywords[first]
	if !ok && first == "opt" && len(toks) > 1 && toks[1].fold == "out" {
		kw, ok = keywordInfo{Stop, "en"}, true // "OPT OUT", "opt-out"
	}
	if !ok {
		return Command{}
	}
	cmd := Command{Kind: kw.kind, Lang: kw.lang}
	args := toks[1:]
	switch kw.kind {
	case Join:
		foldAll(body, args)
		parseJoin(&cmd, body, args)
	case Lang:
		if len(args) == 0 {
			cmd.Problem = NoLang
		} else if code, ok := languages[args[0].fold]; ok {
			cmd.SetLang = code
		} else {
			cmd.Problem = NoLang
		}
	case Report:
		parseReport(&cmd, body, toks[0].end, args)
	}
	return cmd
}

func parseJoin(cmd *Command, body string, args []token) {
	bad := false
	for i := 0; i < len(args); i++ {
		t := args[i]
		switch {
		case isDigits(t.fold):
			if len(t.fold) != 5 {
				bad = true
				continue
			}
			// ZIP+4: "90210-1234" counts as 90210.
			if i+1 < len(args) && isDigits(args[i+1].fold) && len(args[i+1].fold) == 4 &&
				args[i+1].start == t.end+1 && body[t.end] == '-' {
				i++
			}
			if !slices.Contains(cmd.ZIPs, t.fold) {
				cmd.ZIPs = append(cmd.ZIPs, t.fold)
			}
		case hasDigit(t.fold):
			bad = true // "9021O", "90210a"
		default:
			// Words are filler ("zip", "codigo postal", "and", "y"), except a
			// language name, which sets the language of the subscription.
			if code, ok := languages[t.fold]; ok && cmd.SetLang == "" {
				cmd.SetLang = code
			}
		}
	}
	switch {
	case bad:
		cmd.Problem = BadZIP
	case len(cmd.ZIPs) > MaxZIPs:
		cmd.Problem = TooManyZIPs
	case len(cmd.ZIPs) == 0:
		cmd.Problem = NoZIP
	}
}

func parseReport(cmd *Command, body string, textStart int, args []token) {
	cmd.Category = CategoryOther
	if len(args) == 0 {
		cmd.Problem = NoText
		return
	}
	// "REPORT 90210 checkpoint at Main" (the form the help text teaches):
	// a leading ZIP is the place, and the category may follow it.
	if raw := body[args[0].start:args[0].end]; len(raw) == 5 && isDigits(raw) {
		cmd.ZIPs = []string{raw}
		textStart = args[0].end
		args = args[1:]
		if len(args) == 0 {
			cmd.Problem = NoText
			return
		}
	}
	// A category phrase at the start is taken out of the text; try the
	// longest phrase first.
	for n := min(maxCategoryWords, len(args)); n >= 1; n-- {
		words := make([]string, n)
		for i := range n {
			words[i] = args[i].fold
		}
		if c, ok := categories[strings.Join(words, " ")]; ok {
			cmd.Category = c
			textStart = args[n-1].end
			args = args[n:]
			break
		}
	}
	cmd.Text = strings.ToValidUTF8(trimText(body[textStart:]), "\uFFFD")
	// Otherwise the ZIP is the last standalone 5-digit number: street
	// numbers tend to come before the ZIP in an address.
	for i := len(args) - 1; i >= 0 && len(cmd.ZIPs) == 0; i-- {
		if !hasDigit(body[args[i].start:args[i].end]) {
			continue
		}
		foldToken(body, &args[i])
		t := args[i].fold
		if len(t) == 5 && isDigits(t) {
			cmd.ZIPs = []string{t}
			break
		}
	}
}

// trimText trims whitespace and the separators people put after a keyword
// ("REPORT: ...", "REPORTE - ...") from the start of s, and whitespace from
// its end.
func trimText(s string) string {
	s = strings.TrimLeftFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(":;,.-–—|/>", r)
	})
	return strings.TrimRightFunc(s, unicode.IsSpace)
}

// tokenize splits body into runs of letters, digits and marks, folding each.
func tokenize(body string) []token {
	var toks []token
	start := -1
	for i, r := range body {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
		if inWord && start < 0 {
			start = i
		} else if !inWord && start >= 0 {
			toks = append(toks, token{start: start, end: i})
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, token{start: start, end: len(body)})
	}
	for i := range toks[:min(eagerFold, len(toks))] {
		foldToken(body, &toks[i])
	}
	return toks
}

// splitGluedKeyword splits a first word like "JOIN90210" or "alta90210"
// into the keyword and the number, when the letters are a keyword.
func splitGluedKeyword(body string, toks []token) []token {
	f := toks[0].fold
	i := strings.IndexFunc(f, func(r rune) bool { return r >= '0' && r <= '9' })
	if i <= 0 || !isDigits(f[i:]) {
		return toks
	}
	if _, ok := keywords[f[:i]]; !ok {
		return toks
	}
	// Find where the digits start in the original text (folding may have
	// changed byte lengths before them, e.g. "ÁLTA90210").
	raw := body[toks[0].start:toks[0].end]
	j := strings.IndexFunc(raw, func(r rune) bool { return unicode.IsDigit(r) })
	if j <= 0 {
		return toks
	}
	split := toks[0].start + j
	out := make([]token, 0, len(toks)+1)
	out = append(out,
		token{start: toks[0].start, end: split, fold: f[:i]},
		token{start: split, end: toks[0].end, fold: f[i:]},
	)
	return append(out, toks[1:]...)
}

// fold lower-cases s and removes accents and other combining marks. NFKD
// also maps compatibility forms (full-width letters and digits, ligatures)
// to their plain equivalents. ASCII, by far the commonest case, takes a fast
// path.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = norm.NFKD.String(s)
		s, _, _ = transform.String(runes.Remove(runes.In(unicode.Mn)), s)
		s = norm.NFC.String(s)
	}
	return strings.ToLower(s)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	return strings.IndexFunc(s, unicode.IsDigit) >= 0
}
