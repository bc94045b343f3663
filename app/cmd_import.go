package app

import "errors"

// cmdImport is not built yet: its issue is open.
func cmdImport(e *env, args []string) error {
	return errors.New("'wardkey import' is not built yet")
}
