package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/wardkey/wardkey/vault/atomicfile"
)

// Vault is an open vault: the decrypted accounts and the vault key. A Vault
// backed by a directory saves every change crash-safely; one made by
// [NewMemory] (the demo) keeps changes in memory only.
type Vault struct {
	mu    sync.Mutex
	dir   string // "" for a memory vault
	id    string
	key   []byte
	slots []Slot
	state State
	clock *Clock
	now   func() time.Time
}

// Options tune how a vault is created or opened. The zero value is right
// for the product; tests shorten the KDF and fix the clock.
type Options struct {
	// KDF overrides DefaultKDF for new passphrase and recovery slots.
	KDF *KDFParams
	// Now overrides time.Now for stamps.
	Now func() time.Time
}

func (o Options) kdf() KDFParams {
	if o.KDF != nil {
		return *o.KDF
	}
	return DefaultKDF
}

func (o Options) nowFunc() func() time.Time {
	if o.Now != nil {
		return o.Now
	}
	return time.Now
}

// CreateOptions say which slots a new vault gets. At least one of Keyring
// and Passphrase is required: a vault is never stored in plaintext.
type CreateOptions struct {
	Options
	Keyring      Keyring // non-nil: add a keyring slot
	Passphrase   []byte  // non-empty: add a passphrase slot
	RecoveryCode string  // non-empty: add a recovery slot
	State        State   // initial content (restore into a new vault)
}

// Create makes a new vault in dir. It fails with ErrExists if one is there.
func Create(dir string, o CreateOptions) (*Vault, error) {
	if o.Keyring == nil && len(o.Passphrase) == 0 {
		return nil, errors.New("a new vault needs a keyring or a passphrase")
	}
	return create(dir, NewID()+NewID(), randomBytes(keySize), o.Options, o.State, func(v *Vault) ([]Slot, error) {
		slots, err := keyringSlots(o.Keyring, v)
		if err != nil {
			return nil, err
		}
		if len(o.Passphrase) > 0 {
			s, err := newSecretSlot(SlotPassphrase, v.id, v.key, o.Passphrase, o.kdf())
			if err != nil {
				return nil, err
			}
			slots = append(slots, s)
		}
		if o.RecoveryCode != "" {
			code, err := NormalizeRecoveryCode(o.RecoveryCode)
			if err != nil {
				return nil, err
			}
			s, err := newSecretSlot(SlotRecovery, v.id, v.key, []byte(code), o.kdf())
			if err != nil {
				return nil, err
			}
			slots = append(slots, s)
		}
		return slots, nil
	})
}

// keyringSlots stores v's key in k and returns its slot; none when k is nil.
func keyringSlots(k Keyring, v *Vault) ([]Slot, error) {
	if k == nil {
		return nil, nil
	}
	s, err := storeKeyringKey(k, v.id, v.key)
	if err != nil {
		return nil, err
	}
	return []Slot{s}, nil
}

// create writes a new vault file for id and key in dir, under the vault
// lock, refusing to replace one; slots makes its key slots.
func create(dir, id string, key []byte, o Options, st State, slots func(*Vault) ([]Slot, error)) (*Vault, error) {
	if err := atomicfile.MkdirPrivate(dir); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	unlock, err := lockFile(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, fmt.Errorf("lock vault: %w", err)
	}
	defer unlock()
	if Exists(dir) {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, VaultFile), ErrExists)
	}
	device, err := DeviceID(dir)
	if err != nil {
		return nil, err
	}
	v := &Vault{dir: dir, id: id, key: key, now: o.nowFunc()}
	v.clock = NewClock(device, v.now)
	v.state = Merge(st, State{})
	v.clock.Observe(v.state.MaxStamp())
	if v.slots, err = slots(v); err != nil {
		return nil, err
	}
	b, err := seal(v.id, v.key, v.slots, v.state)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Replace(filepath.Join(dir, VaultFile), b, ""); err != nil {
		return nil, fmt.Errorf("write vault: %w", err)
	}
	return v, nil
}

