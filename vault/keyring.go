package vault

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// Keyring stores small secrets under a service and user name: the OS keyring
// (Secret Service, Keychain, Credential Manager) or a stand-in in tests.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// KeyringTimeout bounds every call to the OS keyring: a locked Secret
// Service collection can otherwise wait forever for an unlock prompt.
const KeyringTimeout = 5 * time.Second

// SystemKeyring is the OS keyring behind github.com/zalando/go-keyring, with
// a timeout on every call. Its errors wrap ErrKeyringUnavailable or
// ErrKeyringMissing.
type SystemKeyring struct {
	Timeout time.Duration // 0 means KeyringTimeout
}

func (k SystemKeyring) do(what string, f func() (string, error)) (string, error) {
	if !sessionBusLikely() {
		return "", fmt.Errorf("%w: %s: no D-Bus session (no desktop login, or over SSH)", ErrKeyringUnavailable, what)
	}
	d := k.Timeout
	if d == 0 {
		d = KeyringTimeout
	}
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := f()
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		if r.err == nil {
			return r.s, nil
		}
		if errors.Is(r.err, gokeyring.ErrNotFound) {
			return "", ErrKeyringMissing
		}
		return "", fmt.Errorf("%w: %s: %s", ErrKeyringUnavailable, what, keyringCause(r.err))
	case <-time.After(d):
		return "", fmt.Errorf("%w: %s: no answer within %s (is the keyring locked?)", ErrKeyringUnavailable, what, d)
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

// Get implements Keyring.
func (k SystemKeyring) Get(service, user string) (string, error) {
	return k.do("read", func() (string, error) { return gokeyring.Get(service, user) })
}

// Set implements Keyring.
func (k SystemKeyring) Set(service, user, secret string) error {
	_, err := k.do("write", func() (string, error) { return "", gokeyring.Set(service, user, secret) })
	return err
}

// Delete implements Keyring.
func (k SystemKeyring) Delete(service, user string) error {
	_, err := k.do("delete", func() (string, error) { return "", gokeyring.Delete(service, user) })
	return err
}

// Probe checks that the keyring can be written and read, with a throwaway
// item. It returns nil when a keyring slot would work.
func Probe(k Keyring) error {
	user := "probe:" + NewID()
	if err := k.Set(KeyringService, user, "ok"); err != nil {
		return err
	}
	defer func() { _ = k.Delete(KeyringService, user) }()
	v, err := k.Get(KeyringService, user)
	if err != nil {
		return err
	}
	if v != "ok" {
		return fmt.Errorf("%w: it returned something else than was stored", ErrKeyringUnavailable)
	}
	return nil
}

func keyringUser(vaultID string) string { return "vault:" + vaultID }

func storeKeyringKey(k Keyring, vaultID string, key []byte) (Slot, error) {
	user := keyringUser(vaultID)
	if err := k.Set(KeyringService, user, base64.StdEncoding.EncodeToString(key)); err != nil {
		return Slot{}, err
	}
	return Slot{Kind: SlotKeyring, Service: KeyringService, User: user}, nil
}

func loadKeyringKey(k Keyring, s Slot) ([]byte, error) {
	v, err := k.Get(s.Service, s.User)
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != keySize {
		return nil, fmt.Errorf("the keyring item %s/%s is not a wardkey key: %w", s.Service, s.User, ErrTampered)
	}
	return key, nil
}

// MemoryKeyring is an in-memory Keyring for tests of code above the vault.
type MemoryKeyring map[string]string

// Get implements Keyring.
func (m MemoryKeyring) Get(service, user string) (string, error) {
	v, ok := m[service+"\x00"+user]
	if !ok {
		return "", ErrKeyringMissing
	}
	return v, nil
}

// Set implements Keyring.
func (m MemoryKeyring) Set(service, user, secret string) error {
	m[service+"\x00"+user] = secret
	return nil
}

// Delete implements Keyring.
func (m MemoryKeyring) Delete(service, user string) error {
	delete(m, service+"\x00"+user)
	return nil
}
