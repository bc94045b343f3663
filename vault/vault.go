package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/wardkey/wardkey/vault/atomicfile"
)

// Vault is an open vault: the decrypted accounts and the vault key. A Vault
// backed by a directory saves every change crash-safely; one made by
// [NewMemory] (the demo) keeps changes in memory only.
//
// After [Vault.Close] (a lock), or once another process gave the vault file
// a new key, every method that needs the key returns [ErrLocked] or
// [ErrKeyRotated], and nothing is sealed or written any more.
type Vault struct {
	mu       sync.Mutex
	dir      string // "" for a memory vault
	id       string
	key      []byte // in memory the vault owns (secmem.go); nil once closed
	ref      keyRef // the key's ID and generation
	auditKey []byte // owned memory, like key
	oldKeys  []oldKey
	arena    []byte // owned memory holding the secrets of state
	slots    []Slot
	state    State
	// lazy is the payload as opened, indexed but not decoded (index.go);
	// state is empty while it is set. decoded decodes it on first use.
	lazy  *payloadIndex
	clock *Clock
	now   func() time.Time
	// damaged is why the rest of a vault opened for one account failed
	// to decode (Unlock.OneAccount); the vault closed itself then, and
	// the calls that return an error return this one, not ErrLocked.
	damaged error
}

