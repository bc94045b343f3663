// Package oslock tells wardkey when the person's desktop session locks, so
// the vault locks with it: a clinician who locks the screen (or whose
// screen saver locks it) on walking away leaves no codes open behind it.
//
// It listens, over D-Bus where a bus is there, for
//
//   - logind's Lock signal for this login session
//     (org.freedesktop.login1.Session.Lock on the system bus; the session
//     is $XDG_SESSION_ID, else the session of this process);
//   - org.freedesktop.ScreenSaver ActiveChanged(true) (KDE, Xfce, many
//     others) and org.gnome.ScreenSaver ActiveChanged(true) (GNOME) on the
//     session bus.
//
// Where no bus is known it watches nothing and says so; it never starts a
// bus (godbus would launch a dbus-daemon of its own when no session
// address is set). Any process on the bus can send these signals: the worst
// it can do is lock a vault, which is safe.
package oslock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/godbus/dbus/v5"
)

// The D-Bus names listened to.
const (
	logindName      = "org.freedesktop.login1"
	logindPath      = "/org/freedesktop/login1"
	logindManager   = "org.freedesktop.login1.Manager"
	logindSession   = "org.freedesktop.login1.Session"
	freedesktopSS   = "org.freedesktop.ScreenSaver"
	gnomeSS         = "org.gnome.ScreenSaver"
	activeChanged   = "ActiveChanged"
	systemBusSocket = "unix:path=/run/dbus/system_bus_socket"
)

// Event is one lock of the OS session.
type Event struct {
	// Source names what reported it: "logind", "org.freedesktop.ScreenSaver"
	// or "org.gnome.ScreenSaver".
	Source string
}

// Options say where to listen. The zero value is right for the product.
type Options struct {
	// SessionBus is the session bus address; "" means
	// $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus if it exists.
	SessionBus string
	// SystemBus is the system bus address; "" means
	// $DBUS_SYSTEM_BUS_ADDRESS, else the standard socket if it exists.
	SystemBus string
	// SessionID is the logind session to follow; "" means $XDG_SESSION_ID,
	// else the session of this process.
	SessionID string
}

// Watcher delivers the OS session's locks on C until Close.
type Watcher struct {
	// C receives an Event for each lock. It is never closed before Close.
	C <-chan Event

	sources []string
	conns   []*dbus.Conn
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

// Sources lists what the watcher listens to; empty when no bus was there.
func (w *Watcher) Sources() []string { return w.sources }

// Close stops listening and closes the bus connections.
func (w *Watcher) Close() {
	w.once.Do(func() {
		close(w.done)
		for _, c := range w.conns {
			c.Close()
		}
		w.wg.Wait()
	})
}

// Watch starts listening. A bus that is missing or refuses is left out (see
// Sources); the error is non-nil only when no source could be watched at
// all while a bus was named, and says why. ctx ending closes the watcher.
func Watch(ctx context.Context, o Options) (*Watcher, error) {
	out := make(chan Event, 1)
	w := &Watcher{C: out, done: make(chan struct{})}
	var errs []error
	if addr := sessionAddress(o.SessionBus); addr != "" {
		if err := w.watchScreenSavers(addr, out); err != nil {
			errs = append(errs, fmt.Errorf("session bus: %w", err))
		}
	}
	if addr := systemAddress(o.SystemBus); addr != "" {
		if err := w.watchLogind(addr, o.SessionID, out); err != nil {
			errs = append(errs, fmt.Errorf("system bus: %w", err))
		}
	}
	go func() {
		select {
		case <-ctx.Done():
			w.Close()
		case <-w.done:
		}
	}()
	if len(w.sources) == 0 && len(errs) > 0 {
		return w, errors.Join(errs...)
	}
	return w, nil
}

// sessionAddress is the session bus to use, or "" for none.
func sessionAddress(addr string) string {
	if addr != "" {
		return addr
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		return a
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "bus")); err == nil {
			return "unix:path=" + filepath.Join(d, "bus")
		}
	}
	return ""
}

// systemAddress is the system bus to use, or "" for none.
func systemAddress(addr string) string {
	if addr != "" {
		return addr
	}
	if a := os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"); a != "" {
		return a
	}
	if _, err := os.Stat("/run/dbus/system_bus_socket"); err == nil {
		return systemBusSocket
	}
	return ""
}

func (w *Watcher) watchScreenSavers(addr string, out chan<- Event) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return err
	}
	for _, iface := range []string{freedesktopSS, gnomeSS} {
		if err := conn.AddMatchSignal(dbus.WithMatchInterface(iface), dbus.WithMatchMember(activeChanged)); err != nil {
			conn.Close()
			return err
		}
	}
	w.listen(conn, out, func(s *dbus.Signal) (Event, bool) {
		if s.Name != freedesktopSS+"."+activeChanged && s.Name != gnomeSS+"."+activeChanged {
			return Event{}, false
		}
		if len(s.Body) != 1 {
			return Event{}, false
		}
		active, ok := s.Body[0].(bool)
		if !ok || !active {
			return Event{}, false
		}
		iface := freedesktopSS
		if s.Name == gnomeSS+"."+activeChanged {
			iface = gnomeSS
		}
		return Event{Source: iface}, true
	})
	w.sources = append(w.sources, freedesktopSS, gnomeSS)
	return nil
}

func (w *Watcher) watchLogind(addr, id string, out chan<- Event) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return err
	}
	path, err := sessionPath(conn, id)
	if err != nil {
		conn.Close()
		return fmt.Errorf("find this login session: %w", err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(logindSession), dbus.WithMatchMember("Lock")); err != nil {
		conn.Close()
		return err
	}
	w.listen(conn, out, func(s *dbus.Signal) (Event, bool) {
		return Event{Source: "logind"}, s.Path == path && s.Name == logindSession+".Lock"
	})
	w.sources = append(w.sources, "logind")
	return nil
}

// sessionPath asks logind for the object of the login session id (or, with
// no id, of this process).
func sessionPath(conn *dbus.Conn, id string) (dbus.ObjectPath, error) {
	if id == "" {
		id = os.Getenv("XDG_SESSION_ID")
	}
	obj := conn.Object(logindName, logindPath)
	var path dbus.ObjectPath
	var call *dbus.Call
	if id != "" {
		call = obj.Call(logindManager+".GetSession", 0, id)
	} else {
		call = obj.Call(logindManager+".GetSessionByPID", 0, uint32(os.Getpid()))
	}
	if err := call.Store(&path); err != nil {
		return "", err
	}
	if !path.IsValid() {
		return "", fmt.Errorf("logind answered an invalid path")
	}
	return path, nil
}

// listen forwards the signals of conn that match as events, dropping an
// event while one is still unread (one lock is enough).
func (w *Watcher) listen(conn *dbus.Conn, out chan<- Event, match func(*dbus.Signal) (Event, bool)) {
	w.conns = append(w.conns, conn)
	ch := make(chan *dbus.Signal, 8)
	conn.Signal(ch)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			select {
			case <-w.done:
				return
			case s, ok := <-ch:
				if !ok {
					return
				}
				if ev, ok := match(s); ok {
					select {
					case out <- ev:
					default:
					}
				}
			}
		}
	}()
}
