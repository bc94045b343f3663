package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// A backup is an age file (filippo.io/age, one scrypt passphrase recipient)
// whose plaintext is a JSON document: the format name, its version, when and
// where it was made, and the whole State in the storage encoding of
// [MarshalState]. docs/backup-format.md specifies it; `age -d` opens it.

// The backup document's identity.
const (
	// BackupFormat is the "format" value of every backup document.
	BackupFormat = "wardkey-backup"
	// BackupVersion is the document version this wardkey writes, and the
	// newest it reads.
	BackupVersion = 1
)

// Limits on backups.
const (
	// DefaultBackupWorkFactor is the scrypt work factor (log2 N) of new
	// backups: age's own default, about a second here.
	DefaultBackupWorkFactor = 18
	// MaxBackupWorkFactor is the largest work factor the age CLI (and
	// ReadBackup) accepts when decrypting.
	MaxBackupWorkFactor = 22
	// MaxBackupSize bounds an encrypted backup and its plaintext.
	MaxBackupSize = 64 << 20
)

// Sentinel errors of ReadBackup, besides [ErrWrongPassphrase].
var (
	// ErrNotBackup: the file is not a passphrase-encrypted wardkey backup.
	ErrNotBackup = errors.New("not a wardkey backup")
	// ErrBackupCorrupt: the file is a backup but damaged, cut short or
	// altered, or its content is invalid.
	ErrBackupCorrupt = errors.New("the backup is damaged or incomplete")
	// ErrBackupTooNew: the backup was written by a newer wardkey, in a
	// format version this one does not know.
	ErrBackupTooNew = errors.New("the backup was written by a newer wardkey")
	// ErrWeakPassphrase: CheckPassphrase refused a passphrase.
	ErrWeakPassphrase = errors.New("the passphrase is too easy to guess")
)

// Backup is a decrypted, checked backup.
type Backup struct {
	Created time.Time // when it was made
	VaultID string    // the vault it was made from
	Device  string    // the device that made it
	App     string    // the program that made it, e.g. "wardkey 1.0"
	State   State     // accounts, tombstones, settings
}

// BackupOptions describe a new backup. The zero value is right for the
// product, apart from the descriptive fields.
type BackupOptions struct {
	// Armor writes the age file in its ASCII armor (PEM-like text).
	Armor bool
	// WorkFactor is the scrypt work factor (log2 N); 0 means
	// DefaultBackupWorkFactor. Above MaxBackupWorkFactor is refused (the age
	// CLI could not open it). Only tests set it lower.
	WorkFactor int
	VaultID    string
	Device     string
	App        string
	Created    time.Time // zero: now
}

// backupDoc is the plaintext document.
type backupDoc struct {
	Format  string      `json:"format"`
	Version int         `json:"version"`
	Created time.Time   `json:"created"`
	VaultID string      `json:"vault_id"`
	Device  string      `json:"device,omitempty"`
	App     string      `json:"app,omitempty"`
	State   storedState `json:"state"`
}

