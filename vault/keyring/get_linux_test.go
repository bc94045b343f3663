package keyring

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/wardkey/wardkey/vault"
)

// goKeyringGet is what System.Get was before the lean client: go-keyring's
// Get behind the same timeout and error mapping.
func (k System) goKeyringGet(service, user string) (string, error) {
	return k.do("read", func(context.Context) (string, error) { return gokeyring.Get(service, user) })
}

// The lean Get gives go-keyring's answer for every item go-keyring's Set
// writes, and for the items it did not write.
func TestLeanGetSameAsGoKeyring(t *testing.T) {
	k := systemKeyring(t)
	const svc = "wardkey-test-lean"
	long := strings.Repeat("0123456789abcdef", 1<<12) // 64 KiB
	items := []struct {
		name, service, user, secret string
	}{
		{"key", svc, "vault:0123456789abcdef", "q6tXG1sN3ZkH0cR7mJ5yVb8aE2wL4pOiUuYtTrFdSa0="},
		{"non-ASCII secret", svc, "clé", "mot de passe: été ☃ 🗝 日本語"},
		{"non-ASCII service and user", svc + "-ünï", "dr. Łukasz Żółć", "s"},
		{"one byte", svc, "one", "x"},
		{"empty secret", svc, "empty", ""},
		{"NUL and invalid UTF-8 bytes", svc, "bytes", "a\x00b\xff\xfe\x80c"},
		{"spaces and newlines", svc, "  spaced  user  ", " a\nb\r\n\t "},
		{"long", svc, "long", long},
		{"empty user", svc, "", "for the empty user"},
		{"user that looks like a pattern", svc, "*", "star"},
	}
	for _, it := range items {
		if err := gokeyring.Set(it.service, it.user, it.secret); err != nil {
			t.Fatalf("%s: go-keyring Set: %v", it.name, err)
		}
		t.Cleanup(func() { _ = gokeyring.Delete(it.service, it.user) })
	}
	for _, it := range items {
		t.Run(it.name, func(t *testing.T) {
			want, err := gokeyring.Get(it.service, it.user)
			if err != nil || want != it.secret {
				t.Fatalf("go-keyring Get: %d bytes, %v; want the %d bytes set", len(want), err, len(it.secret))
			}
			got, err := k.Get(it.service, it.user)
			if err != nil {
				t.Fatalf("lean Get: %v", err)
			}
			if got != want {
				t.Errorf("lean Get: %d bytes that differ from go-keyring's %d", len(got), len(want))
			}
		})
	}

	absent := []struct{ name, service, user string }{
		{"no such service", svc + "-absent", "vault:0123456789abcdef"},
		{"same service, another user", svc, "vault:fedcba9876543210"},
		{"same user, another service", svc + "-other", "clé"},
		{"a user's prefix", svc, "vault:0123456789"},
		{"a user's case", svc, "CLÉ"},
	}
	for _, a := range absent {
		t.Run(a.name, func(t *testing.T) {
			if _, err := gokeyring.Get(a.service, a.user); !errors.Is(err, gokeyring.ErrNotFound) {
				t.Fatalf("go-keyring Get: %v, want ErrNotFound", err)
			}
			if _, err := k.Get(a.service, a.user); !errors.Is(err, vault.ErrKeyringMissing) {
				t.Errorf("lean Get: %v, want vault.ErrKeyringMissing", err)
			}
		})
	}

	t.Run("deleted after being set", func(t *testing.T) {
		if err := gokeyring.Set(svc, "deleted", "soon gone"); err != nil {
			t.Fatal(err)
		}
		if s, err := k.Get(svc, "deleted"); err != nil || s != "soon gone" {
			t.Fatalf("before Delete: %d bytes, %v", len(s), err)
		}
		if err := k.Delete(svc, "deleted"); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get(svc, "deleted"); !errors.Is(err, vault.ErrKeyringMissing) {
			t.Errorf("after Delete: %v, want vault.ErrKeyringMissing", err)
		}
	})

	t.Run("overwritten", func(t *testing.T) {
		for _, s := range []string{"first", "second, longer than the first", "3"} {
			if err := k.Set(svc, "rewritten", s); err != nil {
				t.Fatal(err)
			}
			if got, err := k.Get(svc, "rewritten"); err != nil || got != s {
				t.Errorf("after Set of %d bytes: %d bytes, %v", len(s), len(got), err)
			}
		}
		_ = k.Delete(svc, "rewritten")
	})
}

// monitor returns the method calls the bus carries from now until stop, as
// "Interface.Member" (Hello included): what a Get costs in D-Bus calls,
// observed on the real bus rather than counted inside the client.
func monitor(t *testing.T) (stop func() []string) {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.BusObject().Call("org.freedesktop.DBus.Monitoring.BecomeMonitor", 0, []string{"type='method_call'"}, uint32(0)).Err; err != nil {
		conn.Close()
		t.Skipf("the bus refuses a monitor (%v): no count of calls", err)
	}
	// Only now: with it set before, the reply to BecomeMonitor would have
	// gone to msgs too.
	msgs := make(chan *dbus.Message, 256)
	conn.Eavesdrop(msgs)
	return func() []string {
		time.Sleep(50 * time.Millisecond) // let the last calls reach the monitor
		conn.Close()
		var calls []string
		for m := range msgs {
			iface, _ := m.Headers[dbus.FieldInterface].Value().(string)
			member, _ := m.Headers[dbus.FieldMember].Value().(string)
			dest, _ := m.Headers[dbus.FieldDestination].Value().(string)
			if dest == "org.freedesktop.secrets" || member == "Hello" {
				calls = append(calls, iface[strings.LastIndex(iface, ".")+1:]+"."+member)
			}
		}
		return calls
	}
}

