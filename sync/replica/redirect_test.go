package replica

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// The WebDAV password is never sent across a redirect that changes the
// scheme, host or port: an https server that redirects to http (or to
// another port) gets refused, and the other server sees no credentials.
// A redirect within the same server is still followed, with them.
func TestWebDAVRedirectKeepsCredentials(t *testing.T) {
	var leaked atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer plain.Close()
	other := httptest.NewTLSServer(plain.Config.Handler)
	defer other.Close()

	tests := []struct {
		name   string
		target func(r *http.Request) string
		ok     bool
	}{
		{"https to http", func(r *http.Request) string { return plain.URL + r.URL.Path }, false},
		{"to another port", func(r *http.Request) string { return other.URL + r.URL.Path }, false},
		{"same server", func(r *http.Request) string { return "/moved" + r.URL.Path }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaked.Store(0)
			var authed atomic.Int32
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if u, p, ok := r.BasicAuth(); ok && u == "alice" && p == "s3cret" {
					authed.Add(1)
				}
				if len(r.URL.Path) > 6 && r.URL.Path[:6] == "/moved" {
					w.Write([]byte("data"))
					return
				}
				http.Redirect(w, r, tt.target(r), http.StatusTemporaryRedirect)
			}))
			defer srv.Close()
			c := srv.Client()
			c.Transport.(*http.Transport).TLSClientConfig.RootCAs.AddCert(other.Certificate())
			r, err := Open(srv.URL+"/dav/", WithBasicAuth("alice", []byte("s3cret")), WithHTTPClient(c))
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Read(context.Background(), "v/key.json")
			if tt.ok {
				if err != nil || authed.Load() != 2 {
					t.Fatalf("same-server redirect: %v, authenticated requests %d", err, authed.Load())
				}
				return
			}
			if !errors.Is(err, ErrRedirect) {
				t.Fatalf("Read = %v, want ErrRedirect", err)
			}
			if n := leaked.Load(); n != 0 {
				t.Fatalf("the other server received the credentials %d times", n)
			}
		})
	}
}
