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
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/internal/jsonscan"
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

// Marshal encodes the plaintext backup document of a state, secrets
// included. It must only ever be written inside an encrypted container (or
// shown to the person who asked for it). The document is written by hand
// (encode.go) in one buffer, byte for byte what json.MarshalIndent made of
// it and of vault.MarshalState's state (backup_ref_test.go holds the two
// side by side); the caller wipes it.
func Marshal(s vault.State, o Options) ([]byte, error) {
	created := o.Created
	if created.IsZero() {
		created = time.Now()
	}
	return appendDoc(s, o, created.UTC().Truncate(time.Second))
}

// Unmarshal decodes and checks a plaintext backup document: the
// format name, the version (newer: ErrTooNew), and every account.
// Unknown keys are ignored, so later versions may add fields without
// raising the version. The state comes back merged with itself, so hidden
// duplicates and tombstoned accounts are settled as Merge settles them.
//
// The document is read in one pass (vault/internal/jsonscan, with
// vault.DecodeState for "state"), accepting and refusing what
// encoding/json did when it read the document into a json.RawMessage and
// then the state (backup_ref_test.go keeps that reader as the reference):
// a syntax error anywhere is "not valid JSON"; a value of the wrong type
// is an error found once the whole document is read, and a bad "created"
// stops the reading there; then, when there was such an error, format
// and version as they stand say why, so that a newer version with
// another state shape reads as "too new".
func Unmarshal(b []byte) (Backup, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Backup{}, fmt.Errorf("%w: the content is not a JSON document", ErrNotBackup)
	}
	var (
		// doc is what encoding/json's reading of the whole document made,
		// head what a reading of format and version alone made.
		doc struct {
			format     optional[string]
			version    optional[int]
			created    time.Time
			vaultID    string
			device     string
			app        string
			err        error // the first value of the wrong type, or created's error
			stopped    bool  // created's error ended the reading
			stateSeen  bool
			stateNull  bool
			state      vault.State
			stateErr   error
			stateValid bool // state holds decoded accounts to wipe
		}
		head struct {
			format  optional[string]
			version optional[int]
			err     error
		}
	)
	keep := false
	defer func() {
		if !keep && doc.stateValid {
			wipeAccounts(doc.state)
		}
	}()
	d := jsonscan.New(b)
	d.Object(func(key []byte) {
		switch {
		case jsonscan.KeyIs(key, "format"):
			var v optional[string]
			err := readString(d, &v)
			head.format, head.err = v.over(head.format, err), cmp.Or(head.err, err)
			if !doc.stopped {
				doc.format, doc.err = v.over(doc.format, err), cmp.Or(doc.err, err)
			}
		case jsonscan.KeyIs(key, "version"):
			var v optional[int]
			err := readInt(d, &v)
			head.version, head.err = v.over(head.version, err), cmp.Or(head.err, err)
			if !doc.stopped {
				doc.version, doc.err = v.over(doc.version, err), cmp.Or(doc.err, err)
			}
		case doc.stopped:
			d.Skip()
		case jsonscan.KeyIs(key, "created"):
			d.Peek()
			if err := doc.created.UnmarshalJSON(d.Skip()); err != nil && !d.Failed() {
				doc.err, doc.stopped = err, true
			}
		case jsonscan.KeyIs(key, "vault_id"):
			doc.err = cmp.Or(doc.err, readPlain(d, &doc.vaultID))
		case jsonscan.KeyIs(key, "device"):
			doc.err = cmp.Or(doc.err, readPlain(d, &doc.device))
		case jsonscan.KeyIs(key, "app"):
			doc.err = cmp.Or(doc.err, readPlain(d, &doc.app))
		case jsonscan.KeyIs(key, "state"):
			// The last "state" is the one read (a json.RawMessage kept
			// the last); once an error is certain it is only checked.
			if doc.stateValid {
				wipeAccounts(doc.state)
			}
			doc.state, doc.stateErr, doc.stateValid = vault.State{}, nil, false
			doc.stateSeen, doc.stateNull = true, d.Peek() == 'n'
			if doc.stateNull || doc.err != nil {
				d.Skip()
				return
			}
			doc.state, doc.stateErr = vault.DecodeState(d)
			doc.stateValid = doc.stateErr == nil
		default:
			d.Skip()
		}
	})
	d.End()
	if err := d.Err(); err != nil {
		return Backup{}, fmt.Errorf("%w: the document is not valid JSON (%v)", ErrCorrupt, err)
	}
	format, version := doc.format, doc.version
	if doc.err != nil && head.err == nil {
		format, version = head.format, head.version
	}
	if !format.set || format.v != Format {
		return Backup{}, fmt.Errorf("%w: the document has no \"format\": %q", ErrNotBackup, Format)
	}
	switch {
	case version.set && version.v > Version:
		return Backup{}, fmt.Errorf("%w (format version %d; this wardkey reads up to %d)", ErrTooNew, version.v, Version)
	case doc.err != nil:
		return Backup{}, fmt.Errorf("%w: %v", ErrCorrupt, doc.err)
	case !version.set || version.v < 1:
		return Backup{}, fmt.Errorf("%w: the document has no valid \"version\"", ErrCorrupt)
	case !doc.stateSeen || doc.stateNull:
		return Backup{}, fmt.Errorf("%w: the document has no \"state\"", ErrCorrupt)
	case doc.stateErr != nil:
		return Backup{}, fmt.Errorf("%w: %w", ErrCorrupt, doc.stateErr)
	}
	st := doc.state
	for i, t := range st.Tombstones {
		if t.ID == "" {
			return Backup{}, fmt.Errorf("%w: tombstone %d has no id", ErrCorrupt, i+1)
		}
	}
	if !settled(st) {
		merged := vault.Merge(st, vault.State{})
		wipeAccounts(st)
		st = merged
	}
	keep = true
	return Backup{Created: doc.created, VaultID: doc.vaultID, Device: doc.device, App: doc.app, State: st}, nil
}