// errLocked is what a call on a closed vault returns: ErrLocked, or why
// the vault closed itself.
func (v *Vault) errLocked() error {
	if v.damaged != nil {
		return v.damaged
	}
	return ErrLocked
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
// It wipes o.Passphrase.
func Create(dir string, o CreateOptions) (*Vault, error) {
	defer wipe(o.Passphrase)
	if o.Keyring == nil && len(o.Passphrase) == 0 {
		return nil, errors.New("a new vault needs a keyring or a passphrase")
	}
	ref := keyRef{id: newKeyID()}
	return create(dir, NewID()+NewID(), ref, randomBytes(keySize), o.Options, o.State, func(v *Vault) ([]Slot, error) {
		slots, err := keyringSlots(o.Keyring, v)
		if err != nil {
			return nil, err
		}
		if len(o.Passphrase) > 0 {
			s, err := newSecretSlot(SlotPassphrase, v.id, v.ref, v.key, o.Passphrase, o.kdf())
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
			s, err := newRecoverySlot(v.id, v.ref, v.key, []byte(code), o.kdf())
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
	s, err := storeKeyringKey(k, v.id, v.ref, v.key)
	if err != nil {
		return nil, err
	}
	return []Slot{s}, nil
}

// create writes a new vault file for id and key (which it takes over and
// wipes) in dir, under the vault lock, refusing to replace one; slots
// makes its key slots.
func create(dir, id string, ref keyRef, key []byte, o Options, st State, slots func(*Vault) ([]Slot, error)) (*Vault, error) {
	v := &Vault{dir: dir, id: id, ref: ref, key: secureBytes(key), auditKey: secureBytes(randomBytes(keySize)), now: o.nowFunc()}
	wipe(key)
	ok := false
	defer func() {
		if !ok {
			v.Close()
		}
	}()
	if err := checkDir(dir); err != nil {
		return nil, err
	}
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
	v.clock = NewClock(device, v.now)
	if err := st.Settings.Validate(); err != nil {
		return nil, err
	}
	next := Merge(st, State{})
	v.clock.Observe(next.MaxStamp())
	if v.slots, err = slots(v); err != nil {
		return nil, err
	}
	b, err := seal(v.id, v.ref, v.key, v.slots, v.payload(next))
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Replace(filepath.Join(dir, VaultFile), b, ""); err != nil {
		return nil, fmt.Errorf("write vault: %w", err)
	}
	v.adopt(next)
	ok = true
	return v, nil
}

// NewMemory returns a vault that lives in memory only (the demo vault).
func NewMemory(s State) *Vault {
	v := &Vault{id: "memory", key: secureBytes(randomBytes(keySize)), auditKey: secureBytes(randomBytes(keySize)), now: time.Now}
	v.ref = keyRef{id: newKeyID()}
	v.clock = NewClock("memory", v.now)
	v.adopt(Merge(s, State{}))
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

	// OneAccount says the caller finds one account (Find) and uses only
	// it, as `wardkey code` does: a vault file of format 3 then has only
	// its directory and the settings decrypted at open, and the one entry
	// Find returns; the rest is decrypted and checked when something
	// needs it (a save, State, Accounts). Should the rest then be found
	// damaged (a file only the vault key could have sealed), that call
	// fails with ErrTampered, or, for State, Accounts and Count, which
	// return no error, returns nothing; the vault closes itself either way,
	// and every later call that returns an error returns that one.
	OneAccount bool
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

// Load reads the vault file in dir, checking its envelope and version. Of
// a large format-3 file it reads the header line and the directory, and
// keeps the file open to read the rest as an open needs it (readInPart).
func Load(dir string) (*File, error) {
	p, err := readVault(dir, true)
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

// maxVaultFile bounds what is read as a vault file (10,000 accounts are a
// few MB).
const maxVaultFile = 256 << 20

// readParsed reads and parses the vault file in dir, all of it.
func readParsed(dir string) (*parsed, error) { return readVault(dir, false) }

// readVault is readParsed, or with part set (Load) readInPart's reading
// of a large format-3 file as far as its directory.
func readVault(dir string, part bool) (*parsed, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, VaultFile)
	f, err := openNoFollow(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoVault
	}
	if err != nil {
		return nil, fmt.Errorf("read vault: %w", err)
	}
	if part {
		if p, ok, err := readInPart(f); ok {
			return p, err
		}
	}
	defer f.Close()
	b, err := readOpen(f, path, maxVaultFile)
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
	if !u.OneAccount {
		// Read the rest now, while the keyring answers.
		if err := p.fetchAll(); err != nil {
			return nil, err
		}
	}
	buf := p.payloadBuffer(u.OneAccount)
	// Read while the keyring answers, as the buffer is made: a profile
	// without local.json is given one (DeviceID) only once the key opened.
	device, _ := storedDeviceID(f.dir)
	key, used, err := unwrap(p, u)
	if err != nil {
		secureFree(buf)
		return nil, err
	}
	// A format-2 payload is indexed, not decoded: see index.go.
	ix, pl, err := p.decryptIndexed(key, true, u.OneAccount, buf)
	if errors.Is(err, ErrTampered) && used.Kind == SlotKeyring && u.Passphrase != nil {
		// A keyring item left with another key (a rotation cut short
		// between the keyring and the file): the passphrase still opens.
		wipe(key)
		u.Keyring = nil
		if key, _, err = unwrap(p, u); err != nil {
			return nil, err
		}
		ix, pl, err = p.decryptIndexed(key, true, u.OneAccount, nil)
	}
	defer wipe(key)
	if err != nil {
		return nil, err
	}
	if device == "" {
		device, err = DeviceID(f.dir)
	}
	if err != nil {
		wipePayloadKeys(&pl)
		wipeState(pl.state)
		if ix != nil {
			ix.free()
		}
		return nil, err
	}
	v := &Vault{dir: f.dir, id: p.header.VaultID, key: secureBytes(key), ref: p.ref(key), slots: p.env.Slots, now: u.nowFunc()}
	v.takeKeys(pl)
	v.clock = NewClock(device, v.now)
	if ix != nil {
		v.clock.Observe(ix.newest)
		v.lazy = ix
		if ix.part != nil {
			ix.part.key = v.key // the chunks still to read open with the vault's own copy
		}
		return v, nil
	}
	v.clock.Observe(pl.state.MaxStamp())
	v.adopt(pl.state)
	return v, nil
}

// unwrap finds the vault key through the first slot that opens. A slot of
// format 2 must name the file's key: one left from an earlier key (spliced
// in from an old copy of the file) opens nothing. A format-1 slot must give
// the key the file names.
func unwrap(p *parsed, u Unlock) ([]byte, Slot, error) {
	key, used, err := unwrapSlot(p, u)
	if err != nil {
		return nil, Slot{}, err
	}
	// A format-2 slot's AD binds its key ID; a format-1 slot (kept from
	// before the file was format 2) must give the key the file names.
	if p.header.Version >= 2 && used.KeyID == "" && (legacyKeyID(key) != p.header.KeyID || p.header.KeyGen != 0) {
		wipe(key)
		return nil, Slot{}, fmt.Errorf("a key slot of an earlier key: %w", ErrTampered)
	}
	return key, used, nil
}

func unwrapSlot(p *parsed, u Unlock) ([]byte, Slot, error) {
	var keyringErr error
	cur := keyRef{p.header.KeyID, p.header.KeyGen}
	find := func(kind string) (Slot, bool, error) {
		for _, s := range p.env.Slots {
			if s.Kind != kind {
				continue
			}
			if s.KeyID != "" && s.ref() != cur {
				return Slot{}, false, fmt.Errorf("the %s slot belongs to an earlier key: %w", kind, ErrTampered)
			}
			return s, true, nil
		}
		return Slot{}, false, nil
	}
	s, ok, err := find(SlotKeyring)
	if err != nil {
		return nil, Slot{}, err
	}
	if ok && u.Keyring != nil {
		key, err := loadKeyringKey(u.Keyring, s)
		if err == nil {
			return key, s, nil
		}
		keyringErr = err
	}
	if u.RecoveryCode != "" {
		s, ok, err := find(SlotRecovery)
		if err != nil {
			return nil, Slot{}, err
		}
		if !ok {
			return nil, Slot{}, fmt.Errorf("this vault has no recovery code: %w", ErrLocked)
		}
		code, err := NormalizeRecoveryCode(u.RecoveryCode)
		if err != nil {
			return nil, Slot{}, fmt.Errorf("%w: %w", ErrWrongPassphrase, err)
		}
		key, err := s.open(p.header.VaultID, []byte(code))
		if err != nil {
			return nil, Slot{}, fmt.Errorf("recovery code: %w", err)
		}
		return key, s, nil
	}
	s, ok, err = find(SlotPassphrase)
	if err != nil {
		return nil, Slot{}, err
	}
	if !ok || u.Passphrase == nil {
		switch {
		case keyringErr != nil && !ok:
			return nil, Slot{}, fmt.Errorf("%w: %w", ErrLocked, keyringErr)
		case keyringErr != nil:
			return nil, Slot{}, fmt.Errorf("%w: %w, and no passphrase was given", ErrLocked, keyringErr)
		case !ok && u.Keyring == nil:
			return nil, Slot{}, fmt.Errorf("%w: the vault opens only through the OS keyring", ErrLocked)
		default:
			return nil, Slot{}, fmt.Errorf("%w: no passphrase was given", ErrLocked)
		}
	}
	pass, err := u.Passphrase()
	if err != nil {
		return nil, Slot{}, err
	}
	defer wipe(pass)
	key, err := s.open(p.header.VaultID, pass)
	return key, s, err
}

// takeKeys keeps the audit key and previous keys of a decrypted payload in
// owned memory, and wipes the payload's copies.
func (v *Vault) takeKeys(pl payload) {
	if v.auditKey == nil && pl.auditKey != nil {
		v.auditKey = secureBytes(pl.auditKey)
	}
	for _, k := range pl.oldKeys {
		if !v.knows(k.id) {
			v.oldKeys = append(v.oldKeys, oldKey{id: k.id, gen: k.gen, key: secureBytes(k.key)})
		}
	}
	wipePayloadKeys(&pl)
}

// knows reports whether id is the current key's or a previous key's.
func (v *Vault) knows(id string) bool {
	if v.ref.id == id {
		return true
	}
	for _, k := range v.oldKeys {
		if k.id == id {
			return true
		}
	}
	return false
}

// payload is what a save seals: the state and this vault's keys.
func (v *Vault) payload(s State) payload {
	return payload{state: s, auditKey: v.auditKey, oldKeys: v.oldKeys}
}

// decoded decodes the payload indexed at open, if it was not yet, into
// the vault's state (adopted as any state is), and wipes the payload.
// v.mu is held. Every use of v.state but Find's goes through it. Only a
// format-3 file opened for one account can fail here (Unlock.OneAccount):
// the vault is then closed.
func (v *Vault) decoded() error {
	ix := v.lazy
	if ix == nil {
		return nil
	}
	v.lazy = nil
	defer func() {
		ix.free() // wiped even if decode panics
		// The arena was locked while the payload's locked pages still
		// counted against RLIMIT_MEMLOCK: lock it now they are gone.
		secureRelock(v.arena)
	}()
	s, err := ix.decode()
	if err != nil {
		v.closeLocked()
		v.damaged = err
		return err
	}
	v.adopt(s)
	return nil
}

// adopt makes s the vault's state, its secrets moved into one buffer the
// vault owns; the secrets of s (heap copies made for it, or views of the
// payload the vault indexed) and of the state it replaces are wiped.
func (v *Vault) adopt(s State) {
	n := 0
	for _, a := range s.Accounts {
		n += len(a.Secret.raw())
	}
	arena := secureAlloc(n)
	off := 0
	for i, a := range s.Accounts {
		b := a.Secret.raw()
		k := copy(arena[off:], b)
		wipe(b)
		s.Accounts[i].Secret = holdBytes(arena[off : off+k : off+k])
		off += k
	}
	old := v.arena
	wipeState(v.state)
	secureFree(old)
	v.arena, v.state = arena, s
}

// wipeState wipes the secrets of a state that is no longer used.
func wipeState(s State) {
	for _, a := range s.Accounts {
		a.Secret.Wipe()
	}
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

// Now is the time the vault stamps changes with (its Options.Now).
func (v *Vault) Now() time.Time { return v.now() }

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
	_ = v.decoded() // a failure closes v: its state is then empty
	return Merge(v.state, State{})
}

// Accounts returns the live accounts, sorted by issuer then name
// (case-insensitive), then ID.
func (v *Vault) Accounts() []Account {
	// The clones are made under the lock: the state's secrets live in a
	// buffer that the next save or Close wipes and unmaps.
	v.mu.Lock()
	_ = v.decoded() // a failure closes v: its state is then empty
	live := v.state.Live()
	out := make([]Account, len(live))
	for i, a := range live {
		out[i] = a.Clone()
	}
	v.mu.Unlock()
	SortAccounts(out)
	return out
}

// Count is how many live accounts Accounts would return, without
// copying or sorting them.
func (v *Vault) Count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	_ = v.decoded() // a failure closes v: its state is then empty
	return len(v.state.Accounts) - len(v.state.duplicateOf())
}

// Find picks one live account by query (see the package function Find).
// It skips the copy and sort of Accounts, for one-shot commands: on a
// vault just opened it reads the accounts where they lie in the payload
// and decodes only the one it returns (index.go), unless the query is
// ambiguous or meets hidden duplicates.
func (v *Vault) Find(query string) (Account, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.damaged != nil {
		return Account{}, v.damaged
	}
	if ix := v.lazy; ix != nil {
		var a Account
		var slow bool
		var err error
		if ix.part != nil {
			a, slow, err = ix.partFind(query)
		} else {
			var i int
			if i, slow, err = findOne(ix, query); err == nil && !slow {
				a = ix.account(i)
			}
		}
		switch {
		case err != nil:
			return Account{}, err
		case !slow:
			return a, nil
		}
		if err := v.decoded(); err != nil {
			return Account{}, err
		}
	}
	a, err := findLive(v.state.Accounts, query)
	var amb *AmbiguousError
	if errors.As(err, &amb) {
		// The matches name accounts (labels, IDs): their secrets are
		// views of the vault's buffer, which Close and every save unmap.
		for i := range amb.Matches {
			amb.Matches[i].Secret = Secret{}
		}
	}
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
	if v.lazy != nil {
		return v.lazy.newest
	}
	return v.state.MaxStamp()
}

// Settings returns the vault settings.
func (v *Vault) Settings() Settings {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.lazy != nil {
		return v.lazy.settings
	}
	return v.state.Settings
}

// Close forgets the key and the secrets held in memory: every buffer the
// vault owns is wiped and given back, under the vault's mutex, so once
// Close returns nothing seals, unseals or saves with the key; those calls
// return ErrLocked. Close may be called more than once.
func (v *Vault) Close() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.closeLocked()
}

func (v *Vault) closeLocked() {
	secureFree(v.key)
	secureFree(v.auditKey)
	for _, k := range v.oldKeys {
		secureFree(k.key)
	}
	wipeState(v.state)
	secureFree(v.arena)
	if v.lazy != nil {
		v.lazy.free()
	}
	v.key, v.auditKey, v.oldKeys, v.arena, v.lazy = nil, nil, nil, nil, nil
	v.state = State{}
}

// Locked reports whether the vault was closed (or locked itself after a
// key rotation by another process).
func (v *Vault) Locked() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.key == nil
}

// KeyID is the ID of the vault's current key (docs/vault-format.md).
func (v *Vault) KeyID() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.ref.id
}

// KeyGeneration is how many rotations the current key descends from.
func (v *Vault) KeyGeneration() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.ref.gen
}