// NewMemory returns a vault that lives in memory only (the demo vault).
func NewMemory(s State) *Vault {
	v := &Vault{id: "memory", key: randomBytes(keySize), now: time.Now}
	v.clock = NewClock("memory", v.now)
	v.state = Merge(s, State{})
	return v
}

// Unlock says how to open a vault. Open tries, in order: the keyring slot
// (if Keyring is set), the recovery slot (if RecoveryCode is set), then the
// passphrase slot (asking Passphrase only when it gets there).
type Unlock struct {
	Options
	Keyring      Keyring
	RecoveryCode string
	Passphrase   func() ([]byte, error)
}

// Info describes a vault file without opening it.
type Info struct {
	ID    string
	Slots []string // kinds, in file order
}

// Has reports whether the vault has a slot of the given kind.
func (i Info) Has(kind string) bool { return slices.Contains(i.Slots, kind) }

// File is a vault file read from disk and checked, not yet decrypted.
type File struct {
	dir string
	p   *parsed
}

// Load reads the vault file in dir, checking its envelope and version.
func Load(dir string) (*File, error) {
	p, err := readParsed(dir)
	if err != nil {
		return nil, err
	}
	return &File{dir: dir, p: p}, nil
}

// Info describes the file: its vault ID and slot kinds.
func (f *File) Info() Info {
	i := Info{ID: f.p.header.VaultID}
	for _, s := range f.p.env.Slots {
		i.Slots = append(i.Slots, s.Kind)
	}
	return i
}

// ReadInfo reads the vault file's header and slot kinds.
func ReadInfo(dir string) (Info, error) {
	f, err := Load(dir)
	if err != nil {
		return Info{}, err
	}
	return f.Info(), nil
}

func readParsed(dir string) (*parsed, error) {
	b, err := os.ReadFile(filepath.Join(dir, VaultFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoVault
	}
	if err != nil {
		return nil, fmt.Errorf("read vault: %w", err)
	}
	return parseFile(b)
}

// Open reads and decrypts the vault in dir. It never writes the vault file.
func Open(dir string, u Unlock) (*Vault, error) {
	f, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return f.Open(u)
}

// Open decrypts a loaded vault file. It never writes the vault file.
func (f *File) Open(u Unlock) (*Vault, error) {
	p := f.p
	key, err := unwrap(p, u)
	if err != nil {
		return nil, err
	}
	st, err := p.decrypt(key)
	if err != nil {
		return nil, err
	}
	device, err := DeviceID(f.dir)
	if err != nil {
		return nil, err
	}
	v := &Vault{dir: f.dir, id: p.header.VaultID, key: key, slots: p.env.Slots, state: st, now: u.nowFunc()}
	v.clock = NewClock(device, v.now)
	v.clock.Observe(st.MaxStamp())
	return v, nil
}

// unwrap finds the vault key through the first slot that opens.
func unwrap(p *parsed, u Unlock) ([]byte, error) {
	var keyringErr error
	find := func(kind string) (Slot, bool) {
		for _, s := range p.env.Slots {
			if s.Kind == kind {
				return s, true
			}
		}
		return Slot{}, false
	}
	if s, ok := find(SlotKeyring); ok && u.Keyring != nil {
		key, err := loadKeyringKey(u.Keyring, s)
		if err == nil {
			return key, nil
		}
		keyringErr = err
	}
	if u.RecoveryCode != "" {
		s, ok := find(SlotRecovery)
		if !ok {
			return nil, fmt.Errorf("this vault has no recovery code: %w", ErrLocked)
		}
		code, err := NormalizeRecoveryCode(u.RecoveryCode)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrWrongPassphrase, err)
		}
		key, err := s.open(p.header.VaultID, []byte(code))
		if err != nil {
			return nil, fmt.Errorf("recovery code: %w", err)
		}
		return key, nil
	}
	s, ok := find(SlotPassphrase)
	if !ok || u.Passphrase == nil {
		switch {
		case keyringErr != nil && !ok:
			return nil, fmt.Errorf("%w: %w", ErrLocked, keyringErr)
		case keyringErr != nil:
			return nil, fmt.Errorf("%w: %w, and no passphrase was given", ErrLocked, keyringErr)
		case !ok && u.Keyring == nil:
			return nil, fmt.Errorf("%w: the vault opens only through the OS keyring", ErrLocked)
		default:
			return nil, fmt.Errorf("%w: no passphrase was given", ErrLocked)
		}
	}
	pass, err := u.Passphrase()
	if err != nil {
		return nil, err
	}
	defer wipe(pass)
	return s.open(p.header.VaultID, pass)
}

