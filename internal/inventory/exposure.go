package inventory

import (
	"slices"
	"strings"
)

// Exposure is the verdict on one inventory item: whether the compromised
// components exposed it, and why.
type Exposure struct {
	Item    Item
	Exposed bool
	Why     string
}

// Assess says, for each item of inv, whether the touched components
// exposed it and why. Components imply others (see the component
// constants). A component it does not know is taken to expose everything:
// it cannot say otherwise.
func Assess(inv []Item, touched []string) []Exposure {
	all, unknown := Expand(touched)
	out := make([]Exposure, 0, len(inv))
	for _, item := range inv {
		out = append(out, assess(item, all, unknown))
	}
	return out
}

// Expand returns the known components touched, with those they imply, in
// the order of Components, and the unknown ones.
func Expand(touched []string) (known, unknown []string) {
	set := map[string]bool{}
	for _, c := range touched {
		c = strings.ToLower(strings.TrimSpace(c))
		switch {
		case c == "":
		case slices.Contains(Components(), c):
			set[c] = true
			for _, i := range implied(c) {
				set[i] = true
			}
		case !slices.Contains(unknown, c):
			unknown = append(unknown, c)
		}
	}
	for _, c := range Components() {
		if set[c] {
			known = append(known, c)
		}
	}
	return known, unknown
}

func assess(item Item, touched, unknown []string) Exposure {
	var whys []string
	for _, c := range touched {
		if why, ok := item.By[c]; ok {
			whys = append(whys, c+": "+why)
		}
	}
	for _, c := range unknown {
		whys = append(whys, c+": not a component this assessment knows, so assumed to expose it.")
	}
	if len(whys) > 0 {
		return Exposure{Item: item, Exposed: true, Why: strings.Join(whys, " ")}
	}
	why := "none of the compromised components reaches it: " + item.Protection + "."
	if len(touched) == 0 {
		why = "no compromised component was named."
	}
	return Exposure{Item: item, Why: why}
}
