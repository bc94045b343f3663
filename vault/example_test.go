package vault_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// exampleKDF keeps the examples fast; the product uses vault.DefaultKDF.
var exampleKDF = vault.KDFParams{Alg: "argon2id", Memory: 64, Time: 1, Threads: 1}

// rfcSecret is the RFC 6238 test secret ("12345678901234567890"), never a
// real account's.
func rfcSecret() vault.Secret { return vault.NewSecret([]byte("12345678901234567890")) }

// A vault is created in a profile's folder with at least one key slot: here
// a passphrase. The folder is made 0700 and the file 0600.
func ExampleCreate() {
	dir := filepath.Join(os.TempDir(), "wardkey-example-create", "default")
	defer os.RemoveAll(filepath.Dir(dir))

	v, err := vault.Create(dir, vault.CreateOptions{
		Options:    vault.Options{KDF: &exampleKDF},
		Passphrase: []byte("correct horse battery staple"),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	fmt.Println(v.SlotKinds(), len(v.Accounts()))
	// Output: [passphrase] 0
}

// Open unlocks a vault with any one of its slots; the passphrase is asked
// only when the unlock gets to the passphrase slot.
func ExampleOpen() {
	dir := filepath.Join(os.TempDir(), "wardkey-example-open", "default")
	defer os.RemoveAll(filepath.Dir(dir))
	pass := []byte("correct horse battery staple")
	if _, err := vault.Create(dir, vault.CreateOptions{Options: vault.Options{KDF: &exampleKDF}, Passphrase: pass}); err != nil {
		log.Fatal(err)
	}

	v, err := vault.Open(dir, vault.Unlock{Passphrase: func() ([]byte, error) { return []byte("correct horse battery staple"), nil }})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	fmt.Println("opened", len(v.ID()) > 0)

	_, err = vault.Open(dir, vault.Unlock{Passphrase: func() ([]byte, error) { return []byte("wrong"), nil }})
	fmt.Println(err != nil)
	// Output:
	// opened true
	// true
}

// Update runs a transaction: under the vault's file lock it re-reads the
// file, applies the change, merges it with what other processes saved
// meanwhile, and writes the result atomically.
func ExampleVault_Update() {
	dir := filepath.Join(os.TempDir(), "wardkey-example-update", "default")
	defer os.RemoveAll(filepath.Dir(dir))
	v, err := vault.Create(dir, vault.CreateOptions{Options: vault.Options{KDF: &exampleKDF}, Passphrase: []byte("pw")})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	err = v.Update(func(tx *vault.Tx) error {
		_, err := tx.Add(vault.Account{Issuer: "EHR", Name: "dr.jones", Type: vault.TOTP, Secret: rfcSecret()})
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	a, err := v.Find("ehr")
	if err != nil {
		log.Fatal(err)
	}
	code, err := vault.TOTPCode(a, time.Unix(59, 0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Label(), code)
	// Output: EHR:dr.jones 287082
}

// Merge joins two states the way restore, import and sync do: the newer
// edit of an account wins, a delete wins over the account, and the same
// issuer, name and secret under two IDs is one account.
func ExampleMerge() {
	here := vault.NewClock("workstation-a", func() time.Time { return time.UnixMilli(1_000) })
	there := vault.NewClock("workstation-b", func() time.Time { return time.UnixMilli(2_000) })

	a := vault.Account{ID: "0000000000000001", Issuer: "EHR", Name: "dr.jones", Type: vault.TOTP, Secret: rfcSecret()}
	a.Normalize()
	a.Stamp = here.Now()
	renamed := a.Clone()
	renamed.Name = "jones"
	renamed.Stamp = there.Now() // a later edit on another workstation

	mail := vault.Account{ID: "0000000000000002", Issuer: "Mail", Name: "jones", Type: vault.TOTP, Secret: rfcSecret()}
	mail.Normalize()
	mail.Stamp = here.Now()

	s := vault.Merge(
		vault.State{Accounts: []vault.Account{a, mail}},
		vault.State{Accounts: []vault.Account{renamed}, Tombstones: []vault.Tombstone{{ID: mail.ID, Stamp: there.Now()}}},
	)
	for _, x := range s.Live() {
		fmt.Println(x.Label())
	}
	// Output: EHR:jones
}
