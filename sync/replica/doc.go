// Package replica keeps one vault the same on several workstations through
// a shared remote: a folder (a network share, a Syncthing or Nextcloud
// folder) or a WebDAV server.
//
// # Replicas
//
// Each workstation writes only its own replica, the whole vault state
// sealed with the vault key:
//
//	<remote>/<vault-id>/replicas/<device-id>.wkr
//	<remote>/<vault-id>/key.json      the vault's passphrase slot, for joining
//
// [Sync] reads every replica, merges them into the local vault with
// vault.Merge (a pure join: commutative, associative, idempotent), saves
// it, and writes its own replica. The remote sees only ciphertext; it can
// withhold or roll back replicas, which delays changes but loses none, and
// it cannot read, forge or alter one. The format is in docs/sync.md.
//
// # Joining
//
// [Join] sets up a new workstation: it unwraps the vault key from key.json
// with the vault passphrase and merges the replicas; vault.CreateJoined
// then stores the vault under this workstation's own device ID, and a first
// Sync writes its replica.
//
// # Remotes
//
// [Open] takes a folder path or an http(s) URL. Writes are atomic on both:
// a temporary file renamed in a folder; PUT of a temporary name then MOVE
// on WebDAV. A failed write never replaces a good replica, and a replica
// that fails authentication is skipped, never merged.
package replica
