package replica

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Remote is where replicas live: a folder or a WebDAV server. Names are
// slash-separated paths relative to the remote's root.
type Remote interface {
	// List returns the entries directly inside dir, without names that
	// start with "." (temporary files). A missing dir lists nothing.
	List(ctx context.Context, dir string) ([]Entry, error)
	// Read returns a file's content, at most MaxFileSize bytes; a missing
	// file is fs.ErrNotExist.
	Read(ctx context.Context, name string) ([]byte, error)
	// Write replaces a file, creating the folders above it. It is atomic:
	// a reader sees the old content or the new, never a part.
	Write(ctx context.Context, name string, data []byte) error
	// String names the remote for people: never a password.
	String() string
}

// Entry is one name in a listing.
type Entry struct {
	Name string
	Dir  bool
}

// MaxFileSize bounds what is read from a remote, so a hostile or broken
// remote cannot exhaust memory. A replica of 10,000 accounts is about 4 MB.
const MaxFileSize = 64 << 20

// ErrUnauthorized: the WebDAV server refused the user name or password.
var ErrUnauthorized = errors.New("the server refused the user name or password")

// ErrTooLarge: a file on the remote is larger than MaxFileSize.
var ErrTooLarge = errors.New("file on the remote is too large")

// Option configures Open.
type Option func(*options)

type options struct {
	user     string
	password []byte
	client   *http.Client
}

// WithBasicAuth sets the WebDAV user and password. A user in the URL
// (https://alice@host/…) is used when user is "".
func WithBasicAuth(user string, password []byte) Option {
	return func(o *options) { o.user, o.password = user, password }
}

// WithHTTPClient sets the HTTP client for WebDAV (tests, proxies).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.client = c }
}

// IsURL reports whether spec names a WebDAV remote (http or https URL)
// rather than a folder.
func IsURL(spec string) bool {
	s := strings.ToLower(spec)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// Open returns the remote named by spec: an http(s) URL is a WebDAV
// server; anything else is a folder, which must exist (so an unmounted
// network share is not silently replaced by a local folder).
func Open(spec string, opts ...Option) (Remote, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if IsURL(spec) {
		return openWebDAV(spec, o)
	}
	if strings.HasPrefix(spec, "file://") {
		u, err := url.Parse(spec)
		if err != nil {
			return nil, fmt.Errorf("remote %q is not a valid file URL", spec)
		}
		spec = u.Path
	}
	if spec == "" {
		return nil, errors.New("no remote was given")
	}
	abs, err := filepath.Abs(spec)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("remote folder %s cannot be used (is the share mounted?): %w", abs, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("remote %s is not a folder", abs)
	}
	return &Folder{root: abs}, nil
}

// cleanName checks a remote name: relative, slash-separated, no "..".
func cleanName(name string) (string, error) {
	c := path.Clean("/" + name)
	if c == "/" && name != "" && name != "." {
		return "", fmt.Errorf("bad remote path %q", name)
	}
	if strings.Contains(name, "\\") || strings.Contains(name, "\x00") {
		return "", fmt.Errorf("bad remote path %q", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("bad remote path %q", name)
		}
	}
	return strings.TrimPrefix(c, "/"), nil
}
