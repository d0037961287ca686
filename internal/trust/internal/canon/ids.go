package canon

// Bounds on the length of a record id (an alert's or a notice's).
const (
	MinIDLen = 8
	MaxIDLen = 64
)

// ValidID reports whether id is a record id: MinIDLen to MaxIDLen
// characters a-z 0-9.
func ValidID(id string) bool {
	if len(id) < MinIDLen || len(id) > MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Langs returns the languages a statement or notice may carry text in, in
// encoding order.
func Langs() [2]string { return [2]string{"en", "es"} }

// IsLang reports whether l is one of Langs.
func IsLang(l string) bool { return l == "en" || l == "es" }
