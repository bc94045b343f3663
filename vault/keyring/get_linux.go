package keyring

import (
	"context"
	"errors"

	"github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"
)

// The Secret Service names go-keyring uses (secret_service/secret_service.go
// of github.com/zalando/go-keyring v0.2.8); Get must read exactly the item
// go-keyring's Set wrote.
const (
	ssName          = "org.freedesktop.secrets"
	ssPath          = dbus.ObjectPath("/org/freedesktop/secrets")
	ssService       = "org.freedesktop.Secret.Service"
	ssCollection    = "org.freedesktop.Secret.Collection"
	ssItem          = "org.freedesktop.Secret.Item"
	ssSession       = "org.freedesktop.Secret.Session"
	ssLoginPath     = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	errIsLocked     = "org.freedesktop.Secret.Error.IsLocked"
	errNoSuchObject = "org.freedesktop.Secret.Error.NoSuchObject"
	errUnknownObj   = "org.freedesktop.DBus.Error.UnknownObject"
	errUnknownMeth  = "org.freedesktop.DBus.Error.UnknownMethod"
)

// ssSecret is the Secret Service's Secret struct, (oayays).
type ssSecret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// get reads the item go-keyring's Set(service, user, …) writes, in fewer
// D-Bus round trips than gokeyring.Get, and returns the same answer.
//
// go-keyring's Get, on a private look at its source (v0.2.8): Hello; the
// Service's Collections property (is there a "login" collection, else the
// default alias); Unlock(collection); Collection.SearchItems(service,
// username); OpenSession("plain"); Unlock(item); Item.GetSecret;
// Session.Close: eight round trips, one after another.
//
// Here, on the same shared connection (Hello once per process, as with
// go-keyring): OpenSession("plain") and SearchItems on the login collection
// sent together, then GetSecret on the first item, then Session.Close sent
// with no answer awaited: two round trips.
//
//   - No Collections property: SearchItems on the login collection itself
//     fails with "no such object" when there is none, and then
//     gokeyring.Get, which falls back to the default alias, answers.
//   - No Unlock: on an unlocked collection go-keyring's two Unlocks change
//     nothing (they return the object, and no prompt). When the item is
//     locked, GetSecret says IsLocked and gokeyring.Get answers, prompt
//     and all, as before.
//   - No item found: the collection's Locked property tells whether that is
//     the answer (unlocked: go-keyring finds nothing either) or whether
//     go-keyring would have unlocked it first (then gokeyring.Get answers).
//
// A timeout or cancellation of ctx ends the calls in flight (the shared
// connection stays, as go-keyring's does).
func get(ctx context.Context, service, user string) (string, error) {
	// go-keyring's shared connection: connected, authenticated and Hello'd
	// once per process. A connection of our own per Get was cheaper by one
	// round trip but crashed gnome-keyring 42.1 (an assertion on an unknown
	// client, then abort) after some hundreds of connect/disconnect cycles
	// from one process; go-keyring's pattern never did (docs/performance.md).
	conn, err := dbus.SessionBus()
	if err != nil {
		return "", err
	}
	svc := conn.Object(ssName, ssPath)
	open := svc.GoWithContext(ctx, ssService+".OpenSession", 0, nil, "plain", dbus.MakeVariant(""))
	login := conn.Object(ssName, ssLoginPath)
	search := login.GoWithContext(ctx, ssCollection+".SearchItems", 0, nil, map[string]string{"username": user, "service": service})
	<-open.Done
	<-search.Done
	var ignored dbus.Variant
	var session dbus.ObjectPath
	if err := open.Store(&ignored, &session); err != nil {
		return "", err
	}
	// The connection outlives this Get: close the session, without waiting
	// for the answer (no round trip). Sent after GetSecret, it is handled
	// after it (a connection's messages are handled in order).
	defer conn.Object(ssName, session).Go(ssSession+".Close", dbus.FlagNoReplyExpected, nil)
	var items []dbus.ObjectPath
	if err := search.Store(&items); err != nil {
		if dbusErrorIs(err, errNoSuchObject, errUnknownObj, errUnknownMeth) {
			return gokeyring.Get(service, user) // no login collection: the default alias
		}
		return "", err
	}
	if len(items) == 0 {
		locked, err := login.GetProperty(ssCollection + ".Locked")
		if err != nil {
			return "", err
		}
		if b, ok := locked.Value().(bool); ok && !b {
			return "", gokeyring.ErrNotFound
		}
		return gokeyring.Get(service, user)
	}
	var s ssSecret
	call := conn.Object(ssName, items[0]).CallWithContext(ctx, ssItem+".GetSecret", 0, session)
	if call.Err != nil {
		if dbusErrorIs(call.Err, errIsLocked) {
			return gokeyring.Get(service, user)
		}
		return "", call.Err
	}
	if err := call.Store(&s); err != nil {
		// godbus's Store errors describe the types, not the values; say
		// nothing of them anyway, the body holds the secret.
		return "", errors.New("the Secret Service answered GetSecret with something that is not a secret")
	}
	defer clear(s.Value)
	return string(s.Value), nil
}

// dbusErrorIs reports whether err is a D-Bus error reply named one of names.
func dbusErrorIs(err error, names ...string) bool {
	var e dbus.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, n := range names {
		if e.Name == n {
			return true
		}
	}
	return false
}
