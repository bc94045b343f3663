package app

import "errors"

// cmdClock is not built yet: its issue is open.
func cmdClock(e *env, args []string) error {
	return errors.New("'wardkey clock' is not built yet")
}
