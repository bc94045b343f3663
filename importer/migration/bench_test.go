package migration

import (
	"fmt"
	"testing"

	"github.com/wardkey/wardkey/vault"
)

// BenchmarkDecode: one QR code of a full batch (DefaultBatchSize accounts,
// TOTP and HOTP, 20- and 32-byte secrets), as an import reads it. It uses
// only Decode and Encode, so the same file times any version of the codec.
func BenchmarkDecode(b *testing.B) {
	var in []vault.Account
	for i := range DefaultBatchSize {
		if i%2 == 0 {
			in = append(in, acct("Clinic ü", fmt.Sprintf("nurse-%d@example.org", i), vault.TOTP, vault.SHA1, 6, 0, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
		} else {
			in = append(in, acct("VPN", fmt.Sprintf("ward-%d", i), vault.HOTP, vault.SHA256, 8, uint64(i), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
		}
	}
	uris, err := Encode(in, 0)
	if err != nil || len(uris) != 1 {
		b.Fatalf("%d URIs, %v", len(uris), err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(uris[0])))
	for b.Loop() {
		batch, err := Decode(uris[0])
		if err != nil || len(batch.Accounts) != DefaultBatchSize {
			b.Fatalf("%d accounts, %v", len(batch.Accounts), err)
		}
	}
}

// BenchmarkEncode: the accounts of BenchmarkDecode written as one code.
func BenchmarkEncode(b *testing.B) {
	var in []vault.Account
	for i := range DefaultBatchSize {
		in = append(in, acct("Clinic ü", fmt.Sprintf("nurse-%d@example.org", i), vault.TOTP, vault.SHA1, 6, 0, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
	}
	b.ReportAllocs()
	for b.Loop() {
		uris, err := Encode(in, 0)
		if err != nil || len(uris) != 1 {
			b.Fatalf("%d URIs, %v", len(uris), err)
		}
	}
}
