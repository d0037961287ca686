package fanout

import (
	"errors"
	"fmt"
)

// errRefused marks an alert the sender will not send.
var errRefused = errors.New("alert refused")

// refusal is why an alert is refused.
type refusal struct{ why string }

func (r refusal) Error() string { return r.why }

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %w", errRefused, refusal{fmt.Sprintf(format, args...)})
}
