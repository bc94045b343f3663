package app

import "errors"

// cmdRestore is not built yet: its issue is open.
func cmdRestore(e *env, args []string) error {
	return errors.New("'wardkey restore' is not built yet")
}
