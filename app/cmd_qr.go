package app

import "errors"

// cmdQR is not built yet: its issue is open.
func cmdQR(e *env, args []string) error {
	return errors.New("'wardkey qr' is not built yet")
}