// String describes the vault without its key or accounts.
func (v *Vault) String() string {
	if v == nil {
		return "vault(nil)"
	}
	return fmt.Sprintf("vault(%s, %s)", v.id, v.dir)
}

// Format prints String for every verb, so %#v and %+v never show the key.
func (v *Vault) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(v.String())) }

// LogValue implements slog.LogValuer without the key or accounts.
func (v *Vault) LogValue() slog.Value { return slog.StringValue(v.String()) }

// MarshalJSON describes the vault without its key or accounts.
func (v *Vault) MarshalJSON() ([]byte, error) { return json.Marshal(v.String()) }

// Format prints a placeholder for every verb: a Tx holds the vault key.
func (t *Tx) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("vault.Tx")) }

// ID is the vault's stable random ID.
func (v *Vault) ID() string { return v.id }

// Dir is the profile directory, or "" for a memory vault.
func (v *Vault) Dir() string { return v.dir }

// Device is the device ID stamped on this vault's changes.
func (v *Vault) Device() string { return v.clock.Device() }

// SlotKinds lists the kinds of the vault's slots.
func (v *Vault) SlotKinds() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var k []string
	for _, s := range v.slots {
		k = append(k, s.Kind)
	}
	return k
}

// State returns a copy of the whole state (accounts, tombstones, settings).
func (v *Vault) State() State {
	v.mu.Lock()
	defer v.mu.Unlock()
	return Merge(v.state, State{})
}

// Accounts returns the live accounts, sorted by issuer then name
// (case-insensitive), then ID.
func (v *Vault) Accounts() []Account {
	v.mu.Lock()
	live := v.state.Live()
	v.mu.Unlock()
	out := make([]Account, len(live))
	for i, a := range live {
		out[i] = a.Clone()
	}
	SortAccounts(out)
	return out
}

// Find picks one live account by query (see the package function Find).
// It skips the copy and sort of Accounts, for one-shot commands.
func (v *Vault) Find(query string) (Account, error) {
	v.mu.Lock()
	live := v.state.Live()
	v.mu.Unlock()
	a, err := Find(live, query)
	if err != nil {
		return Account{}, err
	}
	return a.Clone(), nil
}

// LastChange is the newest stamp in the vault (accounts, deletions,
// settings), without copying any account.
func (v *Vault) LastChange() Stamp {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state.MaxStamp()
}

// Settings returns the vault settings.
func (v *Vault) Settings() Settings {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.state.Settings
}

// Close forgets the key and the secrets held in memory.
func (v *Vault) Close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	wipe(v.key)
	for _, a := range v.state.Accounts {
		a.Secret.Wipe()
	}
	v.state = State{}
}

// Tx is a change to a vault, applied under the vault lock after merging in
// what other processes saved. Every change is stamped with the device clock.
type Tx struct {
	v     *Vault
	state *State
}

