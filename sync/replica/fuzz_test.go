package replica

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// fuzzKey is a fixed vault key for the fuzz targets, named fuzzKeyID.
var fuzzKey = bytes.Repeat([]byte{7}, 32)

const fuzzKeyID = "0123456789abcdef0123456789abcdef"

func fuzzUnseal(id string, s, ad []byte) ([]byte, error) {
	if id != "" && id != fuzzKeyID {
		return nil, vault.ErrUnknownKey
	}
	return vault.UnsealWithKey(fuzzKey, s, ad)
}

func fuzzReplica(t testing.TB) []byte {
	s := vault.State{Accounts: []vault.Account{{
		ID: "0123456789abcdef", Issuer: "EHR", Name: "alice", Type: vault.TOTP, Algorithm: vault.SHA1,
		Digits: 6, Period: 30, Secret: vault.NewSecret([]byte("12345678901234567890")), Tags: []string{},
	}}, Tombstones: []vault.Tombstone{{ID: "fedcba9876543210"}}}
	b, err := encodeReplica(sealWith(fuzzKey, fuzzKeyID),
		Header{VaultID: "vaultvaultvault1", DeviceID: "device0000000001", Written: time.Unix(1750000000, 0)}, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fuzzReplicaV1 is a replica of version 1 (JSON state, no key ID), as the
// wardkey before format 2 wrote it.
func fuzzReplicaV1(t testing.TB) []byte {
	hb := []byte(`{"format":"wardkey-replica","version":1,"vault_id":"vaultvaultvault1","device_id":"device0000000001","written":"2025-06-15T15:06:40Z"}`)
	plain, err := vault.MarshalState(vault.State{Accounts: []vault.Account{{
		ID: "0123456789abcdef", Issuer: "EHR", Name: "alice", Type: vault.TOTP, Algorithm: vault.SHA1,
		Digits: 6, Period: 30, Secret: vault.NewSecret([]byte("12345678901234567890")), Tags: []string{},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := vault.SealWithKey(fuzzKey, plain, replicaAD(1, hb))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(replicaFile{Header: hb, Sealed: sealed})
	return b
}

// FuzzDecodeReplica: whatever a remote serves, decoding never panics, and
// only a file sealed with the key opens.
func FuzzDecodeReplica(f *testing.F) {
	good := fuzzReplica(f)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte(`{"header":{"format":"wardkey-replica","version":1,"vault_id":"vaultvaultvault1","device_id":"device0000000001"},"sealed":""}`))
	f.Add([]byte(`{"header":{"format":"wardkey-replica","version":2}}`))
	f.Add([]byte(`{"header":{"format":"wardkey-replica","version":2,"vault_id":"vaultvaultvault1","key_id":"0123456789abcdef0123456789abcdef","device_id":"device0000000001"},"sealed":""}`))
	f.Add([]byte(`{"header":{"format":"wardkey-replica","version":3}}`))
	f.Add(fuzzReplicaV1(f))
	f.Add([]byte("null"))
	unseal := fuzzUnseal
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseHeader(b)
		h, s, err := decodeReplica(unseal, b, "vaultvaultvault1", "device0000000001.wkr")
		if err != nil {
			return
		}
		if h.VaultID != "vaultvaultvault1" || h.DeviceID != "device0000000001" {
			t.Fatalf("opened a replica of %s/%s", h.VaultID, h.DeviceID)
		}
		for _, a := range s.Accounts {
			if err := a.Validate(); err != nil {
				t.Fatalf("an invalid account got through: %v", err)
			}
		}
	})
}

// FuzzParseMultistatus: any PROPFIND answer parses or fails, never panics,
// and never names an entry outside the folder or a path.
func FuzzParseMultistatus(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/v/replicas/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response><d:response><d:href>/dav/v/replicas/a.wkr</d:href><d:propstat><d:prop><d:resourcetype/></d:prop></d:propstat></d:response></d:multistatus>`))
	f.Add([]byte(`<D:multistatus xmlns:D="DAV:"><D:response><D:href>http://h/dav/v/replicas/x%2Fy</D:href></D:response><D:response><D:href>../../etc/passwd</D:href></D:response></D:multistatus>`))
	f.Add([]byte(`<multistatus xmlns="DAV:"><response><href>/dav/v/replicas/b%20c.wkr</href></response></multistatus>`))
	dir, _ := url.Parse("http://h/dav/v/replicas/")
	f.Fuzz(func(t *testing.T, b []byte) {
		ents, err := parseMultistatus(b, dir)
		if err != nil {
			return
		}
		for _, e := range ents {
			if e.Name == "" || e.Name == "." || e.Name == ".." || strings.HasPrefix(e.Name, ".") {
				t.Fatalf("entry %q", e.Name)
			}
			if _, err := cleanName("v/replicas/" + e.Name); err != nil && !strings.Contains(e.Name, "\\") && !strings.Contains(e.Name, "\x00") {
				t.Fatalf("entry %q escapes the folder: %v", e.Name, err)
			}
		}
	})
}

// FuzzParseKey: any key.json parses or fails, never panics.
func FuzzParseKey(f *testing.F) {
	f.Add([]byte(`{"format":"wardkey-key","version":1,"vault_id":"v1","slot":{"kind":"passphrase","kdf":{"alg":"argon2id","memory":64,"time":1,"threads":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="},"nonce":"AAAA","wrapped":"AAAA"}}`))
	f.Add([]byte(`{"format":"wardkey-key","version":1,"vault_id":"v1","slot":{"kind":"keyring"}}`))
	f.Add([]byte(`{"format":"wardkey-key","version":2,"vault_id":"v1","key_id":"0123456789abcdef0123456789abcdef","key_gen":3,"slot":{"kind":"passphrase","key_id":"0123456789abcdef0123456789abcdef","key_gen":3,"kdf":{"alg":"argon2id","memory":64,"time":1,"threads":1,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="},"nonce":"AAAA","wrapped":"AAAA"}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := parseKey(b, "v1")
		if err == nil {
			// (Not opened here: a hostile slot may ask argon2 for 1 GiB.)
			if k.slot.Kind != vault.SlotPassphrase || k.slot.KDF == nil {
				t.Fatalf("accepted slot %q", k.slot.Kind)
			}
			if k.slot.KeyID != "" && (k.slot.KeyID != k.id || k.slot.KeyGen != k.gen) {
				t.Fatalf("a slot of key %s accepted as key %s", k.slot.KeyID, k.id)
			}
		}
	})
}
