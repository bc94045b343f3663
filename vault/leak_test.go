package vault

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverPrint formats accounts, states, vaults and errors every
// way a program might print them and checks no secret shows.
func TestSecretsNeverPrint(t *testing.T) {
	raw := []byte("VERY-SECRET-KEY-BYTES")
	sec := NewSecret(raw)
	a := Account{ID: "00aa", Issuer: "EHR", Name: "dr", Type: TOTP, Secret: sec, Algorithm: SHA1, Digits: 6, Period: 30}
	dir, v := newTestVault(t, "pw")
	addAccount(t, v, a)
	st := v.State()
	values := map[string]any{
		"secret": sec, "&secret": &sec, "account": a, "&account": &a, "accounts": []Account{a},
		"state": st, "vault": v, "tx": &Tx{v: v, state: &st},
		"validate error":   Account{Secret: sec, Digits: 99}.Validate(),
		"unexported field": struct{ a Account }{a}, "unexported state": struct{ s State }{st},
	}
	_, openErr := Open(dir, Unlock{Passphrase: passphrase("wrong")})
	values["open error"] = openErr
	forbidden := []string{string(raw), sec.Base32(), fmt.Sprint(raw), fmt.Sprintf("%x", raw)[:16]}
	for name, val := range values {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			outs = append(outs, fmt.Sprintf(verb, val))
		}
		if j, err := json.Marshal(val); err == nil {
			outs = append(outs, string(j))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", val)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", val)
		outs = append(outs, buf.String())
		for _, out := range outs {
			for _, f := range forbidden {
				if strings.Contains(out, f) {
					t.Errorf("%s: printed the secret: %.200s", name, out)
				}
			}
		}
	}
	// Storage is the one place secrets go, and it round-trips.
	b, err := MarshalState(st)
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalState(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Live()[0].Secret; !got.Equal(sec) {
		t.Error("the storage encoding lost the secret")
	}
	// And the vault file holds it only encrypted.
	file, _ := os.ReadFile(filepath.Join(dir, VaultFile))
	if bytes.Contains(file, raw) || bytes.Contains(file, []byte(sec.Base32())) || bytes.Contains(file, []byte("EHR")) {
		t.Error("the vault file holds plaintext")
	}
	if errors.Is(openErr, ErrWrongPassphrase) == false {
		t.Errorf("open error %v", openErr)
	}
}

// TestKeysAndPassphrasesNeverPrint: the types of format 2 and key rotation
// that carry a passphrase, a recovery code or a key print none of them
// (themselves, by pointer, in a slice or an exported field), and neither do
// the vault's new errors. (Unlike Secret, they hold plain bytes: inside an
// unexported field of another struct, fmt's reflection would show them;
// they are short-lived arguments, never stored in such a struct.)
func TestKeysAndPassphrasesNeverPrint(t *testing.T) {
	pass := []byte("PASSPHRASE-NEVER-PRINTED")
	code := NewRecoveryCode()
	key := bytes.Repeat([]byte{0xA7}, 32)
	dir := filepath.Join(t.TempDir(), "p")
	v, err := Create(dir, CreateOptions{Options: cheap, Passphrase: bytes.Clone(pass), RecoveryCode: code})
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := v.AuditKey()
	vkey := bytes.Clone(v.key)
	file := mustRead(t, filepath.Join(dir, VaultFile))
	rec := slotOf(t, file, SlotRecovery)
	p, _ := parseFile(file)
	pl, err := p.decrypt(vkey)
	if err != nil {
		t.Fatal(err)
	}
	_, rekeyErr := v.Rekey(context.Background(), RekeyOptions{Options: cheap, Passphrase: []byte("PASSPHRASE-NEVER-PRINTEX")})
	values := map[string]any{
		"create options":  CreateOptions{Passphrase: pass, RecoveryCode: code},
		"unlock":          Unlock{RecoveryCode: code, Passphrase: func() ([]byte, error) { return pass, nil }},
		"rekey options":   RekeyOptions{Passphrase: pass, RecoveryCode: code},
		"adopt options":   AdoptKeyOptions{Key: key},
		"&rekey options":  &RekeyOptions{Passphrase: pass, RecoveryCode: code},
		"payload":         pl,
		"old key":         oldKey{id: "x", key: key},
		"recovery slot":   rec,
		"vault":           v,
		"rekey error":     rekeyErr,
		"key rotated":     ErrKeyRotated,
		"settings error":  Settings{LockAfter: 1, Stamp: Stamp{Wall: 1}}.Validate(),
		"rekey result":    RekeyResult{KeyID: "k"},
		"in a struct":     struct{ O RekeyOptions }{RekeyOptions{Passphrase: pass, RecoveryCode: code}},
		"keys in a slice": []oldKey{{id: "x", key: key}},
	}
	forbidden := []string{string(pass), code, strings.ReplaceAll(code, "-", "")}
	for _, k := range [][]byte{key, vkey, audit, pass} {
		forbidden = append(forbidden, fmt.Sprint(k), fmt.Sprintf("%x", k)[:16], base64.StdEncoding.EncodeToString(k)[:16],
			base32.StdEncoding.EncodeToString(k)[:16], fmt.Sprintf("%v", k[:8])[1:20])
	}
	for name, val := range values {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			outs = append(outs, fmt.Sprintf(verb, val))
		}
		if j, err := json.Marshal(val); err == nil {
			outs = append(outs, string(j))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", val)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", val)
		outs = append(outs, buf.String())
		for _, out := range outs {
			for _, f := range forbidden {
				if strings.Contains(out, f) {
					t.Errorf("%s: printed a secret (%.20q…): %.200s", name, f, out)
				}
			}
		}
	}
	// The vault file holds no key, passphrase or code in the clear.
	for _, f := range forbidden {
		if bytes.Contains(file, []byte(f)) {
			t.Errorf("the vault file holds %.20q", f)
		}
	}
}

// The vault payload's binary encoding round-trips every field.
func TestBinaryStateRoundTrip(t *testing.T) {
	c := NewClock("dev-1", nil)
	st := State{
		Accounts: []Account{
			{ID: "0001", Issuer: "EHR ü", Name: "dr", Type: HOTP, Secret: NewSecret([]byte{0, 1, 2, 255}), Algorithm: SHA512, Digits: 8, Counter: 1 << 40, Tags: []string{"a", ""}, Note: "n\x00", Favorite: true, Stamp: c.Now()},
			{ID: "0002", Issuer: "", Name: "x", Type: Steam, Secret: NewSecret([]byte("k")), Algorithm: SHA1, Digits: 5, Period: 30, Tags: []string{}, Stamp: Stamp{Wall: -5, Logical: 1<<32 - 1, Device: "d"}},
		},
		Tombstones: []Tombstone{{ID: "0003", Stamp: c.Now()}},
		Settings:   Settings{LockAfter: 300, Stamp: c.Now()},
	}
	b := marshalStateBinary(st)
	got, err := unmarshalStateBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := MarshalState(st)
	j2, _ := MarshalState(got)
	if string(j1) != string(j2) {
		t.Errorf("round trip differs:\n%s\n%s", j1, j2)
	}
	for i := range len(b) {
		if _, err := unmarshalStateBinary(b[:i]); err == nil {
			t.Fatalf("a truncated state (%d of %d bytes) decoded", i, len(b))
		}
	}
}
