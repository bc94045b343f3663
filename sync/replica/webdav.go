package replica

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// WebDAV is a remote on a WebDAV server (Nextcloud, Apache mod_dav, rclone
// serve webdav, nginx with dav-ext): PROPFIND lists, GET reads, and a write
// is a PUT of a temporary file then a MOVE over the real name, so a failed
// upload never replaces a good replica.
type WebDAV struct {
	base     *url.URL // no user info; path ends with "/"
	user     string
	password []byte
	client   *http.Client
}

// DefaultTimeout bounds each WebDAV request when no client is given.
const DefaultTimeout = 2 * time.Minute

func openWebDAV(spec string, o options) (*WebDAV, error) {
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("remote %q is not an http(s) URL", redactURL(spec))
	}
	w := &WebDAV{user: o.user, password: o.password, client: o.client}
	if u.User != nil {
		if w.user == "" {
			w.user = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && w.password == nil {
			w.password = []byte(p)
		}
		u.User = nil
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	w.base = u
	if w.client == nil {
		w.client = &http.Client{Timeout: DefaultTimeout}
	}
	// A copy, so a client the caller shares is not changed.
	c := *w.client
	c.CheckRedirect = sameOrigin
	w.client = &c
	return w, nil
}

// ErrRedirect: the server redirected a request to another scheme, host or
// port. Following it would send the password there (Go's client keeps the
// Authorization header when only the scheme or port changes), so it is
// refused whatever the credentials.
var ErrRedirect = errors.New("the server redirected to another address; credentials are never sent there")

// sameOrigin follows a redirect only within the scheme, host and port of
// the first request, at most 10 times.
func sameOrigin(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host || req.URL.Port() != first.Port() {
		return fmt.Errorf("%w (%s://%s to %s://%s): give the final address as the remote", ErrRedirect, first.Scheme, first.Host, req.URL.Scheme, req.URL.Host)
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// redactURL drops any user info from a URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}

// String is the URL without user or password.
func (w *WebDAV) String() string { return w.base.String() }

// User is the user name sent with basic auth, or "".
func (w *WebDAV) User() string { return w.user }

// StatusError is a WebDAV request the server answered with an error status.
type StatusError struct {
	Method string
	Name   string
	Code   int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("webdav %s %s: the server answered %d %s", e.Method, e.Name, e.Code, http.StatusText(e.Code))
}

// Unwrap maps 401 to ErrUnauthorized and 404 to fs.ErrNotExist.
func (e *StatusError) Unwrap() error {
	switch e.Code {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusNotFound:
		return fs.ErrNotExist
	}
	return nil
}

func (w *WebDAV) url(name string, dir bool) (*url.URL, error) {
	c, err := cleanName(name)
	if err != nil {
		return nil, err
	}
	u := *w.base
	u.Path = w.base.Path + c
	if dir && c != "" {
		u.Path += "/"
	}
	u.RawPath = ""
	return &u, nil
}

func (w *WebDAV) do(ctx context.Context, method string, u *url.URL, body []byte, hdr map[string]string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if w.user != "" || w.password != nil {
		req.SetBasicAuth(w.user, string(w.password))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("webdav %s %s: %w", method, w.rel(u), err)
	}
	return resp, nil
}

// rel names a URL relative to the base for messages.
func (w *WebDAV) rel(u *url.URL) string {
	return strings.TrimPrefix(u.Path, w.base.Path)
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

const propfindBody = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>`

// List implements Remote with PROPFIND, Depth 1.
func (w *WebDAV) List(ctx context.Context, dir string) ([]Entry, error) {
	u, err := w.url(dir, true)
	if err != nil {
		return nil, err
	}
	resp, err := w.do(ctx, "PROPFIND", u, []byte(propfindBody), map[string]string{"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, nil
	case resp.StatusCode != http.StatusMultiStatus:
		return nil, &StatusError{"PROPFIND", w.rel(u), resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("webdav PROPFIND %s: %w", w.rel(u), err)
	}
	if len(body) > MaxFileSize {
		return nil, fmt.Errorf("webdav PROPFIND %s: %w", w.rel(u), ErrTooLarge)
	}
	ents, err := parseMultistatus(body, u)
	if err != nil {
		return nil, fmt.Errorf("webdav PROPFIND %s: %w", w.rel(u), err)
	}
	return ents, nil
}

// multistatus is the part of a PROPFIND answer (RFC 4918) that List uses.
type multistatus struct {
	Responses []struct {
		Href     string `xml:"DAV: href"`
		Propstat []struct {
			Collection *struct{} `xml:"DAV: prop>resourcetype>collection"`
		} `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

// maxEntries bounds a listing.
const maxEntries = 100000

// parseMultistatus turns a PROPFIND answer for the folder at dir into the
// entries directly inside it. Hrefs may be absolute paths or full URLs,
// percent-encoded; the folder itself and names starting with "." are left
// out.
func parseMultistatus(body []byte, dir *url.URL) ([]Entry, error) {
	var ms multistatus
	if err := xml.Unmarshal(body, &ms); err != nil {
		return nil, fmt.Errorf("the server's listing is not WebDAV XML: %w", err)
	}
	if len(ms.Responses) > maxEntries {
		return nil, fmt.Errorf("the server's listing has more than %d entries", maxEntries)
	}
	self := strings.TrimSuffix(dir.Path, "/")
	var out []Entry
	for _, r := range ms.Responses {
		h, err := url.Parse(strings.TrimSpace(r.Href))
		if err != nil {
			return nil, fmt.Errorf("the server's listing has a bad href %q", r.Href)
		}
		p := h.Path
		if !strings.HasPrefix(p, "/") {
			p = path.Join(dir.Path, p)
		}
		p = strings.TrimSuffix(path.Clean(p), "/")
		if p == self || path.Dir(p) != self {
			continue // the folder itself, or not directly inside it
		}
		name := path.Base(p)
		if strings.HasPrefix(name, ".") {
			continue
		}
		isDir := false
		for _, ps := range r.Propstat {
			if ps.Collection != nil {
				isDir = true
			}
		}
		out = append(out, Entry{Name: name, Dir: isDir})
	}
	return out, nil
}

// Read implements Remote with GET.
func (w *WebDAV) Read(ctx context.Context, name string) ([]byte, error) {
	u, err := w.url(name, false)
	if err != nil {
		return nil, err
	}
	resp, err := w.do(ctx, http.MethodGet, u, nil, nil)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{"GET", w.rel(u), resp.StatusCode}
	}
	if resp.ContentLength > MaxFileSize {
		return nil, fmt.Errorf("%s: %w", name, ErrTooLarge)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("webdav GET %s: %w", name, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w", name, ErrTooLarge)
	}
	if resp.ContentLength >= 0 && int64(len(b)) != resp.ContentLength {
		return nil, fmt.Errorf("webdav GET %s: the answer was cut short", name)
	}
	return b, nil
}

// Write implements Remote: PUT to ".NAME.tmp" beside the file, then MOVE
// it over NAME. Missing folders are made with MKCOL when the PUT says 409.
func (w *WebDAV) Write(ctx context.Context, name string, data []byte) error {
	c, err := cleanName(name)
	if err != nil {
		return err
	}
	dir, base := path.Split(c)
	tmp, err := w.url(dir+"."+base+".tmp", false)
	if err != nil {
		return err
	}
	dst, err := w.url(c, false)
	if err != nil {
		return err
	}
	put := func() (int, error) {
		resp, err := w.do(ctx, http.MethodPut, tmp, data, map[string]string{"Content-Type": "application/octet-stream"})
		if err != nil {
			return 0, err
		}
		drain(resp)
		return resp.StatusCode, nil
	}
	code, err := put()
	if err != nil {
		return err
	}
	if code == http.StatusConflict || code == http.StatusNotFound {
		if err := w.mkdirs(ctx, dir); err != nil {
			return err
		}
		if code, err = put(); err != nil {
			return err
		}
	}
	if code != http.StatusCreated && code != http.StatusNoContent && code != http.StatusOK {
		return &StatusError{"PUT", w.rel(tmp), code}
	}
	resp, err := w.do(ctx, "MOVE", tmp, nil, map[string]string{"Destination": dst.String(), "Overwrite": "T"})
	if err != nil {
		return err
	}
	drain(resp)
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return &StatusError{"MOVE", w.rel(tmp), resp.StatusCode}
	}
	return nil
}

// mkdirs makes the remote's folder, then dir and its parents inside it,
// with MKCOL; 405 means it exists. The folders above the remote's folder
// are never made: a 409 there means the URL is wrong.
func (w *WebDAV) mkdirs(ctx context.Context, dir string) error {
	dir = strings.Trim(dir, "/")
	paths := []string{""}
	if dir != "" {
		parts := strings.Split(dir, "/")
		for i := range parts {
			paths = append(paths, strings.Join(parts[:i+1], "/"))
		}
	}
	for _, p := range paths {
		u, err := w.url(p, true)
		if err != nil {
			return err
		}
		resp, err := w.do(ctx, "MKCOL", u, nil, nil)
		if err != nil {
			return err
		}
		drain(resp)
		switch resp.StatusCode {
		case http.StatusCreated, http.StatusOK, http.StatusNoContent, http.StatusMethodNotAllowed:
		case http.StatusConflict:
			if p == "" {
				return fmt.Errorf("the folder above %s does not exist on the server: check the URL: %w", w, &StatusError{"MKCOL", "/", resp.StatusCode})
			}
			return &StatusError{"MKCOL", w.rel(u), resp.StatusCode}
		default:
			return &StatusError{"MKCOL", w.rel(u), resp.StatusCode}
		}
	}
	return nil
}
