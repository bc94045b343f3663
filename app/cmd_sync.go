package app

import "errors"

// cmdSync is not built yet: its issue is open.
func cmdSync(e *env, args []string) error {
	return errors.New("'wardkey sync' is not built yet")
}