// AuditKey returns a copy of the vault's audit key: 32 random bytes sealed
// in the payload, the same across key rotations, for the audit log's MACs.
// It fails with ErrLocked once the vault is closed. The caller wipes it.
func (v *Vault) AuditKey() ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key == nil {
		return nil, v.errLocked()
	}
	return bytes.Clone(v.auditKey), nil
}

// Tx is a change to a vault, applied under the vault lock after merging in
// what other processes saved. Every change is stamped with the device clock.
type Tx struct {
	v     *Vault
	state *State
}

// Add stores a new account, giving it an ID if it has none, and returns it.
func (t *Tx) Add(a Account) (Account, error) {
	added, err := t.AddAll([]Account{a})
	if err != nil {
		return Account{}, err
	}
	return added[0], nil
}

// AddAll stores new accounts as Add does, in one merge for the whole batch
// (an import of 10,000 accounts re-merged the state 10,000 times through
// Add), and returns them with their IDs and stamps, in the order given. The
// first invalid account fails the batch and nothing is added.
func (t *Tx) AddAll(as []Account) ([]Account, error) {
	out := make([]Account, len(as))
	for i, a := range as {
		a = a.Clone()
		a.Normalize()
		if err := a.Validate(); err != nil {
			return nil, &BatchError{Index: i, Err: err}
		}
		if a.ID == "" {
			a.ID = NewID()
		}
		a.Stamp = t.v.clock.Now()
		out[i] = a
	}
	t.set(Merge(*t.state, State{Accounts: out}))
	return out, nil
}

