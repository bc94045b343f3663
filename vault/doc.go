// Package vault owns wardkey's accounts: their codes, the encrypted vault
// file and its key slots, the merge of account sets, and locking.
//
// # Accounts and codes
//
// An [Account] holds a [Secret], which never prints itself. [TOTPCode] and
// [HOTPCode] make codes with crypto/hmac over the secret's bytes (RFC 6238,
// RFC 4226, and Steam Guard's five characters), never through a base32
// string of the secret; github.com/pquerna/otp and oathtool are the
// references the tests compare them with. A HOTP account's Counter is the next
// value to use: [Tx.NextHOTP] saves counter+1 before a code is shown.
//
// # The vault file
//
// One vault per profile directory: vault.json, format 2: a line of JSON (a
// header naming the vault and its key, and the key slots), then the payload
// as raw bytes (docs/vault-format.md; format 1 still opens and is rewritten
// as 2 at the next save). A random 256-bit key seals the payload with
// XChaCha20-Poly1305, the header's stored bytes as associated data; each
// slot wraps that key one way (OS keyring, argon2id passphrase, and a
// recovery code that derives an X25519 identity the key is sealed to). The
// payload holds the accounts, tombstones and settings, the audit key
// ([Vault.AuditKey]) and the keys the vault had before. [Vault.Update]
// saves crash-safely and merges with what other processes saved, under an
// flock; [Vault.Rekey] gives the vault a new key; after [Vault.Close]
// nothing seals or saves ([ErrLocked]).
//
// # Merge
//
// [Merge] is the one merge, used by saves, restore, import and sync: a join
// of two states by hybrid-logical-clock [Stamp], with tombstones that always
// win and HOTP counters that only grow.
package vault
