// Package backup reads and writes wardkey backups: an age file
// (filippo.io/age, one scrypt passphrase recipient) whose plaintext is a
// versioned JSON document holding a whole [vault.State]. docs/backup-format.md
// specifies it; `age -d` opens it anywhere.
//
// Restoring is planned and applied by [vault.PlanRestore] and
// [vault.ApplyRestore]: this package only turns files into states and back.
package backup

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

	"github.com/wardkey/wardkey/vault"
)

// The plaintext document holds the format name, its version, when and where
// it was made, and the whole state in the storage encoding of
// [vault.MarshalState].

// The backup document's identity.
const (
	// Format is the "format" value of every backup document.
	Format = "wardkey-backup"
	// Version is the document version this wardkey writes, and the
	// newest it reads.
	Version = 1
)

// Limits on backups.
const (
	// DefaultWorkFactor is the scrypt work factor (log2 N) of new
	// backups: age's own default, about a second here.
	DefaultWorkFactor = 18
	// MaxWorkFactor is the largest work factor the age CLI (and
	// Read) accepts when decrypting.
	MaxWorkFactor = 22
	// MaxSize bounds an encrypted backup and its plaintext.
	MaxSize = 64 << 20
)

// Sentinel errors of Read.
var (
	// ErrNotBackup: the file is not a passphrase-encrypted wardkey backup.
	ErrNotBackup = errors.New("not a wardkey backup")
	// ErrCorrupt: the file is a backup but damaged, cut short or
	// altered, or its content is invalid.
	ErrCorrupt = errors.New("the backup is damaged or incomplete")
	// ErrTooNew: the backup was written by a newer wardkey, in a
	// format version this one does not know.
	ErrTooNew = errors.New("the backup was written by a newer wardkey")
	// ErrWrongPassphrase: the backup's passphrase is not the one typed.
	// It is distinct from [vault.ErrWrongPassphrase], a vault slot's.
	ErrWrongPassphrase = errors.New("wrong passphrase for this backup")
)

// Backup is a decrypted, checked backup.
type Backup struct {
	Created time.Time   // when it was made
	VaultID string      // the vault it was made from
	Device  string      // the device that made it
	App     string      // the program that made it, e.g. "wardkey 1.0"
	State   vault.State // accounts, tombstones, settings
}

// Options describe a new backup. The zero value is right for the
// product, apart from the descriptive fields.
type Options struct {
	// Armor writes the age file in its ASCII armor (PEM-like text).
	Armor bool
	// WorkFactor is the scrypt work factor (log2 N); 0 means
	// DefaultWorkFactor. Above MaxWorkFactor is refused (the age
	// CLI could not open it). Only tests set it lower.
	WorkFactor int
	VaultID    string
	Device     string
	App        string
	Created    time.Time // zero: now
}

// backupDoc is the plaintext document.
type backupDoc struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Created time.Time       `json:"created"`
	VaultID string          `json:"vault_id"`
	Device  string          `json:"device,omitempty"`
	App     string          `json:"app,omitempty"`
	State   json.RawMessage `json:"state"`
}

