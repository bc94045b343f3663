// Package keyring is the OS keyring adapter of wardkey's vault: the Secret
// Service on Linux (over D-Bus), the Keychain on macOS and the Credential
// Manager on Windows, through github.com/zalando/go-keyring, with a timeout
// on every call and errors that wrap [vault.ErrKeyringUnavailable] or
// [vault.ErrKeyringMissing]. On Linux, Get is a leaner Secret Service client
// of our own (get_linux.go: three D-Bus calls where go-keyring makes seven,
// the same answer for every item go-keyring writes, go-keyring itself for a
// locked collection or no "login" collection); Set and Delete, and every
// other OS, stay on go-keyring.
//
// It lives apart from package vault so that what does not touch the OS
// keyring (importer, sync, their fuzzers) links neither go-keyring nor godbus.
package keyring

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/wardkey/wardkey/vault"
)

// Timeout bounds every call to the OS keyring: a locked Secret
// Service collection can otherwise wait forever for an unlock prompt.
const Timeout = 5 * time.Second

// System is the OS keyring behind github.com/zalando/go-keyring, with a
// timeout on every call. It implements [vault.Keyring]; its errors wrap
// [vault.vault.ErrKeyringUnavailable] or [vault.vault.ErrKeyringMissing].
type System struct {
	Timeout time.Duration // 0 means Timeout
}

// do runs f with the timeout, in a goroutine of its own that a call which
// never answers leaves behind; ctx ends at the timeout, and a call that
// takes it (the Linux Get) ends then too.
func (k System) do(what string, f func(ctx context.Context) (string, error)) (string, error) {
	if !sessionBusLikely() {
		return "", fmt.Errorf("%w: %s: no D-Bus session (no desktop login, or over SSH)", vault.ErrKeyringUnavailable, what)
	}
	d := k.Timeout
	if d == 0 {
		d = Timeout
	}
	type result struct {
		s   string
		err error
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	ch := make(chan result, 1)
	go func() {
		s, err := f(ctx)
		ch <- result{s, err}
	}()
	timedOut := fmt.Errorf("%w: %s: no answer within %s (is the keyring locked?)", vault.ErrKeyringUnavailable, what, d)
	select {
	case r := <-ch:
		if r.err == nil {
			return r.s, nil
		}
		if errors.Is(r.err, gokeyring.ErrNotFound) {
			return "", vault.ErrKeyringMissing
		}
		if ctx.Err() != nil {
			return "", timedOut // a call ended by the timeout, not a failure of its own
		}
		return "", fmt.Errorf("%w: %s: %s", vault.ErrKeyringUnavailable, what, keyringCause(r.err))
	case <-ctx.Done():
		return "", timedOut
	}
}

// sessionBusLikely reports whether a Secret Service could be reached
// without starting anything. Where the Secret Service is reached over D-Bus
// and no session bus is known, godbus would launch a dbus-daemon (and D-Bus
// activation a gnome-keyring-daemon) of its own that outlive wardkey and
// cannot unlock anything: never let it.
func sessionBusLikely() bool {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android":
		return true
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "bus")); err == nil {
			return true
		}
	}
	return false
}

// keyringCause rewords the common go-keyring failures for a person.
func keyringCause(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "dbus-launch"), strings.Contains(msg, "connect:"), strings.Contains(msg, "DBUS_SESSION_BUS_ADDRESS"):
		return "no D-Bus session (no desktop login, or over SSH)"
	case strings.Contains(msg, "org.freedesktop.secrets was not provided"):
		return "no Secret Service is running (install gnome-keyring or KeePassXC)"
	case strings.Contains(msg, "failed to unlock"):
		return "the keyring's collection is locked"
	}
	return msg
}

// Get implements vault.Keyring.
func (k System) Get(service, user string) (string, error) {
	return k.do("read", func(ctx context.Context) (string, error) { return get(ctx, service, user) })
}

// Set implements vault.Keyring.
func (k System) Set(service, user, secret string) error {
	_, err := k.do("write", func(context.Context) (string, error) { return "", gokeyring.Set(service, user, secret) })
	return err
}

// Delete implements vault.Keyring.
func (k System) Delete(service, user string) error {
	_, err := k.do("delete", func(context.Context) (string, error) { return "", gokeyring.Delete(service, user) })
	return err
}
