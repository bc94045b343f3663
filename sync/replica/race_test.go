package replica

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// TestSyncRacesClose runs syncs while the vault is locked (run with
// -race): the lock cancels the syncs' context and Close wipes the key
// under the vault's mutex, so a sync in flight ends with the lock's error
// (never "corrupt"), and after Close nothing is sealed or written, locally
// or on the remote.
func TestSyncRacesClose(t *testing.T) {
	r, root := tempFolder(t)
	a := newFirstDevice(t, "a", t0)
	a.add(t, "EHR", "alice")
	a.sync(t, r)
	b := joinDevice(t, "b", r, t0)
	for i := range 5 {
		b.add(t, "Lab", string(rune('a'+i)))
	}
	b.sync(t, r)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := Sync(ctx, a.v, r); err != nil {
					errs <- err
					return
				}
				// a changes between syncs, so each sync seals and writes.
				_ = a.v.UpdateContext(ctx, func(tx *vault.Tx) error {
					_, err := tx.Add(newAccount("Race", time.Now().String(), vault.TOTP))
					return err
				})
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	cancel()    // the lock cancels in-flight work...
	a.v.Close() // ...and wipes the key
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, vault.ErrLocked) && !errors.Is(err, context.Canceled) {
			t.Errorf("a sync racing the lock failed with %v, want ErrLocked or the lock's cancellation", err)
		}
	}
	own := filepath.Join(root, ReplicaPath(a.v.ID(), a.v.Device()))
	remoteBefore, _ := os.ReadFile(own)
	localBefore, _ := os.ReadFile(filepath.Join(a.dir, vault.VaultFile))
	// After the lock, a sync (even with a live context) seals nothing and
	// writes nothing.
	if _, err := Sync(context.Background(), a.v, r); !errors.Is(err, vault.ErrLocked) {
		t.Errorf("sync after Close: %v, want ErrLocked", err)
	}
	if _, err := a.v.Seal([]byte("x"), nil); !errors.Is(err, vault.ErrLocked) {
		t.Errorf("Seal after Close: %v", err)
	}
	remoteAfter, _ := os.ReadFile(own)
	localAfter, _ := os.ReadFile(filepath.Join(a.dir, vault.VaultFile))
	if string(remoteBefore) != string(remoteAfter) || string(localBefore) != string(localAfter) {
		t.Error("something was written after the lock")
	}
}
