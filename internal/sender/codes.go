package sender

import (
	"github.com/tocsin/tocsin/internal/sender/signups"
)

// DefaultCodesPerBlock is how many confirmation codes an hour go to the
// numbers of one block of 10,000 (package signups).
const DefaultCodesPerBlock = signups.DefaultCodesPerBlock
