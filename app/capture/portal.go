//go:build linux || freebsd || openbsd || netbsd

package capture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/godbus/dbus/v5"
)

const (
	portalName = "org.freedesktop.portal.Desktop"
	portalPath = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	// maxPortalFile bounds the portal's file: a 40-megapixel PNG.
	maxPortalFile = 256 << 20
)

// screen picks the capture for this session: the portal under Wayland,
// X11 under $DISPLAY, else the portal if the session bus has one.
func screen(ctx context.Context) (*Shot, error) {
	if getenv("WAYLAND_DISPLAY") != "" {
		return portalScreenshot(ctx)
	}
	if d := getenv("DISPLAY"); d != "" {
		return x11Screens(ctx, d)
	}
	shot, err := portalScreenshot(ctx)
	if errors.Is(err, errNoPortal) {
		return nil, ErrNoDisplay
	}
	return shot, err
}

var errNoPortal = errors.New("no screenshot portal answers on the session bus")

// sessionBus is the session bus's address, without ever starting one
// (godbus would launch a dbus-daemon where dbus-launch is installed).
func sessionBus() (string, error) {
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		return a, nil
	}
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "bus")); err == nil {
			return "unix:path=" + filepath.Join(d, "bus"), nil
		}
	}
	return "", errNoPortal
}

// portalScreenshot asks org.freedesktop.portal.Screenshot for an
// interactive screenshot, waits for the person to confirm it in the
// desktop's dialog, then reads the file the portal wrote, overwrites it
// and deletes it.
func portalScreenshot(ctx context.Context) (*Shot, error) {
	addr, err := sessionBus()
	if err != nil {
		return nil, err
	}
	conn, err := dbus.Connect(addr, dbus.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", errNoPortal, err)
	}
	defer conn.Close()

	var tok [8]byte
	rand.Read(tok[:])
	token := "wardkey" + hex.EncodeToString(tok[:])
	sender := strings.ReplaceAll(strings.TrimPrefix(conn.Names()[0], ":"), ".", "_")
	request := dbus.ObjectPath("/org/freedesktop/portal/desktop/request/" + sender + "/" + token)
	// Listen before calling, so the response cannot be missed.
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchInterface("org.freedesktop.portal.Request"), dbus.WithMatchMember("Response")); err != nil {
		return nil, fmt.Errorf("%w (%v)", errNoPortal, err)
	}
	var handle dbus.ObjectPath
	err = conn.Object(portalName, portalPath).CallWithContext(ctx, "org.freedesktop.portal.Screenshot.Screenshot", 0,
		"", map[string]dbus.Variant{
			"handle_token": dbus.MakeVariant(token),
			"interactive":  dbus.MakeVariant(true),
			"modal":        dbus.MakeVariant(true),
		}).Store(&handle)
	if err != nil {
		var de dbus.Error
		if errors.As(err, &de) && strings.HasPrefix(de.Name, "org.freedesktop.DBus.Error.") {
			return nil, fmt.Errorf("%w (%s)", errNoPortal, de.Name)
		}
		return nil, fmt.Errorf("ask the screenshot portal: %w", err)
	}
	if handle == "" {
		handle = request
	}
	for {
		select {
		case <-ctx.Done():
			conn.Object(portalName, handle).Call("org.freedesktop.portal.Request.Close", 0)
			return nil, ctx.Err()
		case s, ok := <-signals:
			if !ok {
				return nil, errors.New("the session bus closed while waiting for the screenshot")
			}
			if s.Path != handle || s.Name != "org.freedesktop.portal.Request.Response" || len(s.Body) < 2 {
				continue
			}
			code, _ := s.Body[0].(uint32)
			results, _ := s.Body[1].(map[string]dbus.Variant)
			switch code {
			case 0:
			case 1:
				return nil, ErrDeclined
			default:
				return nil, fmt.Errorf("the screenshot portal failed (response %d)", code)
			}
			uri, _ := results["uri"].Value().(string)
			return readPortalFile(uri)
		}
	}
}

// readPortalFile reads the screenshot the portal wrote at a file:// URI,
// overwrites it with zeros and deletes it, and decodes it in memory.
func readPortalFile(uri string) (*Shot, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return nil, errors.New("the screenshot portal returned no file")
	}
	path := u.Path
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, fmt.Errorf("open the portal's screenshot: %w", err)
	}
	data, rerr := io.ReadAll(io.LimitReader(f, maxPortalFile+1))
	// Overwrite and delete whatever happens next.
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		zero := make([]byte, 64<<10)
		for off := int64(0); off < st.Size(); off += int64(len(zero)) {
			n := min(int64(len(zero)), st.Size()-off)
			if _, err := f.WriteAt(zero[:n], off); err != nil {
				break
			}
		}
		f.Sync()
	}
	f.Close()
	os.Remove(path)
	defer clear(data)
	notice := fmt.Sprintf("the desktop saved the screenshot as %s: wardkey read it, overwrote it and deleted it", path)
	if rerr != nil {
		return nil, fmt.Errorf("read the portal's screenshot: %w", rerr)
	}
	if len(data) > maxPortalFile {
		return nil, fmt.Errorf("the portal's screenshot is over %d MiB", maxPortalFile>>20)
	}
	img, err := decodePNG(data)
	if err != nil {
		return &Shot{Notice: notice}, err
	}
	return &Shot{Images: []image.Image{img}, Notice: notice, Source: "portal"}, nil
}