// BatchError says which account of a batch ([Tx.AddAll]) was refused.
type BatchError struct {
	Index int // 0-based, in the batch as given
	Err   error
}

func (e *BatchError) Error() string { return fmt.Sprintf("account %d: %v", e.Index+1, e.Err) }

// Unwrap returns the reason.
func (e *BatchError) Unwrap() error { return e.Err }

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
	t.set(Merge(*t.state, State{Accounts: []Account{a}}))
	return nil
}

// Delete leaves a tombstone for the account with this ID.
func (t *Tx) Delete(id string) {
	t.set(Merge(*t.state, State{Tombstones: []Tombstone{{ID: id, Stamp: t.v.clock.Now()}}}))
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
	t.set(Merge(*t.state, State{Accounts: []Account{a}}))
	a.Secret.Wipe()
	return c, nil
}

// Merge merges another state (a backup, an import, a replica) into the vault.
func (t *Tx) Merge(s State) {
	t.v.clock.Observe(s.MaxStamp())
	t.set(Merge(*t.state, s))
}

// set replaces the transaction's state, wiping the secrets of the one it
// replaces (Merge's results share nothing with its inputs).
func (t *Tx) set(s State) {
	old := *t.state
	*t.state = s
	wipeState(old)
}

// State is a copy of the state as it stands in the transaction.
func (t *Tx) State() State { return Merge(*t.state, State{}) }

