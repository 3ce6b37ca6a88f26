package compat

import "time"

// Scheme is a version numbering scheme.
type Scheme string

// Numbering schemes seen in golang-migrate projects.
const (
	SchemeNone       Scheme = "none"        // no migrations
	SchemeTimestamp  Scheme = "timestamp"   // 14-digit UTC timestamps, 20240102150405 (migrate create's default)
	SchemeUnix       Scheme = "unix"        // 10-digit unix seconds, 1704207905 (migrate create -format unix)
	SchemeUnixMillis Scheme = "unix-millis" // 13-digit unix milliseconds
	SchemeUnixNanos  Scheme = "unix-nanos"  // 19-digit unix nanoseconds (migrate create -format unixNano)
	SchemePadded     Scheme = "padded"      // zero-padded sequence, 000001 (migrate create -seq -digits 6)
	SchemeSequence   Scheme = "sequence"    // unpadded sequence, 1, 2, 10
	SchemeMixed      Scheme = "mixed"       // more than one of the above
)

// Describe returns a short human description of the scheme.
func (s Scheme) Describe() string {
	switch s {
	case SchemeTimestamp:
		return "14-digit timestamps"
	case SchemeUnix:
		return "unix seconds"
	case SchemeUnixMillis:
		return "unix milliseconds"
	case SchemeUnixNanos:
		return "unix nanoseconds"
	case SchemePadded:
		return "zero-padded sequence numbers"
	case SchemeSequence:
		return "plain sequence numbers"
	case SchemeMixed:
		return "mixed schemes"
	}
	return "no migrations"
}

// classify returns the scheme one version, as written, belongs to.
func classify(text string) Scheme {
	if len(text) > 1 && text[0] == '0' {
		return SchemePadded
	}
	switch len(text) {
	case 14:
		if _, err := time.Parse("20060102150405", text); err == nil {
			return SchemeTimestamp
		}
	case 10:
		return SchemeUnix
	case 13:
		return SchemeUnixMillis
	case 19:
		return SchemeUnixNanos
	}
	return SchemeSequence
}

// DetectScheme returns the numbering scheme of versions written as in texts.
// A zero-padded sequence may contain unpadded numbers of the full width
// (000999, 001000, 100000 is still padded to 6 digits).
func DetectScheme(texts []string) Scheme {
	if len(texts) == 0 {
		return SchemeNone
	}
	width := PaddedWidth(texts)
	if width > 0 {
		for _, t := range texts {
			if len(t) != width {
				return SchemeMixed
			}
		}
		return SchemePadded
	}
	first := classify(texts[0])
	for _, t := range texts[1:] {
		if classify(t) != first {
			return SchemeMixed
		}
	}
	return first
}

// PaddedWidth returns the width of the zero-padded versions in texts, or 0
// when none is zero-padded. When the padded versions have different widths it
// returns the width of the first one.
func PaddedWidth(texts []string) int {
	for _, t := range texts {
		if classify(t) == SchemePadded {
			return len(t)
		}
	}
	return 0
}