// Add stores a new account, giving it an ID if it has none, and returns it.
func (t *Tx) Add(a Account) (Account, error) {
	a = a.Clone()
	a.Normalize()
	if err := a.Validate(); err != nil {
		return Account{}, err
	}
	if a.ID == "" {
		a.ID = NewID()
	}
	a.Stamp = t.v.clock.Now()
	*t.state = Merge(*t.state, State{Accounts: []Account{a}})
	return a, nil
}

// Put replaces the account with a's ID by a (an edit).
func (t *Tx) Put(a Account) error {
	if _, ok := t.state.Account(a.ID); !ok {
		return fmt.Errorf("account %s: %w", a.ID, ErrNotFound)
	}
	a = a.Clone()
	a.Normalize()
	if err := a.Validate(); err != nil {
		return err
	}
	a.Stamp = t.v.clock.Now()
	*t.state = Merge(*t.state, State{Accounts: []Account{a}})
	return nil
}

// Delete leaves a tombstone for the account with this ID.
func (t *Tx) Delete(id string) {
	*t.state = Merge(*t.state, State{Tombstones: []Tombstone{{ID: id, Stamp: t.v.clock.Now()}}})
}

// NextHOTP returns the counter to show a code for and stores counter+1.
func (t *Tx) NextHOTP(id string) (uint64, error) {
	a, ok := t.state.Account(id)
	if !ok {
		return 0, fmt.Errorf("account %s: %w", id, ErrNotFound)
	}
	if a.Type != HOTP {
		return 0, fmt.Errorf("account %s is not counter-based", a.Label())
	}
	c := a.Counter
	a = a.Clone()
	// The counter is a grow-only value that Merge takes the maximum of, not
	// a last-writer-wins field: advancing it keeps the stamp, so showing a
	// code never overrides a concurrent rename on another workstation.
	a.Counter = c + 1
	*t.state = Merge(*t.state, State{Accounts: []Account{a}})
	return c, nil
}

// SetSettings replaces the vault settings.
func (t *Tx) SetSettings(s Settings) {
	s.Stamp = t.v.clock.Now()
	*t.state = Merge(*t.state, State{Settings: s})
}

// Merge merges another state (a backup, an import, a replica) into the vault.
func (t *Tx) Merge(s State) {
	t.v.clock.Observe(s.MaxStamp())
	*t.state = Merge(*t.state, s)
}

// State is the state as it stands in the transaction.
func (t *Tx) State() State { return *t.state }

// Update applies fn as one change and saves it. On disk this is crash-safe
// and concurrent-safe: lock, re-read and merge what is on disk, apply fn,
// write a temporary file, fsync, keep the old file as vault.json.bak, rename,
// fsync the directory, unlock. If fn or the save fails, the vault on disk
// and in memory is unchanged.
func (v *Vault) Update(fn func(*Tx) error) error {
	return v.update(fn, nil, false)
}

// Reload merges in what other processes saved since the vault was opened.
func (v *Vault) Reload() error {
	if v.dir == "" {
		return nil
	}
	p, err := readParsed(v.dir)
	if err != nil {
		return err
	}
	st, err := p.decrypt(v.key)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.clock.Observe(st.MaxStamp())
	v.state = Merge(v.state, st)
	return nil
}