// The lean Get makes three D-Bus calls and one message with no answer
// (OpenSession and SearchItems together, GetSecret, Session.Close), where
// go-keyring makes seven; both on the process's shared connection, whose
// Hello is paid once: counted by a monitor on the test's own bus.
func TestLeanGetCalls(t *testing.T) {
	k := systemKeyring(t)
	const svc, user = "wardkey-test-calls", "vault:calls"
	if err := gokeyring.Set(svc, user, "counted"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gokeyring.Delete(svc, user) })

	stop := monitor(t)
	if _, err := k.Get(svc, user); err != nil {
		t.Fatal(err)
	}
	lean := stop()
	stop = monitor(t)
	if _, err := gokeyring.Get(svc, user); err != nil {
		t.Fatal(err)
	}
	gk := stop()
	t.Logf("lean Get: %d calls %v", len(lean), lean)
	t.Logf("go-keyring Get: %d calls %v", len(gk), gk)
	if len(lean) != 4 || lean[2] != "Item.GetSecret" || lean[3] != "Session.Close" ||
		!slices.Contains(lean[:2], "Service.OpenSession") || !slices.Contains(lean[:2], "Collection.SearchItems") {
		t.Errorf("lean Get: calls %v, want OpenSession and SearchItems, GetSecret, Close", lean)
	}
	if len(gk) != 7 {
		t.Errorf("go-keyring Get: %d calls %v: the comparison no longer holds", len(gk), gk)
	}
}

// Many Gets from one process, four at a time: a connection per Get (an
// earlier version) made gnome-keyring 42.1 abort within a few hundred.
func TestLeanGetManyFromOneProcess(t *testing.T) {
	k := systemKeyring(t)
	const svc, user = "wardkey-test-many", "vault:many"
	if err := gokeyring.Set(svc, user, "again and again"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gokeyring.Delete(svc, user) })
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range 250 {
				if s, err := k.Get(svc, user); err != nil || s != "again and again" {
					t.Errorf("Get %d: %d bytes, %v", i, len(s), err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// A locked collection: the lean Get leaves it to go-keyring (which asks to
// unlock it), and gives the same outcome.
func TestLeanGetLockedCollection(t *testing.T) {
	k := systemKeyring(t)
	k.Timeout = 2 * time.Second
	const svc, user = "wardkey-test-locked", "vault:locked"
	if err := gokeyring.Set(svc, user, "behind a lock"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gokeyring.Delete(svc, user) })
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	ss := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := ss.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{ssLoginPath}).Store(&locked, &prompt); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	t.Cleanup(func() { unlockLogin(t, conn); conn.Close() })
	if len(locked) != 1 || prompt != "/" {
		t.Fatalf("Lock: locked %v, prompt %v", locked, prompt)
	}

	for _, u := range []string{user, "vault:absent"} {
		t.Run(u, func(t *testing.T) {
			_, want := k.goKeyringGet(svc, u)
			_, got := k.Get(svc, u)
			t.Logf("go-keyring: %v", want)
			t.Logf("lean: %v", got)
			if fmt.Sprint(got) != fmt.Sprint(want) || errors.Is(got, vault.ErrKeyringMissing) != errors.Is(want, vault.ErrKeyringMissing) {
				t.Errorf("lean Get on a locked collection: %v; go-keyring: %v", got, want)
			}
		})
	}
	unlockLogin(t, conn)
	if s, err := k.Get(svc, user); err != nil || s != "behind a lock" {
		t.Errorf("lean Get once unlocked again: %d bytes, %v", len(s), err)
	}
}

// unlockLogin unlocks the login collection again with .ci/keyring-session's
// password, through gnome-keyring's own interface for that (no prompt).
func unlockLogin(t *testing.T, conn *dbus.Conn) {
	t.Helper()
	ss := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var ignored dbus.Variant
	var session dbus.ObjectPath
	if err := ss.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&ignored, &session); err != nil {
		t.Fatalf("OpenSession: %v", err)
	}
	pw := ssSecret{Session: session, Parameters: []byte{}, Value: []byte("ci"), ContentType: "text/plain"}
	if err := ss.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, ssLoginPath, pw).Err; err != nil {
		t.Fatalf("unlocking the login collection again: %v", err)
	}
}

// BenchmarkGet compares, in the same run, the lean Get with go-keyring's on
// the same item, both on the process's shared connection (connected once):
// the D-Bus calls alone. System.Get adds the timeout's goroutine.
func BenchmarkGet(b *testing.B) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" || os.Getenv("WARDKEY_KEYRING_SESSION") == "" {
		b.Skip("no keyring session: run inside ./.ci/keyring-session")
	}
	const svc, user = "wardkey-bench-get", "vault:bench"
	key := "q6tXG1sN3ZkH0cR7mJ5yVb8aE2wL4pOiUuYtTrFdSa0="
	if err := gokeyring.Set(svc, user, key); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = gokeyring.Delete(svc, user) })
	for _, bc := range []struct {
		name string
		get  func() (string, error)
	}{
		{"lean", func() (string, error) { return get(context.Background(), svc, user) }},
		{"go-keyring", func() (string, error) { return gokeyring.Get(svc, user) }},
		{"System.Get", func() (string, error) { return System{}.Get(svc, user) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if s, err := bc.get(); err != nil || s != key {
					b.Fatalf("%d bytes, %v", len(s), err)
				}
			}
		})
	}
}
