//go:build !linux

package keyring

import (
	"context"

	gokeyring "github.com/zalando/go-keyring"
)

// get is go-keyring's Get: the Keychain on macOS, the Credential Manager on
// Windows, the Secret Service on the BSDs. Only Linux has a leaner client
// (get_linux.go).
func get(_ context.Context, service, user string) (string, error) {
	return gokeyring.Get(service, user)
}