// optional is a value that may be absent, as a pointer field of
// encoding/json: null makes it absent, and a value of the wrong type makes
// it present (its zero value, if it was absent) and unchanged.
type optional[T any] struct {
	set bool
	v   T
}

// over is what a field holding prev becomes once this value (read, with
// err saying it was of the wrong type) is decoded into it.
func (o optional[T]) over(prev optional[T], err error) optional[T] {
	if err != nil {
		prev.set = true
		return prev
	}
	return o
}

// errWrongType: a document value is not of its field's type.
var errWrongType = errors.New("a value is not of its field's type")

// readString reads a string field that may be absent (null).
func readString(d *jsonscan.Decoder, o *optional[string]) error {
	switch d.Peek() {
	case '"':
		*o = optional[string]{true, unquote(d)}
	case 'n':
		d.Literal()
	default:
		d.Skip()
		return errWrongType
	}
	return nil
}

// readPlain reads a string field; null leaves it.
func readPlain(d *jsonscan.Decoder, s *string) error {
	var o optional[string]
	err := readString(d, &o)
	if o.set {
		*s = o.v
	}
	return err
}

// readInt reads an integer field that may be absent (null).
func readInt(d *jsonscan.Decoder, o *optional[int]) error {
	switch c := d.Peek(); {
	case c == 'n':
		d.Literal()
	case c == '-' || '0' <= c && c <= '9':
		n, err := strconv.ParseInt(string(d.Literal()), 10, strconv.IntSize)
		if err != nil {
			return errWrongType
		}
		*o = optional[int]{true, int(n)}
	default:
		d.Skip()
		return errWrongType
	}
	return nil
}

func unquote(d *jsonscan.Decoder) string {
	raw, plain := d.String()
	if plain {
		return string(raw)
	}
	return string(jsonscan.Unquote(nil, raw))
}

// settled reports whether Merge(s, State{}) would be s itself: accounts
// and tombstones in increasing ID order, each ID once, no account
// tombstoned, and settings Merge keeps. A backup wardkey wrote is (it
// writes a merged state), and is then taken as decoded instead of copied.
func settled(s vault.State) bool {
	for i := 1; i < len(s.Accounts); i++ {
		if s.Accounts[i-1].ID >= s.Accounts[i].ID {
			return false
		}
	}
	for i := 1; i < len(s.Tombstones); i++ {
		if s.Tombstones[i-1].ID >= s.Tombstones[i].ID {
			return false
		}
	}
	for i, j := 0, 0; i < len(s.Accounts) && j < len(s.Tombstones); {
		switch a, t := s.Accounts[i].ID, s.Tombstones[j].ID; {
		case a == t:
			return false
		case a < t:
			i++
		default:
			j++
		}
	}
	return vault.Merge(vault.State{Settings: s.Settings}, vault.State{}).Settings == s.Settings
}

// wipeAccounts wipes the secrets of a decoded state nobody will use.
func wipeAccounts(s vault.State) {
	for _, a := range s.Accounts {
		a.Secret.Wipe()
	}
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
	// The plaintext is shorter than a binary age file: one buffer of the
	// file's size holds it, where io.ReadAll's doublings copied it about
	// a dozen times and left those copies unwiped.
	plain, err := readAll(io.LimitReader(dec, MaxSize+1), len(b))
	defer wipe(plain)
	if err != nil {
		return Backup{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(plain) > MaxSize {
		return Backup{}, fmt.Errorf("%w: the content is larger than %d MiB", ErrNotBackup, MaxSize>>20)
	}
	return Unmarshal(plain)
}

// readAll reads r to its end into a buffer of size bytes to begin with,
// growing it if need be and wiping each buffer it leaves. What it returns
// (on an error too) is the caller's to wipe.
func readAll(r io.Reader, size int) ([]byte, error) {
	b := make([]byte, 0, size+512)
	for {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), 2*cap(b))
			copy(nb, b)
			wipe(b)
			b = nb
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
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
