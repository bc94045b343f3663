package oslock

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/wardkey/wardkey/app/internal/dbustest"
)

func connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	c, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fakeLogind is org.freedesktop.login1's Manager as far as oslock asks it.
type fakeLogind struct{}

func (fakeLogind) GetSession(id string) (dbus.ObjectPath, *dbus.Error) {
	return dbus.ObjectPath("/org/freedesktop/login1/session/_3" + id), nil
}

func (fakeLogind) GetSessionByPID(pid uint32) (dbus.ObjectPath, *dbus.Error) {
	return "/org/freedesktop/login1/session/self", nil
}

func serveLogind(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	c := connect(t, addr)
	if err := c.Export(fakeLogind{}, logindPath, logindManager); err != nil {
		t.Fatal(err)
	}
	if reply, err := c.RequestName(logindName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", logindName, reply, err)
	}
	return c
}

// expect waits for one event from w, or for none when want is "".
func expect(t *testing.T, w *Watcher, want string) {
	t.Helper()
	wait := 5 * time.Second
	if want == "" {
		wait = 300 * time.Millisecond
	}
	select {
	case ev := <-w.C:
		if ev.Source != want {
			t.Fatalf("event from %q, want %q", ev.Source, want)
		}
	case <-time.After(wait):
		if want != "" {
			t.Fatalf("no lock event from %s", want)
		}
	}
}

func TestScreenSaversLock(t *testing.T) {
	addr := dbustest.SessionBus(t)
	w, err := Watch(context.Background(), Options{SessionBus: addr, SystemBus: "unix:path=/nonexistent/bus"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := strings.Join(w.Sources(), ","); got != freedesktopSS+","+gnomeSS {
		t.Fatalf("sources %q", got)
	}
	// The screen savers are services of their own on the bus.
	kde := connect(t, addr)
	if _, err := kde.RequestName(freedesktopSS, 0); err != nil {
		t.Fatal(err)
	}
	gnome := connect(t, addr)
	if _, err := gnome.RequestName(gnomeSS, 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		conn   *dbus.Conn
		path   dbus.ObjectPath
		signal string
		body   []any
		want   string
	}{
		{"freedesktop active", kde, "/org/freedesktop/ScreenSaver", freedesktopSS + ".ActiveChanged", []any{true}, freedesktopSS},
		{"freedesktop at /ScreenSaver", kde, "/ScreenSaver", freedesktopSS + ".ActiveChanged", []any{true}, freedesktopSS},
		{"freedesktop inactive", kde, "/org/freedesktop/ScreenSaver", freedesktopSS + ".ActiveChanged", []any{false}, ""},
		{"gnome active", gnome, "/org/gnome/ScreenSaver", gnomeSS + ".ActiveChanged", []any{true}, gnomeSS},
		{"gnome inactive", gnome, "/org/gnome/ScreenSaver", gnomeSS + ".ActiveChanged", []any{false}, ""},
		{"a wrong argument type", gnome, "/org/gnome/ScreenSaver", gnomeSS + ".ActiveChanged", []any{"yes"}, ""},
		{"another signal", gnome, "/org/gnome/ScreenSaver", gnomeSS + ".WakeUpScreen", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.conn.Emit(tt.path, tt.signal, tt.body...); err != nil {
				t.Fatal(err)
			}
			expect(t, w, tt.want)
		})
	}
}

func TestLogindLockOfThisSessionOnly(t *testing.T) {
	system := dbustest.SessionBus(t)
	logind := serveLogind(t, system)
	w, err := Watch(context.Background(), Options{SessionBus: "unix:path=/nonexistent/bus", SystemBus: system, SessionID: "7"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := strings.Join(w.Sources(), ","); got != "logind" {
		t.Fatalf("sources %q", got)
	}
	// Another person's session locking is not ours.
	if err := logind.Emit("/org/freedesktop/login1/session/_38", logindSession+".Lock"); err != nil {
		t.Fatal(err)
	}
	expect(t, w, "")
	if err := logind.Emit("/org/freedesktop/login1/session/_37", logindSession+".Unlock"); err != nil {
		t.Fatal(err)
	}
	expect(t, w, "")
	if err := logind.Emit("/org/freedesktop/login1/session/_37", logindSession+".Lock"); err != nil {
		t.Fatal(err)
	}
	expect(t, w, "logind")
}

func TestLogindSessionOfThisProcess(t *testing.T) {
	t.Setenv("XDG_SESSION_ID", "")
	system := dbustest.SessionBus(t)
	logind := serveLogind(t, system)
	w, err := Watch(context.Background(), Options{SessionBus: "unix:path=/nonexistent/bus", SystemBus: system})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := logind.Emit("/org/freedesktop/login1/session/self", logindSession+".Lock"); err != nil {
		t.Fatal(err)
	}
	expect(t, w, "logind")
}

// No bus anywhere: nothing watched, no error, no daemon started, at once.
func TestNoBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if sessionAddress("") != "" {
		t.Fatal("a session bus was found where there is none")
	}
	// A named bus that is not there: an error saying so, nothing watched.
	w, err := Watch(context.Background(), Options{SessionBus: "unix:path=/nonexistent/bus", SystemBus: "unix:path=/nonexistent/system"})
	if err == nil || len(w.Sources()) != 0 {
		t.Fatalf("dead buses: sources %v, err %v", w.Sources(), err)
	}
	w.Close()
}

// A logind that is not there (a container's system bus) leaves the screen
// savers watched.
func TestSystemBusWithoutLogind(t *testing.T) {
	session, system := dbustest.SessionBus(t), dbustest.SessionBus(t)
	w, err := Watch(context.Background(), Options{SessionBus: session, SystemBus: system, SessionID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if got := strings.Join(w.Sources(), ","); got != freedesktopSS+","+gnomeSS {
		t.Fatalf("sources %q", got)
	}
}

// Cancelling the context closes the watcher.
func TestContextCloses(t *testing.T) {
	addr := dbustest.SessionBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := Watch(ctx, Options{SessionBus: addr, SystemBus: "unix:path=/nonexistent/bus"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case <-w.done:
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the watcher did not close")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
