package vault

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCrashSafety kills a saving process with SIGKILL at random moments, at
// least 200 times, and checks after each kill that the vault opens and that
// every save that had returned is still there, HOTP counters included.
func TestCrashSafety(t *testing.T) {
	if dir := os.Getenv("WARDKEY_CRASH_CHILD"); dir != "" {
		crashChild(dir)
		return
	}
	kills := 200
	if testing.Short() {
		kills = 20
	}
	dir, v := newTestVault(t, "pw")
	h := addAccount(t, v, Account{Issuer: "Door", Name: "front", Secret: NewSecret([]byte("abcdefghij")), Type: HOTP})
	saved := map[string]bool{}
	var lastCounter uint64
	shown := false // a HOTP code was shown (lastCounter 0 is a code too)
	rng := rand.New(rand.NewPCG(7, 7))
	midSave := 0
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$")
		cmd.Env = append(os.Environ(), "WARDKEY_CRASH_CHILD="+dir, "WARDKEY_CRASH_HOTP="+h.ID, "WARDKEY_CRASH_RUN="+strconv.Itoa(i))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []string, 1)
		ready := make(chan struct{})
		go func() {
			var ls []string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if sc.Text() == "ready" {
					close(ready)
					continue
				}
				ls = append(ls, sc.Text())
			}
			lines <- ls
		}()
		// Kill at a random moment of the save loop, however slowly the
		// child started on a busy machine.
		select {
		case <-ready:
		case <-time.After(20 * time.Second):
			t.Fatal("the saving child did not start")
		}
		time.Sleep(time.Duration(rng.IntN(30000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		for _, l := range <-lines {
			kind, val, _ := strings.Cut(l, " ")
			switch kind {
			case "saved":
				saved[val] = true
			case "hotp":
				c, _ := strconv.ParseUint(val, 10, 64)
				lastCounter, shown = max(lastCounter, c), true
			}
		}
		if ents, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(ents) > 0 {
			midSave++
		}
		w, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
		if err != nil {
			t.Fatalf("kill %d: the vault does not open: %v", i, err)
		}
		st := w.State()
		for id := range saved {
			if _, ok := st.Account(id); !ok {
				t.Fatalf("kill %d: account %s was saved and is gone", i, id)
			}
		}
		if a, _ := st.Account(h.ID); shown && a.Counter <= lastCounter {
			t.Fatalf("kill %d: HOTP counter %d, but code %d was shown", i, a.Counter, lastCounter)
		}
	}
	t.Logf("%d kills, %d accounts saved and kept, %d kills left a temporary file (a save cut short)", kills, len(saved), midSave)
	if len(saved) == 0 {
		t.Fatal("no save ever completed: the test proves nothing")
	}
}

// crashChild saves in a loop, printing each save after it returned.
func crashChild(dir string) {
	v, err := Open(dir, Unlock{Passphrase: passphrase("pw")})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("ready")
	run := os.Getenv("WARDKEY_CRASH_RUN")
	hotp := os.Getenv("WARDKEY_CRASH_HOTP")
	for j := 0; ; j++ {
		var a Account
		err := v.Update(func(tx *Tx) (err error) {
			a, err = tx.Add(testAccount("Crash", run+"-"+strconv.Itoa(j)))
			return
		})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("saved", a.ID)
		var c uint64
		if err := v.Update(func(tx *Tx) (err error) { c, err = tx.NextHOTP(hotp); return }); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("hotp", c)
	}
}
