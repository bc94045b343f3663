//go:build unix

// Command benchtable prints one table of whole-process timings: wardkey
// beside the tools a clinic might use instead, every pair measured in the
// same run, started in turn (A B A B ...), with medians and the median of
// the pairwise ratios. `make bench` runs it after the Go benchmarks, inside
// .ci/keyring-session (a private D-Bus session with an unlocked
// gnome-keyring), from the module root:
//
//	go run ./app/internal/benchtable [-runs N] [-quick] [-idle 30s]
//
// Rows whose peer is not installed say so and are skipped. What each peer
// is, and how it is set up, is in docs/performance.md; the setup here is
// the reference. Nothing of the person's own keyring, GnuPG or password
// store is touched: every peer lives in a temporary directory.
package main

import (
	"bytes"
	"encoding/base32"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/wardkey/wardkey/vault"
)

var (
	runs    = flag.Int("runs", 21, "pairs per process row")
	slow    = flag.Int("slow-runs", 5, "pairs per row of a second or more (import 10,000, restore)")
	quick   = flag.Bool("quick", false, "a few runs of each, for a smoke test")
	idleFor = flag.Duration("idle", 30*time.Second, "how long to measure the TUI's idle CPU")
	keys    = flag.Int("keys", 40, "keystrokes per latency row")
	only    = flag.String("only", "", "comma-separated sections to run (code, qr, import, backup, tui); all when empty")
)

