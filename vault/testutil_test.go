package vault

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// cheapKDF keeps tests fast; the product uses DefaultKDF.
var cheapKDF = KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}

var cheap = Options{KDF: &cheapKDF}

// readTSV reads a tab-separated file, skipping '#' comments and the header.
func readTSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cols []string
	var rows []map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		if cols == nil {
			cols = fields
			continue
		}
		row := map[string]string{}
		for i, c := range cols {
			if i < len(fields) {
				row[c] = fields[i]
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", path)
	}
	return rows
}

// needTool skips (or fails in CI) when a peer tool is missing.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("WARDKEY_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (WARDKEY_REQUIRE_TOOLS=1) but not installed", name)
		}
		t.Skipf("SKIPPED: %s is not installed (apt-get install it; CI requires it)", name)
	}
	return p
}

func mustSecret(t testing.TB, b32 string) Secret {
	t.Helper()
	s, err := ParseSecret(b32)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// memKeyring is an in-memory Keyring for vault's own tests (code above vault
// uses vaulttest.MemoryKeyring).
type memKeyring map[string]string

func (m memKeyring) Get(service, user string) (string, error) {
	v, ok := m[service+"\x00"+user]
	if !ok {
		return "", ErrKeyringMissing
	}
	return v, nil
}

func (m memKeyring) Set(service, user, secret string) error {
	m[service+"\x00"+user] = secret
	return nil
}

func (m memKeyring) Delete(service, user string) error {
	delete(m, service+"\x00"+user)
	return nil
}