// Update applies fn as one change and saves it. On disk this is crash-safe
// and concurrent-safe: lock, re-read and merge what is on disk, apply fn,
// write a temporary file, fsync, keep the old file as vault.json.bak, rename,
// fsync the directory, unlock. If fn or the save fails, the vault on disk
// and in memory is unchanged. After Close it returns ErrLocked.
func (v *Vault) Update(fn func(*Tx) error) error {
	return v.UpdateContext(context.Background(), fn)
}

// UpdateContext is Update that gives up, writing nothing, once ctx is done
// (a lock cancels in-flight work through it). ctx is checked before the
// file lock is taken and again just before the file is written.
func (v *Vault) UpdateContext(ctx context.Context, fn func(*Tx) error) error {
	return v.update(ctx, fn, nil)
}

// Reload merges in what other processes saved since the vault was opened.
func (v *Vault) Reload() error { return v.ReloadContext(context.Background()) }

// ReloadContext is Reload, given up once ctx is done. A vault file that
// another process gave a new key locks this vault: ErrKeyRotated.
func (v *Vault) ReloadContext(ctx context.Context) error {
	if v.dir == "" {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := readParsed(v.dir)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key == nil {
		return v.errLocked()
	}
	pl, err := v.readDisk(p)
	if err != nil {
		return err
	}
	if err := v.decoded(); err != nil {
		wipePayloadKeys(&pl)
		wipeState(pl.state)
		return err
	}
	v.clock.Observe(pl.state.MaxStamp())
	next := Merge(v.state, pl.state)
	wipeState(pl.state)
	v.adopt(next)
	return nil
}

// readDisk checks that p is this vault under this key and decrypts it,
// taking in its keys. v.mu is held. A file under another key locks v.
func (v *Vault) readDisk(p *parsed) (payload, error) {
	if p.header.VaultID != v.id {
		return payload{}, fmt.Errorf("%s now holds another vault (%s): %w", v.dir, p.header.VaultID, ErrTampered)
	}
	if p.ref(v.key) != v.ref {
		v.closeLocked()
		return payload{}, ErrKeyRotated
	}
	pl, err := p.decrypt(v.key)
	if err != nil {
		return payload{}, err
	}
	v.takeKeys(pl)
	return pl, nil
}

// change is what a save may do besides the state: new slots, and a new key
// (a rotation), which also rewrites vault.json.bak.
type change struct {
	slots  func(disk []Slot) ([]Slot, error)
	newKey []byte // owned memory; nil: the key stays
	newRef keyRef
	before func() error // runs under the lock before the file is written (a keyring item)
	undo   func()       // undoes before if the write fails
}

func (v *Vault) update(ctx context.Context, fn func(*Tx) error, c *change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key == nil {
		return v.errLocked()
	}
	if err := v.decoded(); err != nil {
		return err
	}
	base := Merge(v.state, State{})
	defer func() { wipeState(base) }()
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
		disk, err := v.readDisk(p)
		if err != nil {
			return err
		}
		v.clock.Observe(disk.state.MaxStamp())
		merged := Merge(base, disk.state)
		wipeState(base)
		wipeState(disk.state)
		base = merged
		diskSlots = p.env.Slots
	}
	next := Merge(base, State{})
	next.repairFuture(v.clock, v.now())
	ok := false
	defer func() {
		if !ok {
			wipeState(next)
		}
	}()
	tx := &Tx{v: v, state: &next}
	if fn != nil {
		if err := fn(tx); err != nil {
			return err
		}
	}
	if err := next.Settings.Validate(); err != nil {
		return err
	}
	if pre := next; next.Dedupe(v.clock) > 0 {
		wipeState(pre)
	}
	newSlots := diskSlots
	key, ref, oldKeys := v.key, v.ref, v.oldKeys
	if c != nil {
		var err error
		if newSlots, err = c.slots(slices.Clone(diskSlots)); err != nil {
			return err
		}
		if c.newKey != nil {
			key, ref = c.newKey, c.newRef
			oldKeys = append(slices.Clone(v.oldKeys), oldKey{id: v.ref.id, gen: v.ref.gen, key: v.key})
		}
	}
	var b []byte
	if v.dir != "" {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		b, err = seal(v.id, ref, key, newSlots, payload{state: next, auditKey: v.auditKey, oldKeys: oldKeys})
		if err != nil {
			return err
		}
		if c != nil && c.before != nil {
			if err := c.before(); err != nil {
				return err
			}
		}
		if err := atomicfile.Replace(filepath.Join(v.dir, VaultFile), b, filepath.Join(v.dir, BackupFile)); err != nil {
			if c != nil && c.undo != nil {
				c.undo()
			}
			return fmt.Errorf("save vault: %w", err)
		}
	}
	ok = true
	if c != nil && c.newKey != nil {
		v.key, v.ref, v.oldKeys = key, ref, oldKeys
	}
	v.adopt(next)
	v.slots = newSlots
	if v.dir != "" && c != nil && c.newKey != nil {
		// The previous file holds the previous key's slots: the .bak gets
		// the new file too, so an old passphrase opens nothing. The vault
		// has its new key whether or not this works.
		if err := atomicfile.Replace(filepath.Join(v.dir, BackupFile), b, ""); err != nil {
			return fmt.Errorf("the vault has its new key, but %s could not be rewritten and still opens with the old slots (delete it): %w", BackupFile, err)
		}
	}
	return nil
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
	if s.Kind != SlotPassphrase {
		return nil, fmt.Errorf("not a passphrase slot: %w", ErrTampered)
	}
	return s.open(vaultID, pass)
}

