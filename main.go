// Command wardkey is a terminal authenticator: rolling TOTP and HOTP codes,
// kept in an encrypted vault behind the OS keyring or a passphrase.
package main

import (
	"os"

	"github.com/wardkey/wardkey/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:]))
}
