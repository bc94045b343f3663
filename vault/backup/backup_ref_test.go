package backup

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/wardkey/wardkey/vault"
)

// backupDoc is the plaintext document as encoding/json wrote it.
type backupDoc struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Created time.Time       `json:"created"`
	VaultID string          `json:"vault_id"`
	Device  string          `json:"device,omitempty"`
	App     string          `json:"app,omitempty"`
	State   json.RawMessage `json:"state"`
}

// marshalRef is Marshal as it was, through encoding/json (the state's
// compact JSON from vault.MarshalState inside the document, indented): the
// reference the hand-written encoder is held to, byte for byte.
func marshalRef(s vault.State, o Options) ([]byte, error) {
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

// unmarshalRef is Unmarshal as it was, through encoding/json (the
// document into a json.RawMessage, then the state as vault.UnmarshalState
// read it, stateRef): the reference the one-pass reader is held to.
func unmarshalRef(b []byte) (Backup, error) {
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
	st, err := stateRef(doc.State)
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

// refAccount and refState are vault's storage form of a state as
// encoding/json read it (vault.UnmarshalState before its one-pass
// decoder).
type refAccount struct {
	ID        string      `json:"id"`
	Issuer    string      `json:"issuer"`
	Name      string      `json:"name"`
	Type      string      `json:"type"`
	Secret    string      `json:"secret"`
	Algorithm string      `json:"algorithm"`
	Digits    int         `json:"digits"`
	Period    int         `json:"period"`
	Counter   uint64      `json:"counter"`
	Tags      []string    `json:"tags"`
	Note      string      `json:"note"`
	Favorite  bool        `json:"favorite"`
	Stamp     vault.Stamp `json:"stamp"`
}

type refState struct {
	Accounts   []refAccount      `json:"accounts"`
	Tombstones []vault.Tombstone `json:"tombstones"`
	Settings   vault.Settings    `json:"settings"`
}

// stateRef is vault.UnmarshalState as it was.
func stateRef(b []byte) (vault.State, error) {
	var st refState
	if err := json.Unmarshal(b, &st); err != nil {
		return vault.State{}, fmt.Errorf("decode accounts: %w", err)
	}
	s := vault.State{Tombstones: st.Tombstones, Settings: st.Settings}
	if err := s.Settings.Validate(); err != nil {
		return vault.State{}, fmt.Errorf("decode settings: %w", err)
	}
	if s.Tombstones == nil {
		s.Tombstones = []vault.Tombstone{}
	}
	s.Accounts = make([]vault.Account, 0, len(st.Accounts))
	for i, x := range st.Accounts {
		sec, err := base64.StdEncoding.DecodeString(x.Secret)
		if err != nil {
			return vault.State{}, fmt.Errorf("decode account %d: secret is not base64", i+1)
		}
		a := vault.Account{
			ID: x.ID, Issuer: x.Issuer, Name: x.Name, Type: vault.Type(x.Type), Secret: vault.NewSecret(sec),
			Algorithm: vault.Algorithm(x.Algorithm), Digits: x.Digits, Period: x.Period, Counter: x.Counter,
			Tags: x.Tags, Note: x.Note, Favorite: x.Favorite, Stamp: x.Stamp,
		}
		if a.Tags == nil {
			a.Tags = []string{}
		}
		if a.ID == "" {
			return vault.State{}, fmt.Errorf("decode account %d: no id", i+1)
		}
		if err := a.Validate(); err != nil {
			return vault.State{}, fmt.Errorf("decode account %d: %w", i+1, err)
		}
		s.Accounts = append(s.Accounts, a)
	}
	return s, nil
}

// sentinel is the class of a Read or Unmarshal error.
func sentinel(err error) error {
	for _, s := range []error{ErrNotBackup, ErrCorrupt, ErrTooNew, ErrWrongPassphrase} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// checkUnmarshalAgainstRef fails unless Unmarshal and the reference
// refuse doc alike (the same sentinel) or accept it alike (the same
// backup, state included).
func checkUnmarshalAgainstRef(t *testing.T, doc []byte) {
	t.Helper()
	got, err := Unmarshal(bytes.Clone(doc))
	want, werr := unmarshalRef(doc)
	switch {
	case sentinel(err) != sentinel(werr):
		t.Fatalf("Unmarshal: %v; reference: %v", err, werr)
	case err != nil:
		return
	case !got.Created.Equal(want.Created) || got.Created.Location().String() != want.Created.Location().String() ||
		got.VaultID != want.VaultID || got.Device != want.Device || got.App != want.App:
		t.Fatalf("the descriptive fields differ: %+v, want %+v", got, want)
	case canon(t, got.State) != canon(t, want.State) || len(got.State.Tombstones) != len(want.State.Tombstones):
		t.Fatalf("the states differ:\n got %s\nwant %s", canon(t, got.State), canon(t, want.State))
	}
}

// backupDocCases are documents where encoding/json's rules for the
// document around the state are easy to miss.
var backupDocCases = []struct{ name, doc string }{
	{"minimal", `{"format":"wardkey-backup","version":1,"state":{}}`},
	{"every field", `{"format":"wardkey-backup","version":1,"created":"2026-03-01T12:00:00Z","vault_id":"v","device":"d","app":"a","x":[1,{}],"state":{"accounts":[{"id":"a1","issuer":"EHR","name":"me","type":"totp","secret":"SGVsbG8hIN6tvu8=","algorithm":"SHA1","digits":6,"period":30}]}}`},
	{"keys in other cases", `{"FORMAT":"wardkey-backup","Version":1,"CREATED":"2026-03-01T12:00:00+02:00","Vault_ID":"v","STATE":{}}`},
	{"unsorted state is merged", `{"format":"wardkey-backup","version":1,"state":{"accounts":[{"id":"b","issuer":"B","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30},{"id":"a","issuer":"A","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30}],"tombstones":[{"id":"b"}]}}`},
	{"two states: the last counts", `{"format":"wardkey-backup","version":1,"state":{"accounts":5},"state":{}}`},
	{"two states: a bad last", `{"format":"wardkey-backup","version":1,"state":{},"state":{"accounts":5}}`},
	{"state null", `{"format":"wardkey-backup","version":1,"state":null}`},
	{"state null then an object", `{"format":"wardkey-backup","version":1,"state":null,"state":{}}`},
	{"state a string", `{"format":"wardkey-backup","version":1,"state":"x"}`},
	{"format null", `{"format":"wardkey-backup","format":null,"version":1,"state":{}}`},
	{"format of the wrong type after a good one", `{"format":"wardkey-backup","format":5,"version":1,"state":{}}`},
	{"version of the wrong type, newer", `{"format":"wardkey-backup","version":2,"version":"x","state":{}}`},
	{"version 1.5", `{"format":"wardkey-backup","version":1.5,"state":{}}`},
	{"version 2.5", `{"format":"wardkey-backup","version":2.5,"state":{}}`},
	{"version huge", `{"format":"wardkey-backup","version":99999999999999999999,"state":{}}`},
	{"newer, state of another shape", `{"format":"wardkey-backup","version":7,"state":[1]}`},
	{"bad created stops the reading", `{"created":"yesterday","format":"wardkey-backup","version":2,"state":{}}`},
	{"bad created, then a bad version", `{"created":"yesterday","format":"wardkey-backup","version":"x","state":{}}`},
	{"bad created after format", `{"format":"wardkey-backup","version":1,"created":5,"state":{}}`},
	{"created null", `{"format":"wardkey-backup","version":1,"created":null,"state":{}}`},
	{"created escaped", `{"format":"wardkey-backup","version":1,"created":"2026-03-01T12:00:00\u005a","state":{}}`},
	{"vault_id of the wrong type", `{"format":"wardkey-backup","version":1,"vault_id":[],"state":{}}`},
	{"app escaped", `{"format":"wardkey-backup","version":1,"app":"w\u00e9\ud800","state":{}}`},
	{"syntax error after everything", `{"format":"wardkey-backup","version":1,"state":{}} x`},
	{"syntax error in the state", `{"format":"nope","state":{"accounts":[}}`},
	{"leading non-JSON space", "\u00a0{}"},
	{"NBSP before the document", "\xc2\xa0{\"format\":\"wardkey-backup\",\"version\":1,\"state\":{}}"},
	{"not an object", `[]`},
	{"empty object", `{}`},
}

func TestUnmarshalMatchesReference(t *testing.T) {
	for _, tc := range backupDocCases {
		t.Run(tc.name, func(t *testing.T) { checkUnmarshalAgainstRef(t, []byte(tc.doc)) })
	}
	doc, err := Marshal(sampleState(t), testBackupOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a backup wardkey wrote", func(t *testing.T) { checkUnmarshalAgainstRef(t, doc) })
}

// FuzzUnmarshalMatchesReference: for any document, Unmarshal and the
// encoding/json reader it replaced refuse alike (the same sentinel) or
// make the same backup.
func FuzzUnmarshalMatchesReference(f *testing.F) {
	for _, tc := range backupDocCases {
		f.Add([]byte(tc.doc))
	}
	doc, err := Marshal(sampleState(f), testBackupOpts)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Fuzz(func(t *testing.T, b []byte) { checkUnmarshalAgainstRef(t, b) })
}

// checkMarshalAgainstRef fails unless Marshal writes what the reference
// writes, byte for byte.
func checkMarshalAgainstRef(t *testing.T, s vault.State, o Options) {
	t.Helper()
	got, err := Marshal(s, o)
	want, werr := marshalRef(s, o)
	switch {
	case (err == nil) != (werr == nil):
		t.Fatalf("Marshal: %v; reference: %v", err, werr)
	case !bytes.Equal(got, want):
		t.Fatalf("documents differ:\n got %s\nwant %s", got, want)
	}
}

func TestMarshalMatchesReference(t *testing.T) {
	c := vault.NewClock("dev <&> \u2028", nil)
	odd := vault.Account{ID: "id\"\\", Issuer: "A&B <x>", Name: "\xff\u2029\x01\b\f\n\r\t\x7f é", Type: vault.HOTP,
		Secret: vault.NewSecret([]byte{0, 1, 2, 250, 251, 252, 253}), Algorithm: vault.SHA512, Digits: 8, Counter: 1<<64 - 1,
		Tags: []string{"", "t\u2028", "\x00"}, Note: "line\nnext", Favorite: true, Stamp: vault.Stamp{Wall: -5, Logical: 1<<32 - 1, Device: "d\xc3"}}
	tests := []struct {
		name string
		s    vault.State
		o    Options
	}{
		{"empty state", vault.State{}, Options{}},
		{"sample state", sampleState(t), testBackupOpts},
		{"escapes everywhere", vault.State{Accounts: []vault.Account{odd}, Tombstones: []vault.Tombstone{{ID: "<t>", Stamp: c.Now()}},
			Settings: vault.Settings{LockAfter: 60, Stamp: c.Now(), ReauthAfter: 30, ReauthAfterStamp: c.Now(), ClipboardClear: 9, ClipboardClearStamp: c.Now()}},
			Options{VaultID: "v&", Device: "<d>", App: "wardkey \u2028", Created: time.Date(2026, 3, 1, 12, 0, 0, 5, time.FixedZone("x", 3600))}},
		{"a stamp on a setting without a value", vault.State{Settings: vault.Settings{ReauthAfterStamp: c.Now()}}, testBackupOpts},
		{"a year out of JSON's range", vault.State{}, Options{Created: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"a thousand accounts", thousandAccounts(), testBackupOpts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkMarshalAgainstRef(t, tt.s, tt.o) })
	}
}

// FuzzMarshalMatchesReference: for accounts with any text in them,
// Marshal writes what encoding/json wrote.
func FuzzMarshalMatchesReference(f *testing.F) {
	f.Add("EHR", "dr.jones", "a note", "ward 3", []byte("secret"), int64(1772366400000), uint64(0), true)
	f.Add("<&>", "\xff\u2028", "\x00\x1f\"\\", "", []byte{}, int64(-1), uint64(1<<64-1), false)
	f.Fuzz(func(t *testing.T, issuer, name, note, tag string, secret []byte, wall int64, counter uint64, fav bool) {
		a := vault.Account{ID: name + issuer, Issuer: issuer, Name: name, Type: vault.Type(tag), Secret: vault.NewSecret(secret),
			Algorithm: vault.Algorithm(note), Digits: int(wall), Period: int(counter), Counter: counter, Tags: []string{tag, note},
			Note: note, Favorite: fav, Stamp: vault.Stamp{Wall: wall, Logical: uint32(counter), Device: tag}}
		s := vault.State{Accounts: []vault.Account{a}, Tombstones: []vault.Tombstone{{ID: note, Stamp: a.Stamp}},
			Settings: vault.Settings{LockAfter: int(wall), Stamp: a.Stamp, ClipboardClear: int(counter)}}
		checkMarshalAgainstRef(t, s, Options{VaultID: issuer, Device: name, App: note, Created: time.UnixMilli(wall)})
	})
}