// MarshalBackup encodes the plaintext backup document of a state, secrets
// included. It must only ever be written inside an encrypted container (or
// shown to the person who asked for it).
func MarshalBackup(s State, o BackupOptions) ([]byte, error) {
	created := o.Created
	if created.IsZero() {
		created = time.Now()
	}
	doc := backupDoc{
		Format: BackupFormat, Version: BackupVersion, Created: created.UTC().Truncate(time.Second),
		VaultID: o.VaultID, Device: o.Device, App: o.App, State: toStored(s),
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// UnmarshalBackup decodes and checks a plaintext backup document: the
// format name, the version (newer: ErrBackupTooNew), and every account.
// Unknown keys are ignored, so later versions may add fields without
// raising the version. The state comes back merged with itself, so hidden
// duplicates and tombstoned accounts are settled as Merge settles them.
func UnmarshalBackup(b []byte) (Backup, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Backup{}, fmt.Errorf("%w: the content is not a JSON document", ErrNotBackup)
	}
	// One pass decodes everything; only when it fails (or the version is
	// not ours) does a second look at format and version say why, so that
	// a newer version with another state shape reads as "too new".
	var doc struct {
		Format  *string      `json:"format"`
		Version *int         `json:"version"`
		Created time.Time    `json:"created"`
		VaultID string       `json:"vault_id"`
		Device  string       `json:"device"`
		App     string       `json:"app"`
		State   *storedState `json:"state"`
	}
	err := json.Unmarshal(b, &doc)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Backup{}, fmt.Errorf("%w: the document is not valid JSON (%v)", ErrBackupCorrupt, err)
		}
		var head struct {
			Format  *string `json:"format"`
			Version *int    `json:"version"`
		}
		if json.Unmarshal(b, &head) == nil {
			doc.Format, doc.Version, doc.State = head.Format, head.Version, nil
		}
	}
	if doc.Format == nil || *doc.Format != BackupFormat {
		return Backup{}, fmt.Errorf("%w: the document has no \"format\": %q", ErrNotBackup, BackupFormat)
	}
	switch {
	case doc.Version != nil && *doc.Version > BackupVersion:
		return Backup{}, fmt.Errorf("%w (format version %d; this wardkey reads up to %d)", ErrBackupTooNew, *doc.Version, BackupVersion)
	case err != nil:
		return Backup{}, fmt.Errorf("%w: %v", ErrBackupCorrupt, err)
	case doc.Version == nil || *doc.Version < 1:
		return Backup{}, fmt.Errorf("%w: the document has no valid \"version\"", ErrBackupCorrupt)
	case doc.State == nil:
		return Backup{}, fmt.Errorf("%w: the document has no \"state\"", ErrBackupCorrupt)
	}
	st, err := doc.State.state()
	if err != nil {
		return Backup{}, fmt.Errorf("%w: %w", ErrBackupCorrupt, err)
	}
	for i, t := range st.Tombstones {
		if t.ID == "" {
			return Backup{}, fmt.Errorf("%w: tombstone %d has no id", ErrBackupCorrupt, i+1)
		}
	}
	return Backup{Created: doc.Created, VaultID: doc.VaultID, Device: doc.Device, App: doc.App, State: Merge(st, State{})}, nil
}

// WriteBackup writes the state to w as an age file encrypted to the
// passphrase (scrypt recipient). The KDF runs first and takes about a
// second at the default work factor; nothing is written if it fails.
func WriteBackup(w io.Writer, s State, pass []byte, o BackupOptions) error {
	if len(pass) == 0 {
		return errors.New("the backup passphrase is empty")
	}
	wf := o.WorkFactor
	if wf == 0 {
		wf = DefaultBackupWorkFactor
	}
	if wf < 1 || wf > MaxBackupWorkFactor {
		return fmt.Errorf("scrypt work factor %d is out of range (1 to %d)", wf, MaxBackupWorkFactor)
	}
	plain, err := MarshalBackup(s, o)
	if err != nil {
		return err
	}
	defer wipe(plain)
	r, err := age.NewScryptRecipient(string(pass))
	if err != nil {
		return err
	}
	r.SetWorkFactor(wf)
	// Encrypt into memory first, so that w gets all of it or nothing.
	var buf bytes.Buffer
	var dst io.Writer = &buf
	var arm io.WriteCloser
	if o.Armor {
		arm = armor.NewWriter(&buf)
		dst = arm
	}
	enc, err := age.Encrypt(dst, r)
	if err != nil {
		return fmt.Errorf("encrypt backup: %w", err)
	}
	if _, err := enc.Write(plain); err != nil {
		return fmt.Errorf("encrypt backup: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encrypt backup: %w", err)
	}
	if arm != nil {
		if err := arm.Close(); err != nil {
			return fmt.Errorf("encrypt backup: %w", err)
		}
	}
	_, err = w.Write(buf.Bytes())
	return err
}

const ageIntro = "age-encryption.org/"

// maxReadWorkFactor is the largest scrypt work factor ReadBackup accepts:
// MaxBackupWorkFactor, lowered only by the fuzz test (a work factor of 22
// costs 4 GiB and seconds per attempt).
var maxReadWorkFactor = MaxBackupWorkFactor