// Marshal encodes the plaintext backup document of a state, secrets
// included. It must only ever be written inside an encrypted container (or
// shown to the person who asked for it).
func Marshal(s vault.State, o Options) ([]byte, error) {
	created := o.Created
	if created.IsZero() {
		created = time.Now()
	}
	st, err := vault.MarshalState(s)
	if err != nil {
		return nil, err
	}
	defer wipe(st)
	doc := backupDoc{
		Format: Format, Version: Version, Created: created.UTC().Truncate(time.Second),
		VaultID: o.VaultID, Device: o.Device, App: o.App, State: st,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Unmarshal decodes and checks a plaintext backup document: the
// format name, the version (newer: ErrTooNew), and every account.
// Unknown keys are ignored, so later versions may add fields without
// raising the version. The state comes back merged with itself, so hidden
// duplicates and tombstoned accounts are settled as Merge settles them.
func Unmarshal(b []byte) (Backup, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Backup{}, fmt.Errorf("%w: the content is not a JSON document", ErrNotBackup)
	}
	// One pass decodes everything; only when it fails (or the version is
	// not ours) does a second look at format and version say why, so that
	// a newer version with another state shape reads as "too new".
	var doc struct {
		Format  *string         `json:"format"`
		Version *int            `json:"version"`
		Created time.Time       `json:"created"`
		VaultID string          `json:"vault_id"`
		Device  string          `json:"device"`
		App     string          `json:"app"`
		State   json.RawMessage `json:"state"`
	}
	err := json.Unmarshal(b, &doc)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Backup{}, fmt.Errorf("%w: the document is not valid JSON (%v)", ErrCorrupt, err)
		}
		var head struct {
			Format  *string `json:"format"`
			Version *int    `json:"version"`
		}
		if json.Unmarshal(b, &head) == nil {
			doc.Format, doc.Version, doc.State = head.Format, head.Version, nil
		}
	}
	if doc.Format == nil || *doc.Format != Format {
		return Backup{}, fmt.Errorf("%w: the document has no \"format\": %q", ErrNotBackup, Format)
	}
	switch {
	case doc.Version != nil && *doc.Version > Version:
		return Backup{}, fmt.Errorf("%w (format version %d; this wardkey reads up to %d)", ErrTooNew, *doc.Version, Version)
	case err != nil:
		return Backup{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	case doc.Version == nil || *doc.Version < 1:
		return Backup{}, fmt.Errorf("%w: the document has no valid \"version\"", ErrCorrupt)
	case doc.State == nil || string(doc.State) == "null":
		return Backup{}, fmt.Errorf("%w: the document has no \"state\"", ErrCorrupt)
	}
	st, err := vault.UnmarshalState(doc.State)
	if err != nil {
		return Backup{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	for i, t := range st.Tombstones {
		if t.ID == "" {
			return Backup{}, fmt.Errorf("%w: tombstone %d has no id", ErrCorrupt, i+1)
		}
	}
	return Backup{Created: doc.Created, VaultID: doc.VaultID, Device: doc.Device, App: doc.App, State: vault.Merge(st, vault.State{})}, nil
}

// Write writes the state to w as an age file encrypted to the
// passphrase (scrypt recipient). The KDF runs first and takes about a
// second at the default work factor; nothing is written if it fails.
func Write(w io.Writer, s vault.State, pass []byte, o Options) error {
	if len(pass) == 0 {
		return errors.New("the backup passphrase is empty")
	}
	wf := o.WorkFactor
	if wf == 0 {
		wf = DefaultWorkFactor
	}
	if wf < 1 || wf > MaxWorkFactor {
		return fmt.Errorf("scrypt work factor %d is out of range (1 to %d)", wf, MaxWorkFactor)
	}
	plain, err := Marshal(s, o)
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

// maxReadWorkFactor is the largest scrypt work factor Read accepts:
// MaxWorkFactor, lowered only by the fuzz test (a work factor of 22
// costs 4 GiB and seconds per attempt).
var maxReadWorkFactor = MaxWorkFactor

// Read decrypts a backup with its passphrase, reads the whole
// plaintext and checks it (age authenticates the stream chunk by chunk, so
// a file cut short or altered fails only at the end) before returning any
// of it. Errors wrap ErrWrongPassphrase, ErrNotBackup, ErrCorrupt or
// ErrTooNew. Binary and armored age files are both read.
func Read(r io.Reader, pass []byte) (Backup, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return Backup{}, fmt.Errorf("read backup: %w", err)
	}
	if len(b) > MaxSize {
		return Backup{}, fmt.Errorf("%w: the file is larger than %d MiB", ErrNotBackup, MaxSize>>20)
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
	plain, err := io.ReadAll(io.LimitReader(dec, MaxSize+1))
	if err != nil {
		return Backup{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer wipe(plain)
	if len(plain) > MaxSize {
		return Backup{}, fmt.Errorf("%w: the content is larger than %d MiB", ErrNotBackup, MaxSize>>20)
	}
	return Unmarshal(plain)
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
		return nil, fmt.Errorf("%w: the file ends inside the age header", ErrCorrupt)
	case len(t) > 0 && t[0] == '{' && bytes.Contains(b, []byte(Format)):
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
		return ErrWrongPassphrase
	}
	if strings.Contains(err.Error(), "work factor too large") {
		return fmt.Errorf("%w: its scrypt work factor is above %d, more than age allows", ErrCorrupt, maxReadWorkFactor)
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}

// wipe zeroes a buffer that held plaintext.
func wipe(b []byte) { clear(b) }