// section reports whether a section of the table is to be run.
func section(name string) bool {
	if *only == "" {
		return true
	}
	for _, s := range strings.Split(*only, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

// The account every code row asks for, the same secret in every tool.
const (
	benchSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	benchURI    = "otpauth://totp/Bench:user?secret=" + benchSecret + "&issuer=Bench"
	passphrase  = "correct horse battery staple clinic"
)

type table struct {
	rows  [][]string
	notes []string
}

func (t *table) add(cells ...string) {
	for i, c := range cells {
		c, _, _ = strings.Cut(c, "\n") // one line per row: an error's first line
		cells[i] = c
	}
	t.rows = append(t.rows, cells)
}

func (t *table) skip(what, why string) {
	t.add(what, "-", "-", "-", "-", "-", "skipped: "+why)
}

func (t *table) print() {
	head := []string{"measurement", "wardkey median (cpu)", "peer", "peer median (cpu)", "ratio wall", "ratio cpu", "runs / note"}
	w := make([]int, len(head))
	for _, r := range append([][]string{head}, t.rows...) {
		for i, c := range r {
			w[i] = max(w[i], len([]rune(c)))
		}
	}
	line := func(r []string) {
		var sb strings.Builder
		sb.WriteString("|")
		for i, c := range r {
			fmt.Fprintf(&sb, " %-*s |", w[i], c)
		}
		fmt.Println(sb.String())
	}
	line(head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = strings.Repeat("-", w[i])
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
	for _, n := range t.notes {
		fmt.Println("- " + n)
	}
}

func main() {
	flag.Parse()
	if *quick {
		*runs, *slow, *keys, *idleFor = 3, 1, 8, 5*time.Second
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.*)$`).FindSubmatch(b); m != nil {
			cpu = string(m[1])
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	return fmt.Sprintf("%s, %d cores, %s %s/%s, load average %s", cpu, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		strings.Join(strings.Fields(string(load))[:3], " "))
}

func have(tool string) bool {
	_, err := exec.LookPath(tool)
	return err == nil
}

func sh(stdin string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %.500s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// uris writes n otpauth URIs; the first is the bench account.
func uris(path string, n int) error {
	var sb strings.Builder
	sb.WriteString(benchURI + "\n")
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "otpauth://totp/Service%%20%d:user%d?secret=%s&issuer=Service%%20%d\n",
			i%97, i, enc.EncodeToString([]byte(fmt.Sprintf("bench-secret-%012d", i))), i%97)
	}
	return os.WriteFile(path, []byte(sb.String()), 0o600)
}

func codeCheck(out []byte) error {
	if !regexp.MustCompile(`^\d{6}\n$`).Match(out) {
		return fmt.Errorf("not a code: %q", out)
	}
	return nil
}

func run() error {
	started := machine()
	tmp, err := os.MkdirTemp("", "wardkey-benchtable-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p := func(n string) string { return filepath.Join(tmp, n) }
	keyring := os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" && os.Getenv("WARDKEY_KEYRING_SESSION") != ""

	fmt.Fprintln(os.Stderr, "benchtable: building wardkey and the go-keyring-only process")
	wk, kg := p("wardkey"), p("keyringget")
	// Both built as the release builds wardkey (.ci/goreleaser.yaml): static,
	// without cgo. A cgo build is dynamically linked, and the loader's work
	// (libc, relocations) adds about a tenth to every start.
	static := []string{"CGO_ENABLED=0"}
	// As installed: wk is the lean build, wardkey-full beside it takes the
	// commands the lean one hands over (import, export, restore, the code
	// screen: app/lean.go).
	if err := sh("", static, "go", "build", "-trimpath", "-tags", "wardkey_lean", "-o", wk, "github.com/wardkey/wardkey"); err != nil {
		return err
	}
	if err := sh("", static, "go", "build", "-trimpath", "-o", filepath.Join(filepath.Dir(wk), "wardkey-full"), "github.com/wardkey/wardkey"); err != nil {
		return err
	}
	if err := sh("", static, "go", "build", "-trimpath", "-o", kg, "github.com/wardkey/wardkey/app/internal/benchtable/keyringget"); err != nil {
		return err
	}
	if err := os.WriteFile(p("pass.txt"), []byte(passphrase+"\n"), 0o600); err != nil {
		return err
	}
	for _, n := range []int{1000, 4000, 10000} {
		if err := uris(p(fmt.Sprintf("uris%d.txt", n)), n); err != nil {
			return err
		}
	}
	var t table

	// Vaults: keyring slot where there is a Secret Service (no KDF at
	// open, as on a personal workstation), else a passphrase file.
	vaultEnv := func(home string) []string {
		e := []string{"WARDKEY_HOME=" + home}
		if !keyring {
			e = append(e, "WARDKEY_PASSPHRASE_FILE="+p("pass.txt"))
		}
		return e
	}
	mkVault := func(home string, n int) error {
		args := []string{"init", "--keyring"}
		if !keyring {
			args = []string{"init", "--no-keyring"}
		}
		if err := sh("", vaultEnv(home), wk, args...); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		return sh("", vaultEnv(home), wk, "import", p(fmt.Sprintf("uris%d.txt", n)))
	}
	fmt.Fprintln(os.Stderr, "benchtable: making vaults of 1,000 and 10,000 accounts")
	for _, n := range []int{0, 1000, 10000} {
		if err := mkVault(p(fmt.Sprintf("home%d", n)), n); err != nil {
			return err
		}
	}
	if !keyring {
		t.notes = append(t.notes, "no keyring session (run through make bench): vaults open with a passphrase file, so every wardkey row includes argon2id")
	}

	// The peers' set-up.
	// go-keyring's attributes: service and username.
	kgItem := []string{"service", "wardkey-bench", "username", "bench"}
	if keyring {
		if err := sh(strings.Repeat("k", 44), nil, "secret-tool", append([]string{"store", "--label=wardkey bench"}, kgItem...)...); err != nil {
			return err
		}
	}
	passEnv := []string{"GNUPGHOME=" + p("gnupg"), "PASSWORD_STORE_DIR=" + p("store")}
	passOK := have("pass") && have("gpg") && fileExists("/usr/lib/password-store/extensions/otp.bash")
	if passOK {
		if err := os.Mkdir(p("gnupg"), 0o700); err != nil {
			return err
		}
		// gpg starts an agent for this GNUPGHOME: stop it at the end.
		defer func() { _ = sh("", passEnv, "gpgconf", "--kill", "gpg-agent") }()
		if err := sh("", passEnv, "gpg", "--batch", "--passphrase", "", "--quick-gen-key", "bench@wardkey.invalid", "default", "default", "never"); err != nil {
			return err
		}
		if err := sh("", passEnv, "pass", "init", "bench@wardkey.invalid"); err != nil {
			return err
		}
		if err := sh(benchURI+"\n", passEnv, "pass", "otp", "insert", "bench/totp"); err != nil {
			return err
		}
	}
	kpOK := have("keepassxc-cli")
	if kpOK {
		xml := `<?xml version="1.0" encoding="utf-8" standalone="yes"?><KeePassFile><Meta><Generator>wardkey-bench</Generator></Meta><Root><Group><Name>Root</Name>` +
			`<Entry><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><String><Key>Title</Key><Value>bench</Value></String><String><Key>otp</Key><Value>` +
			strings.ReplaceAll(benchURI, "&", "&amp;") + `</Value></String></Entry></Group></Root></KeePassFile>`
		if err := os.WriteFile(p("db.xml"), []byte(xml), 0o600); err != nil {
			return err
		}
		if err := os.WriteFile(p("db.key"), bytes.Repeat([]byte("wardkey-bench-key"), 4), 0o600); err != nil {
			return err
		}
		// The lowest decryption time keepassxc-cli allows: 100 ms of KDF.
		if err := sh("", nil, "keepassxc-cli", "import", "-q", "--set-key-file", p("db.key"), "-t", "100", p("db.xml"), p("db.kdbx")); err != nil {
			return err
		}
	}

	// 1. A code.
	for _, n := range []int{1000, 10000} {
		if !section("code") {
			break
		}
		code := command{name: "wardkey code", argv: []string{wk, "code", "bench"}, env: vaultEnv(p(fmt.Sprintf("home%d", n))), check: codeCheck}
		label := fmt.Sprintf("code, %d accounts", n)
		row := func(peer string, b command, r int) {
			res, err := paired(code, b, r, 2)
			if err != nil {
				t.add(label, "-", peer, "-", "-", "-", "failed: "+err.Error())
				return
			}
			t.add(label, ms(median(walls(res.a)))+" ("+ms(median(cpus(res.a)))+")", peer,
				ms(median(walls(res.b)))+" ("+ms(median(cpus(res.b)))+")", ratio(median(res.wallRatios)), ratio(median(res.cpuRatios)), fmt.Sprint(len(res.a)))
		}
		if keyring {
			row("go-keyring Get only", command{name: "keyringget", argv: []string{kg, "wardkey-bench", "bench"}}, *runs)
			row("secret-tool lookup", command{name: "secret-tool", argv: append([]string{"secret-tool", "lookup"}, kgItem...)}, *runs)
		} else {
			t.skip(label+" vs go-keyring / secret-tool", "no keyring session")
		}
		row("oathtool --totp", command{name: "oathtool", argv: []string{"oathtool", "--totp", "-b", benchSecret}, check: codeCheck}, *runs)
		if n == 1000 {
			if passOK {
				row("pass otp (gpg)", command{name: "pass otp", argv: []string{"pass", "otp", "bench/totp"}, env: passEnv, check: codeCheck}, *runs)
			} else {
				t.skip(label+" vs pass otp", "pass, gpg or pass-extension-otp not installed")
			}
			if kpOK {
				row("keepassxc-cli show -t (100 ms KDF)", command{name: "keepassxc-cli", argv: []string{"keepassxc-cli", "show", "-q", "-t", "--no-password", "-k", p("db.key"), p("db.kdbx"), "bench"}, check: codeCheck}, *runs)
			} else {
				t.skip(label+" vs keepassxc-cli", "keepassxc-cli not installed")
			}
		}
	}
	if section("code") {
		versionRow(&t, wk)
	}

	// 2. QR images.
	if !section("qr") {
	} else if have("qrencode") && have("convert") && have("zbarimg") {
		if err := qrImages(tmp); err != nil {
			return err
		}
		for _, img := range []struct{ label, file string }{{"QR, 1920x1080 screenshot", "screenshot.png"}, {"QR, 4000x3000 photo (12 MP)", "photo.jpg"}} {
			a := command{name: "wardkey import --dry-run", argv: []string{wk, "import", "--dry-run", p(img.file)}, env: vaultEnv(p("home0")),
				check: func(out []byte) error {
					if !bytes.Contains(out, []byte("1 would be added")) {
						return fmt.Errorf("no account read: %.200s", out)
					}
					return nil
				}}
			b := command{name: "zbarimg", argv: []string{"zbarimg", "--nodbus", "--raw", "-q", p(img.file)}}
			res, err := paired(a, b, max(3, *runs/3), 1)
			if err != nil {
				t.add(img.label, "-", "zbarimg", "-", "-", "-", "failed: "+err.Error())
				continue
			}
			t.add(img.label, ms(median(walls(res.a)))+" ("+ms(median(cpus(res.a)))+")", "zbarimg --raw",
				ms(median(walls(res.b)))+" ("+ms(median(cpus(res.b)))+")", ratio(median(res.wallRatios)), ratio(median(res.cpuRatios)), fmt.Sprint(len(res.a))+"; wardkey's includes opening the vault")
		}
	} else {
		t.skip("QR decode vs zbarimg", "qrencode, ImageMagick or zbarimg not installed")
	}

	// 3. Import: fresh copies of an empty vault and of a 10,000-account one.
	if section("import") {
		importRows(&t, wk, p, vaultEnv)
	}
	// 4. Backups: export at the product's scrypt work factor, restore, and
	// age -d of the same file (the scrypt floor any reader pays).
	if section("backup") {
		backupRows(&t, wk, p, vaultEnv)
	}
	// 5. The TUI in tmux: keystroke to screen, beside cat in the same tmux.
	if !section("tui") {
	} else if have("tmux") && keyring {
		if err := tuiRows(&t, wk, p); err != nil {
			t.add("TUI", "-", "-", "-", "-", "-", "failed: "+err.Error())
		}
	} else {
		t.skip("TUI keystroke and idle CPU", "tmux not installed or no keyring session")
	}

	fmt.Printf("\nwardkey beside its peers — %s\nstarted: %s\nended:   %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), started, machine())
	t.print()
	fmt.Println("\nmedians of whole processes (wall, and in brackets user+system CPU); ratios are medians of A/B taken pair by pair (A and B run in turn).")
	return nil
}

func versionRow(t *table, wk string) {
	version := command{name: "wardkey --version", argv: []string{wk, "--version"}}
	if res, err := paired(version, command{name: "oathtool", argv: []string{"oathtool", "--totp", "-b", benchSecret}}, *runs, 2); err == nil {
		t.add("--version (start-up)", ms(median(walls(res.a)))+" ("+ms(median(cpus(res.a)))+")", "oathtool --totp",
			ms(median(walls(res.b)))+" ("+ms(median(cpus(res.b)))+")", ratio(median(res.wallRatios)), ratio(median(res.cpuRatios)), fmt.Sprint(len(res.a)))
	} else {
		t.add("--version (start-up)", "-", "oathtool", "-", "-", "-", "failed: "+err.Error())
	}
}

func importRows(t *table, wk string, p func(string) string, vaultEnv func(string) []string) {
	importCmd := func(into, n int) command {
		home := p(fmt.Sprintf("imp-%d-%d", into, n))
		return command{name: "wardkey import", argv: []string{wk, "import", p(fmt.Sprintf("uris%d.txt", n))}, env: vaultEnv(home),
			prepare: func() error {
				if err := os.RemoveAll(home); err != nil {
					return err
				}
				return sh("", nil, "cp", "-a", p(fmt.Sprintf("home%d", into)), home)
			}}
	}
	for _, c := range []struct {
		label   string
		a, b    command
		r       int
		peerLbl string
	}{
		{"import 1,000 URIs (empty vault)", importCmd(0, 1000), command{}, *slow, ""},
		{"import 4,000 URIs vs 1,000 (linear: ~4x)", importCmd(0, 4000), importCmd(0, 1000), *slow, "import 1,000"},
		{"import 10,000 URIs (empty vault)", importCmd(0, 10000), command{}, *slow, ""},
		{"import 10,000 URIs into 10,000", importCmd(10000, 10000), command{}, *slow, ""},
	} {
		res, err := paired(c.a, c.b, c.r, 1)
		if err != nil {
			t.add(c.label, "-", c.peerLbl, "-", "-", "-", "failed: "+err.Error())
			continue
		}
		if c.b.argv == nil {
			t.add(c.label, ms(median(walls(res.a)))+" ("+ms(median(cpus(res.a)))+")", "-", "-", "-", "-", fmt.Sprint(len(res.a)))
			continue
		}
		t.add(c.label, ms(median(walls(res.a)))+" ("+ms(median(cpus(res.a)))+")", c.peerLbl,
			ms(median(walls(res.b)))+" ("+ms(median(cpus(res.b)))+")", ratio(median(res.wallRatios)), ratio(median(res.cpuRatios)), fmt.Sprint(len(res.a)))
	}

}

// ageVersion is the filippo.io/age wardkey links (go.mod): the version
// built with this Go for the second scrypt floor.
const ageVersion = "v1.3.2"

func backupRows(t *table, wk string, p func(string) string, vaultEnv func(string) []string) {
	if have("age") && have("script") {
		// The distribution's age is built with its own Go (Debian 12's:
		// 1.19), whose scrypt can differ from this Go's by 1.4x on one CPU
		// (docs/performance.md): the same age built with this Go is the
		// floor that compares the code and not the compilers.
		ageOurs := ""
		if err := sh("", []string{"GOBIN=" + p(""), "CGO_ENABLED=0", "GOFLAGS=-trimpath"}, "go", "install", "filippo.io/age/cmd/age@"+ageVersion); err == nil {
			ageOurs = p("age")
		} else {
			t.notes = append(t.notes, "age "+ageVersion+" could not be built with this Go (no module proxy?): only the distribution's age -d is a peer")
		}
		for _, n := range []int{1000, 10000} {
			file := p(fmt.Sprintf("backup%d.age", n))
			exp := command{name: "wardkey export", argv: []string{wk, "export", "--out", file, "--passphrase-file", p("pass.txt")}, env: vaultEnv(p(fmt.Sprintf("home%d", n))),
				prepare: func() error { return os.RemoveAll(file) }}
			ageD := command{name: "age -d", argv: []string{"script", "-qec", "age -d -o " + p("age-out.json") + " " + file, "/dev/null"}, stdin: passphrase + "\n"}
			res, err := paired(exp, ageD, *slow, 0)
			if err != nil {
				t.add(fmt.Sprintf("export, %d accounts", n), "-", "age -d", "-", "-", "-", "failed: "+err.Error())
				continue
			}
			t.add(fmt.Sprintf("export, %d accounts", n), ms(median(walls(res.a)))+" ("+ms(median(cpus(res.a)))+")", "age -d (same file)",
				ms(median(walls(res.b)))+" ("+ms(median(cpus(res.b)))+")", ratio(median(res.wallRatios)), ratio(median(res.cpuRatios)), fmt.Sprint(len(res.a)))
			restHome := p(fmt.Sprintf("rest%d", n))
			rest := command{name: "wardkey restore", argv: []string{wk, "restore", "--passphrase-file", p("pass.txt"), file}, env: vaultEnv(restHome),
				prepare: func() error {
					if err := os.RemoveAll(restHome); err != nil {
						return err
					}
					return sh("", nil, "cp", "-a", p("home0"), restHome)
				}}
			res, err = paired(rest, ageD, *slow, 0)
			if err != nil {
				t.add(fmt.Sprintf("restore, %d accounts", n), "-", "age -d", "-", "-", "-", "failed: "+err.Error())
				continue
			}
			t.add(fmt.Sprintf("restore, %d accounts (into an empty vault)", n), ms(median(walls(res.a)))+" ("+ms(median(cpus(res.a)))+")", "age -d (same file)",
				ms(median(walls(res.b)))+" ("+ms(median(cpus(res.b)))+")", ratio(median(res.wallRatios)), ratio(median(res.cpuRatios)), fmt.Sprint(len(res.a)))
		}
		// Restore against the same age built with this Go, last, so that
		// the rows above read as before.
		for _, n := range []int{1000, 10000} {
			if ageOurs == "" {
				break
			}
			file, restHome := p(fmt.Sprintf("backup%d.age", n)), p(fmt.Sprintf("rest%d", n))
			ours := command{name: "age -d (this Go)", argv: []string{"script", "-qec", ageOurs + " -d -o " + p("age-out.json") + " " + file, "/dev/null"}, stdin: passphrase + "\n"}
			rest := command{name: "wardkey restore", argv: []string{wk, "restore", "--passphrase-file", p("pass.txt"), file}, env: vaultEnv(restHome),
				prepare: func() error {
					if err := os.RemoveAll(restHome); err != nil {
						return err
					}
					return sh("", nil, "cp", "-a", p("home0"), restHome)
				}}
			res, err := paired(rest, ours, *slow, 0)
			if err != nil {
				t.add(fmt.Sprintf("restore, %d accounts", n), "-", "age -d (this Go)", "-", "-", "-", "failed: "+err.Error())
				continue
			}
			t.add(fmt.Sprintf("restore, %d accounts (into an empty vault)", n), ms(median(walls(res.a)))+" ("+ms(median(cpus(res.a)))+")", "age -d, "+ageVersion+" built with this Go",
				ms(median(walls(res.b)))+" ("+ms(median(cpus(res.b)))+")", ratio(median(res.wallRatios)), ratio(median(res.cpuRatios)), fmt.Sprint(len(res.a)))
		}
	} else {
		t.skip("export/restore vs age -d", "age or script not installed")
	}

}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// qrImages makes the screenshot and the photo the importer's benchmarks
// use (importer/qr_test.go): a small code on a 1920x1080 page, and a tilted
// code on a 4000x3000 textured JPEG.
func qrImages(dir string) error {
	d := func(n string) string { return filepath.Join(dir, n) }
	font := "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	steps := [][]string{
		{"qrencode", "-s", "3", "-m", "4", "-o", d("a3.png"), benchURI},
		{"qrencode", "-s", "20", "-m", "4", "-o", d("a20.png"), benchURI},
		{"convert", "-size", "1920x1080", "xc:#f0f0f0", "-fill", "#333", "-font", font, "-pointsize", "28",
			"-annotate", "+100+100", "Set up two-factor authentication: scan this code", d("a3.png"), "-geometry", "+1400+600", "-composite", d("screenshot.png")},
		{"convert", "-size", "1000x750", "xc:#d8d2c4", "-attenuate", "0.6", "+noise", "Gaussian", "-resize", "4000x3000!",
			"(", d("a20.png"), "-background", "#d8d2c4", "-rotate", "12", ")", "-geometry", "+1300+900", "-composite", "-quality", "85", d("photo.jpg")},
	}
	for _, s := range steps {
		if err := sh("", nil, s[0], s[1:]...); err != nil {
			return err
		}
	}
	return nil
}

func tuiRows(t *table, wk string, p func(string) string) error {
	for _, n := range []int{1000, 10000} {
		home := p(fmt.Sprintf("home%d", n))
		// No NTP server is reachable from a benchmark: point the TUI's
		// clock check at a closed loopback port so it fails at once, not
		// after its 3 s timeout in the middle of a measurement.
		if _, err := vault.UpdateLocal(filepath.Join(home, vault.DefaultProfile), func(l *vault.Local) { l.ClockServer = "127.0.0.1:9" }); err != nil {
			return err
		}
		wkLat, idle, err := tuiLatency(wk, home, n == 1000)
		if err != nil {
			return err
		}
		catLat, _, err := paneLatency("wardkey-bench-cat", nil, []string{"exec", "cat"}, "cat", 0)
		if err != nil {
			return err
		}
		t.add(fmt.Sprintf("TUI keystroke to screen, %d accounts", n), ms(median(wkLat)), "cat in the same tmux", ms(median(catLat)),
			ratio(float64(median(wkLat))/float64(median(catLat))), "-", fmt.Sprintf("%d keys; wardkey max %s", len(wkLat), ms(slicesMax(wkLat))))
		if n == 1000 {
			t.add(fmt.Sprintf("TUI idle CPU, %d accounts", n), fmt.Sprintf("%.2f %% of a core", idle*100), "-", "-", "-", "-", fmt.Sprintf("over %s", *idleFor))
		}
	}
	return nil
}

func slicesMax(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// tuiLatency starts the TUI on a vault, waits for the code screen, opens
// find and types, alternating a letter and backspace (each redraws the
// filtered list), then measures idle CPU on the code screen.
func tuiLatency(wk, home string, measureIdle bool) ([]time.Duration, float64, error) {
	env := []string{"WARDKEY_HOME=" + home, "DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS"), "TERM=xterm-256color"}
	var idle time.Duration
	if measureIdle {
		idle = *idleFor
	}
	lat, share, err := paneLatency("wardkey-bench-tui", env, []string{"exec", wk}, "wardkey", idle)
	return lat, share, err
}

func paneLatency(sock string, env, argv []string, what string, idle time.Duration) ([]time.Duration, float64, error) {
	pane, err := startPane(sock, env, argv...)
	if err != nil {
		return nil, 0, err
	}
	defer pane.close()
	// Let start-up, the unlock and the clock check finish. The code
	// screen redraws every second, so it never falls quiet: wait for the
	// bench account instead.
	if what == "wardkey" {
		if err := pane.waitScreen("Bench", 30*time.Second); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", what, err)
		}
		time.Sleep(2 * time.Second)
		pane.drain()
	} else if err := pane.quiet(1500*time.Millisecond, 20*time.Second); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	var share float64
	if idle > 0 {
		if share, err = pane.idle(idle); err != nil {
			return nil, 0, err
		}
	}
	keysToSend := []string{"u", "BSpace"}
	if what == "wardkey" {
		if _, err := pane.key("/"); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", what, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	lat, err := pane.latencies(*keys, keysToSend...)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	return lat, share, nil
}