// ReadBackup decrypts a backup with its passphrase, reads the whole
// plaintext and checks it (age authenticates the stream chunk by chunk, so
// a file cut short or altered fails only at the end) before returning any
// of it. Errors wrap ErrWrongPassphrase, ErrNotBackup, ErrBackupCorrupt or
// ErrBackupTooNew. Binary and armored age files are both read.
func ReadBackup(r io.Reader, pass []byte) (Backup, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBackupSize+1))
	if err != nil {
		return Backup{}, fmt.Errorf("read backup: %w", err)
	}
	if len(b) > MaxBackupSize {
		return Backup{}, fmt.Errorf("%w: the file is larger than %d MiB", ErrNotBackup, MaxBackupSize>>20)
	}
	src, err := ageSource(b)
	if err != nil {
		return Backup{}, err
	}
	id, err := age.NewScryptIdentity(string(pass))
	if err != nil {
		return Backup{}, err
	}
	id.SetMaxWorkFactor(maxReadWorkFactor)
	dec, err := age.Decrypt(src, id)
	if err != nil {
		return Backup{}, explainAge(err)
	}
	plain, err := io.ReadAll(io.LimitReader(dec, MaxBackupSize+1))
	if err != nil {
		return Backup{}, fmt.Errorf("%w: %v", ErrBackupCorrupt, err)
	}
	defer wipe(plain)
	if len(plain) > MaxBackupSize {
		return Backup{}, fmt.Errorf("%w: the content is larger than %d MiB", ErrNotBackup, MaxBackupSize>>20)
	}
	return UnmarshalBackup(plain)
}

// ageSource recognises a binary or armored age file and returns a reader
// of its binary form.
func ageSource(b []byte) (io.Reader, error) {
	t := bytes.TrimLeft(b, " \t\r\n")
	switch {
	case len(b) == 0:
		return nil, fmt.Errorf("%w: the file is empty", ErrNotBackup)
	case bytes.HasPrefix(b, []byte(ageIntro)):
		return bytes.NewReader(b), nil
	case bytes.HasPrefix(t, []byte(armor.Header)):
		return armor.NewReader(bytes.NewReader(t)), nil
	case strings.HasPrefix(ageIntro, string(b)) || strings.HasPrefix(armor.Header, string(t)):
		return nil, fmt.Errorf("%w: the file ends inside the age header", ErrBackupCorrupt)
	case len(t) > 0 && t[0] == '{' && bytes.Contains(b, []byte(BackupFormat)):
		return nil, fmt.Errorf("%w: the file is an unencrypted backup document, not an age file (encrypt it with 'age -p')", ErrNotBackup)
	}
	return nil, fmt.Errorf("%w: the file is not an age-encrypted file", ErrNotBackup)
}

// explainAge sorts an age.Decrypt error into the sentinels.
func explainAge(err error) error {
	var nm *age.NoIdentityMatchError
	if errors.As(err, &nm) {
		if !slices.Contains(nm.StanzaTypes, "scrypt") {
			return fmt.Errorf("%w: the file is encrypted to an age key, not to a passphrase", ErrNotBackup)
		}
		return fmt.Errorf("%w for this backup", ErrWrongPassphrase)
	}
	if strings.Contains(err.Error(), "work factor too large") {
		return fmt.Errorf("%w: its scrypt work factor is above %d, more than age allows", ErrBackupCorrupt, maxReadWorkFactor)
	}
	return fmt.Errorf("%w: %v", ErrBackupCorrupt, err)
}

// RestorePlan says what restoring a backup into a state does, account by
// account. Every list holds the backup's version of the account (Undeleted:
// with the new ID it gets; Removed: the account here), sorted as `list` is.
type RestorePlan struct {
	Added       []Account // not here yet
	Updated     []Account // here, and newer in the backup (fields or HOTP counter)
	Unchanged   []Account // here already, as new as in the backup
	Duplicates  []Account // the same issuer, name and secret as an account here: kept once
	KeptDeleted []Account // deleted here: stays deleted (restore --undelete brings it back)
	Undeleted   []Account // deleted here, back under a new ID (--undelete)
	Removed     []Account // live here, deleted in the backup: the delete wins
	Settings    bool      // the backup's vault settings are newer and replace these

	changed bool // applying it changes the state at all
}