// SlotKeyID is the ID of the key a slot wraps, once unwrapped to key: the
// slot's own for format 2, derived from the key for format 1.
func SlotKeyID(s Slot, key []byte) string {
	if s.KeyID != "" {
		return s.KeyID
	}
	return legacyKeyID(key)
}

// Seal encrypts plaintext with the vault key (XChaCha20-Poly1305, random
// nonce prepended) and binds it to ad. Sync uses it for replicas. It
// returns ErrLocked once the vault is closed.
func (v *Vault) Seal(plain, ad []byte) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key == nil {
		return nil, v.errLocked()
	}
	return SealWithKey(v.key, plain, ad)
}

// SealCurrent is Seal whose associated data names the key: ad is called
// with the current key's ID, and the plaintext is sealed under that same
// key, atomically with respect to a rotation. It returns the key ID. Sync
// uses it for replicas, whose header names their key.
func (v *Vault) SealCurrent(plain []byte, ad func(keyID string) ([]byte, error)) (string, []byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key == nil {
		return "", nil, v.errLocked()
	}
	a, err := ad(v.ref.id)
	if err != nil {
		return "", nil, err
	}
	sealed, err := SealWithKey(v.key, plain, a)
	return v.ref.id, sealed, err
}

// Unseal reverses Seal; any change to the ciphertext or ad fails with
// ErrTampered. It returns ErrLocked once the vault is closed.
func (v *Vault) Unseal(sealed, ad []byte) ([]byte, error) {
	return v.UnsealKey(v.KeyID(), sealed, ad)
}

// UnsealKey is Unseal with the key named keyID: the current key, or one
// the vault had before a rotation (replicas written before it). An empty
// keyID (a replica of format 1) tries every key. A key the vault never had
// is ErrUnknownKey.
func (v *Vault) UnsealKey(keyID string, sealed, ad []byte) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.key == nil {
		return nil, v.errLocked()
	}
	keys := append([]oldKey{{id: v.ref.id, key: v.key}}, v.oldKeys...)
	for _, k := range keys {
		if keyID != "" && k.id != keyID {
			continue
		}
		plain, err := UnsealWithKey(k.key, sealed, ad)
		if err == nil || keyID != "" {
			return plain, err
		}
	}
	if keyID != "" {
		return nil, ErrUnknownKey
	}
	return nil, ErrTampered
}
