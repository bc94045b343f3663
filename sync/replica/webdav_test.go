package replica

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/webdav"

	"github.com/wardkey/wardkey/vault"
)

// davServer is golang.org/x/net/webdav on loopback over a temporary folder,
// with basic auth and a hook that can make any request fail.
type davServer struct {
	*httptest.Server
	root string
	mu   sync.Mutex
	// fault, when set, may handle a request itself (return true).
	fault func(w http.ResponseWriter, r *http.Request) bool
	// requests counts requests by method.
	requests map[string]int
}

const davUser, davPass = "clinic", "s3cret pass"

func newDAVServer(t testing.TB) *davServer {
	t.Helper()
	s := &davServer{root: t.TempDir(), requests: map[string]int{}}
	h := &webdav.Handler{FileSystem: webdav.Dir(s.root), LockSystem: webdav.NewMemLS()}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != davUser || p != davPass {
			w.Header().Set("WWW-Authenticate", `Basic realm="dav"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		s.mu.Lock()
		s.requests[r.Method]++
		fault := s.fault
		s.mu.Unlock()
		if fault != nil && fault(w, r) {
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *davServer) setFault(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

func (s *davServer) remote(t testing.TB, pass string) Remote {
	t.Helper()
	r, err := Open(s.URL+"/dav/", WithBasicAuth(davUser, []byte(pass)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The handler serves the whole tree; the remote lives under /dav/.
func TestWebDAVSync(t *testing.T) {
	s := newDAVServer(t)
	r := s.remote(t, davPass)
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	b := joinDevice(t, "b", r, t0)
	b.add(t, "Mail", "bob")
	b.sync(t, r)
	a.sync(t, r)
	if got := labels(a.v); !slices.Equal(got, []string{"EHR:alice", "Mail:bob"}) {
		t.Errorf("a has %v", got)
	}
	if !sameState(t, a.v.State(), b.v.State()) {
		t.Errorf("a and b differ")
	}
	ents, err := os.ReadDir(filepath.Join(s.root, "dav", a.v.ID(), ReplicaDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{a.v.Device() + Ext, b.v.Device() + Ext}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("server holds %v, want %v (no temporary files left)", names, want)
	}
}

func TestWebDAVWrongPassword(t *testing.T) {
	s := newDAVServer(t)
	a := newFirstDevice(t, "a", t0)
	_, err := Sync(context.Background(), a.v, s.remote(t, "wrong"))
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") || strings.Contains(err.Error(), davPass) {
		t.Errorf("the error shows a password: %v", err)
	}
	if _, err := Join(context.Background(), s.remote(t, "wrong"), "", testPass); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("join with a wrong password: %v", err)
	}
}

// cutBody reads part of the request body, then drops the connection: an
// upload that fails in the middle.
func cutBody(w http.ResponseWriter, r *http.Request) {
	_, _ = io.CopyN(io.Discard, r.Body, 100)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	c, _, err := hj.Hijack()
	if err == nil {
		c.Close()
	}
}

func isReplica(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, Ext+".tmp") || strings.HasSuffix(r.URL.Path, Ext)
}

// TestWebDAVFailures: a server that fails in any step of a sync makes the
// sync report an error; the local vault stays whole (unchanged, or merged
// and saved), the replica already on the server stays whole, and the next
// sync succeeds.
func TestWebDAVFailures(t *testing.T) {
	status := func(method string, code int) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == method {
				http.Error(w, "injected", code)
				return true
			}
			return false
		}
	}
	for _, tc := range []struct {
		name  string
		fault func(w http.ResponseWriter, r *http.Request) bool
		// merged: the failure comes after the merge, so the local vault
		// already holds b's account.
		merged bool
		want   string
	}{
		{"PROPFIND 503", status("PROPFIND", 503), false, "503 Service Unavailable"},
		{"GET 500", status("GET", 500), false, "500 Internal Server Error"},
		{"GET cut short", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != "GET" || !strings.HasSuffix(r.URL.Path, Ext) {
				return false
			}
			w.Header().Set("Content-Length", "100000")
			w.WriteHeader(200)
			w.Write([]byte(`{"header":`))
			w.(http.Flusher).Flush()
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return true
		}, false, "GET"},
		{"PUT 507", status("PUT", 507), true, "507 Insufficient Storage"},
		{"PUT 502", status("PUT", 502), true, "502 Bad Gateway"},
		{"PUT cut mid-upload", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == "PUT" && isReplica(r) {
				cutBody(w, r)
				return true
			}
			return false
		}, true, "PUT"},
		{"MOVE 500", status("MOVE", 500), true, "500 Internal Server Error"},
		{"MKCOL 403", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == "PUT" && isReplica(r) {
				http.Error(w, "no parent", http.StatusConflict)
				return true
			}
			if r.Method == "MKCOL" {
				http.Error(w, "nope", http.StatusForbidden)
				return true
			}
			return false
		}, true, "403 Forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newDAVServer(t)
			r := s.remote(t, davPass)
			a := newFirstDevice(t, "a", t0)
			a.add(t, "EHR", "alice")
			a.sync(t, r)
			b := joinDevice(t, "b", r, t0)
			b.add(t, "Mail", "bob")
			b.sync(t, r)
			a.add(t, "Lab", "carol") // so a has something to push
			aReplica := filepath.Join(s.root, "dav", ReplicaPath(a.v.ID(), a.v.Device()))
			replicaBefore, _ := os.ReadFile(aReplica)
			vaultBefore, _ := os.ReadFile(filepath.Join(a.dir, vault.VaultFile))
			localBefore, _ := vault.LoadLocal(a.dir)

			s.setFault(tc.fault)
			_, err := Sync(context.Background(), a.v, r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("sync through a failing server: %v, want …%s…", err, tc.want)
			}
			if strings.Contains(err.Error(), davPass) {
				t.Errorf("the error shows the password: %v", err)
			}
			// The local vault: whole, and unchanged unless the merge was saved.
			vaultAfter, _ := os.ReadFile(filepath.Join(a.dir, vault.VaultFile))
			if !tc.merged && !bytes.Equal(vaultBefore, vaultAfter) {
				t.Errorf("the vault file changed though nothing was merged")
			}
			fresh, err := vault.Open(a.dir, vault.Unlock{Passphrase: func() ([]byte, error) { return bytes.Clone(testPass), nil }})
			if err != nil {
				t.Fatalf("the local vault no longer opens: %v", err)
			}
			want := []string{"EHR:alice", "Lab:carol"}
			if tc.merged {
				want = []string{"EHR:alice", "Lab:carol", "Mail:bob"}
			}
			if got := labels(fresh); !slices.Equal(got, want) {
				t.Errorf("after the failure the vault has %v, want %v", got, want)
			}
			fresh.Close()
			if l, _ := vault.LoadLocal(a.dir); !l.LastSync.Equal(localBefore.LastSync) {
				t.Errorf("a failed sync recorded a sync time")
			}
			// The replica on the server is the old one, whole.
			if replicaAfter, _ := os.ReadFile(aReplica); !bytes.Equal(replicaBefore, replicaAfter) {
				t.Errorf("the replica on the server changed in a failed sync")
			}
			// The server recovers: the next sync goes through and b gets carol.
			s.setFault(nil)
			rep := a.sync(t, r)
			if rep.Pushed == 0 {
				t.Errorf("the retry pushed nothing: %+v", rep)
			}
			b.sync(t, r)
			if !sameState(t, a.v.State(), b.v.State()) || len(labels(b.v)) != 3 {
				t.Errorf("after the retry b has %v", labels(b.v))
			}
		})
	}
}

// TestWebDAVServerKeepsPartialUpload: a broken server that stores a cut
// upload and answers 201 puts a damaged replica in place. Readers skip it,
// and the device that wrote it replaces it at its next sync.
func TestWebDAVServerKeepsPartialUpload(t *testing.T) {
	s := newDAVServer(t)
	r := s.remote(t, davPass)
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	b := joinDevice(t, "b", r, t0)

	s.setFault(func(w http.ResponseWriter, req *http.Request) bool {
		if req.Method != "PUT" || !isReplica(req) {
			return false
		}
		body, _ := io.ReadAll(req.Body)
		p := filepath.Join(s.root, filepath.FromSlash(req.URL.Path))
		os.WriteFile(p, body[:len(body)/2], 0o600)
		w.WriteHeader(http.StatusCreated)
		return true
	})
	a.add(t, "Lab", "carol")
	a.sync(t, r)
	s.setFault(nil)

	rep := b.sync(t, r)
	if len(rep.Skipped) != 1 || !strings.HasPrefix(rep.Skipped[0], a.v.Device()) {
		t.Errorf("b's sync skipped %q, want a's damaged replica", rep.Skipped)
	}
	if got := labels(b.v); !slices.Equal(got, []string{"EHR:alice"}) {
		t.Errorf("b has %v", got)
	}
	// a finds its own replica damaged and writes it again.
	if rep := a.sync(t, r); rep.Pushed == 0 || len(rep.Skipped) != 1 {
		t.Errorf("a's repair sync: %+v", rep)
	}
	if rep := b.sync(t, r); len(rep.Skipped) != 0 || len(labels(b.v)) != 2 {
		t.Errorf("after the repair b has %v, skipped %q", labels(b.v), rep.Skipped)
	}
}

func TestParseMultistatus(t *testing.T) {
	dir, _ := url.Parse("https://cloud.example.org/remote.php/dav/files/al%20ice/wardkey/v1/replicas/")
	body := `<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
 <d:response><d:href>/remote.php/dav/files/al%20ice/wardkey/v1/replicas/</d:href>
  <d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/files/al%20ice/wardkey/v1/replicas/0123abcd.wkr</d:href>
  <d:propstat><d:prop><d:resourcetype/></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>https://cloud.example.org/remote.php/dav/files/al%20ice/wardkey/v1/replicas/sub%20dir/</d:href>
  <d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/files/al%20ice/wardkey/v1/replicas/.0123abcd.wkr.tmp</d:href>
  <d:propstat><d:prop><d:resourcetype/></d:prop></d:propstat></d:response>
 <d:response><d:href>/elsewhere/x.wkr</d:href>
  <d:propstat><d:prop><d:resourcetype/></d:prop></d:propstat></d:response>
</d:multistatus>`
	got, err := parseMultistatus([]byte(body), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{"0123abcd.wkr", false}, {"sub dir", true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"<not xml", `<d:multistatus xmlns:d="DAV:"><d:response><d:href>%zz</d:href></d:response></d:multistatus>`} {
		if _, err := parseMultistatus([]byte(bad), dir); err == nil {
			t.Errorf("parseMultistatus(%q) accepted it", bad)
		}
	}
}

// TestRcloneWebDAV syncs three workstations through a real third-party
// WebDAV server: rclone serve webdav, with basic auth.
func TestRcloneWebDAV(t *testing.T) {
	rclone := needTool(t, "rclone")
	root := t.TempDir()
	var addr string
	var cmd *exec.Cmd
	for range 20 {
		addr = fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(10000))
		if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			break
		}
	}
	cmd = exec.Command(rclone, "serve", "webdav", root, "--addr", addr, "--user", davUser, "--pass", davPass)
	cmd.Env = append(os.Environ(), "RCLONE_CONFIG="+filepath.Join(t.TempDir(), "rclone.conf"))
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	r, err := Open("http://"+addr+"/wardkey", WithBasicAuth(davUser, []byte(davPass)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := r.List(ctx, "")
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("rclone serve webdav did not answer: %v\n%s", err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	b := joinDevice(t, "b", r, t0)
	c := joinDevice(t, "c", r, t0)
	b.add(t, "Mail", "bob")
	c.add(t, "Lab", "carol")
	for _, d := range []*device{b, c, a, b, c} {
		d.sync(t, r)
	}
	for _, d := range []*device{a, b, c} {
		if got := labels(d.v); !slices.Equal(got, []string{"EHR:alice", "Lab:carol", "Mail:bob"}) {
			t.Errorf("%s has %v", d.name, got)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "wardkey", KeyPath(a.v.ID()))); err != nil {
		t.Errorf("key.json on the rclone server: %v", err)
	}
	bad, _ := Open("http://"+addr+"/wardkey", WithBasicAuth(davUser, []byte("wrong")))
	if _, err := Sync(context.Background(), a.v, bad); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("rclone with a wrong password: %v", err)
	}
}