// Changes reports whether applying the plan changes the vault. Restoring a
// backup a second time plans no change.
func (p RestorePlan) Changes() bool { return p.changed || len(p.Undeleted) > 0 }

// PlanRestore compares a backup's state with the current one. It changes
// neither; [ApplyRestore] carries the plan out.
func PlanRestore(current, backup State, undelete bool) RestorePlan {
	merged := Merge(current, backup)
	type key struct{ issuer, name, secret string }
	keyOf := func(a Account) key { return key{a.Issuer, a.Name, string(a.Secret.raw())} }
	dead := make(map[string]bool, len(current.Tombstones))
	for _, t := range current.Tombstones {
		dead[t.ID] = true
	}
	curByID := make(map[string]Account, len(current.Accounts))
	for _, a := range current.Accounts {
		if !dead[a.ID] {
			if old, ok := curByID[a.ID]; !ok || newer(a, old) {
				curByID[a.ID] = a
			}
		}
	}
	backupDead := make(map[string]bool, len(backup.Tombstones))
	for _, t := range backup.Tombstones {
		backupDead[t.ID] = true
	}
	mergedByID := make(map[string]Account, len(merged.Accounts))
	for _, a := range merged.Accounts {
		mergedByID[a.ID] = a
	}
	here := map[key]bool{}
	for _, a := range current.Live() {
		if !dead[a.ID] {
			here[keyOf(a)] = true
		}
	}
	var p RestorePlan
	for _, a := range backup.Live() {
		if backupDead[a.ID] {
			continue
		}
		switch cur, ok := curByID[a.ID]; {
		case dead[a.ID]:
			switch {
			case here[keyOf(a)]:
				p.Duplicates = append(p.Duplicates, a)
			case undelete:
				b := a.Clone()
				b.ID = NewID()
				p.Undeleted = append(p.Undeleted, b)
				here[keyOf(a)] = true
			default:
				p.KeptDeleted = append(p.KeptDeleted, a)
			}
		case ok:
			if sameVersion(mergedByID[a.ID], cur) {
				p.Unchanged = append(p.Unchanged, a)
			} else {
				p.Updated = append(p.Updated, a)
			}
		case here[keyOf(a)]:
			p.Duplicates = append(p.Duplicates, a)
		default:
			p.Added = append(p.Added, a)
			here[keyOf(a)] = true
		}
	}
	for _, a := range current.Live() {
		if backupDead[a.ID] && !dead[a.ID] {
			p.Removed = append(p.Removed, a)
		}
	}
	p.Settings = merged.Settings != current.Settings
	// A state that came out of Merge (a vault's, a transaction's) compares
	// directly; any other is at worst reported as changed.
	p.changed = !sameState(merged, current)
	for _, l := range [][]Account{p.Added, p.Updated, p.Unchanged, p.Duplicates, p.KeptDeleted, p.Undeleted, p.Removed} {
		SortAccounts(l)
	}
	return p
}

// ApplyRestore merges a backup into the vault in a transaction, brings back
// the accounts deleted here when undelete is set (under new IDs: a
// tombstone is forever), and returns the plan it carried out, computed
// against the state inside the transaction.
func ApplyRestore(tx *Tx, backup State, undelete bool) (RestorePlan, error) {
	p := PlanRestore(tx.State(), backup, undelete)
	tx.Merge(backup)
	for i, a := range p.Undeleted {
		added, err := tx.Add(a)
		if err != nil {
			return RestorePlan{}, fmt.Errorf("bring back %s: %w", a.Label(), err)
		}
		p.Undeleted[i] = added
	}
	return p, nil
}

// sameVersion reports whether two versions of one account are identical.
func sameVersion(a, b Account) bool {
	return a.ID == b.ID && a.Stamp == b.Stamp && a.Counter == b.Counter && compareContent(a, b) == 0
}

// sameState compares two states that came out of Merge (sorted by ID).
func sameState(a, b State) bool {
	return a.Settings == b.Settings &&
		slices.Equal(a.Tombstones, b.Tombstones) &&
		slices.EqualFunc(a.Accounts, b.Accounts, sameVersion)
}
