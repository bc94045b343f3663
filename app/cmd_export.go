package app

import "errors"

// cmdExport is not built yet: its issue is open.
func cmdExport(e *env, args []string) error {
	return errors.New("'wardkey export' is not built yet")
}
