// Package jsondepth bounds the nesting of JSON before it is decoded, for
// the importer and its otpauth package alike.
package jsondepth

// OK reports whether b (JSON, or any bracketed text) nests no deeper than
// max, counting brackets outside strings.
func OK(b []byte, max int) bool {
	depth, inStr, esc := 0, false, false
	for _, ch := range b {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case ch == '\\':
				esc = true
			case ch == '"':
				inStr = false
			}
		case ch == '"':
			inStr = true
		case ch == '{' || ch == '[':
			depth++
			if depth > max {
				return false
			}
		case ch == '}' || ch == ']':
			depth--
		}
	}
	return true
}