func (v *Vault) update(fn func(*Tx) error, slots func([]Slot) ([]Slot, error), rewriteBak bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key == nil {
		return ErrLocked
	}
	base := v.state
	diskSlots := v.slots
	if v.dir != "" {
		unlock, err := lockFile(filepath.Join(v.dir, LockFile))
		if err != nil {
			return fmt.Errorf("lock vault: %w", err)
		}
		defer unlock()
		atomicfile.RemoveStale(v.dir, VaultFile, 0)
		p, err := readParsed(v.dir)
		if err != nil {
			return err
		}
		if p.header.VaultID != v.id {
			return fmt.Errorf("%s now holds another vault (%s): %w", v.dir, p.header.VaultID, ErrTampered)
		}
		disk, err := p.decrypt(v.key)
		if err != nil {
			return err
		}
		v.clock.Observe(disk.MaxStamp())
		base = Merge(base, disk)
		diskSlots = p.env.Slots
	}
	next := base
	tx := &Tx{v: v, state: &next}
	if fn != nil {
		if err := fn(tx); err != nil {
			return err
		}
	}
	next.Dedupe(v.clock)
	newSlots := diskSlots
	if slots != nil {
		var err error
		if newSlots, err = slots(slices.Clone(diskSlots)); err != nil {
			return err
		}
	}
	if v.dir != "" {
		b, err := seal(v.id, v.key, newSlots, next)
		if err != nil {
			return err
		}
		if err := atomicfile.Replace(filepath.Join(v.dir, VaultFile), b, filepath.Join(v.dir, BackupFile)); err != nil {
			return fmt.Errorf("save vault: %w", err)
		}
		if rewriteBak {
			if err := atomicfile.Replace(filepath.Join(v.dir, BackupFile), b, ""); err != nil {
				return fmt.Errorf("save vault backup copy: %w", err)
			}
		}
	}
	v.state = next
	v.slots = newSlots
	return nil
}

// SetPassphrase replaces (or adds) the passphrase slot. vault.json.bak is
// rewritten too, so the old passphrase opens nothing.
func (v *Vault) SetPassphrase(pass []byte, o Options) error {
	return v.setSecretSlot(SlotPassphrase, pass, o)
}

// SetRecoveryCode replaces (or adds) the recovery slot; the old code stops
// working, in vault.json.bak too.
func (v *Vault) SetRecoveryCode(code string, o Options) error {
	c, err := NormalizeRecoveryCode(code)
	if err != nil {
		return err
	}
	return v.setSecretSlot(SlotRecovery, []byte(c), o)
}

func (v *Vault) setSecretSlot(kind string, secret []byte, o Options) error {
	if v.dir == "" {
		return errors.New("the demo vault has no passphrase")
	}
	s, err := newSecretSlot(kind, v.id, v.key, secret, o.kdf())
	if err != nil {
		return err
	}
	return v.update(nil, func(old []Slot) ([]Slot, error) {
		out := slices.DeleteFunc(old, func(x Slot) bool { return x.Kind == kind })
		return append(out, s), nil
	}, true)
}

// AddKeyringSlot stores the vault key in the keyring and adds the slot.
func (v *Vault) AddKeyringSlot(k Keyring) error {
	if v.dir == "" {
		return errors.New("the demo vault has no keyring slot")
	}
	s, err := storeKeyringKey(k, v.id, v.key)
	if err != nil {
		return err
	}
	return v.update(nil, func(old []Slot) ([]Slot, error) {
		out := slices.DeleteFunc(old, func(x Slot) bool { return x.Kind == SlotKeyring })
		return append(out, s), nil
	}, false)
}

// PassphraseSlot returns a copy of the vault's passphrase slot, for sync
// join (the remote keeps it as key.json).
func (v *Vault) PassphraseSlot() (Slot, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, s := range v.slots {
		if s.Kind == SlotPassphrase {
			return s, true
		}
	}
	return Slot{}, false
}

// OpenSlot unwraps a passphrase slot belonging to vault vaultID (a copy of
// a passphrase slot kept elsewhere, as sync does) and returns the key.
func OpenSlot(s Slot, vaultID string, pass []byte) ([]byte, error) {
	return s.open(vaultID, pass)
}

// Seal encrypts plaintext with the vault key (XChaCha20-Poly1305, random
// nonce prepended) and binds it to ad. Sync uses it for replicas.
func (v *Vault) Seal(plain, ad []byte) ([]byte, error) {
	return SealWithKey(v.key, plain, ad)
}

// Unseal reverses Seal; any change to the ciphertext or ad fails with
// ErrTampered.
func (v *Vault) Unseal(sealed, ad []byte) ([]byte, error) {
	return UnsealWithKey(v.key, sealed, ad)
}
