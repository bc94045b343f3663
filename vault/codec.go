package vault

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// storedAccount is the storage form of an Account. It is the only place
// where a secret is written out (base64 of the raw bytes), and it is used
// only inside sealed payloads: the vault file, backups and replicas.
type storedAccount struct {
	ID        string   `json:"id"`
	Issuer    string   `json:"issuer"`
	Name      string   `json:"name"`
	Type      string   `json:"type"`
	Secret    string   `json:"secret"`
	Algorithm string   `json:"algorithm"`
	Digits    int      `json:"digits"`
	Period    int      `json:"period"`
	Counter   uint64   `json:"counter"`
	Tags      []string `json:"tags"`
	Note      string   `json:"note"`
	Favorite  bool     `json:"favorite"`
	Stamp     Stamp    `json:"stamp"`
}

type storedState struct {
	Accounts   []storedAccount `json:"accounts"`
	Tombstones []Tombstone     `json:"tombstones"`
	Settings   Settings        `json:"settings"`
}

// MarshalState encodes a state for storage, secrets included. The result
// must only ever be written inside an encrypted container.
func MarshalState(s State) ([]byte, error) {
	return json.Marshal(toStored(s))
}

// toStored converts a state to its storage form (backups embed it).
func toStored(s State) storedState {
	st := storedState{
		Accounts:   make([]storedAccount, 0, len(s.Accounts)),
		Tombstones: s.Tombstones,
		Settings:   s.Settings,
	}
	if st.Tombstones == nil {
		st.Tombstones = []Tombstone{}
	}
	for _, a := range s.Accounts {
		tags := a.Tags
		if tags == nil {
			tags = []string{}
		}
		st.Accounts = append(st.Accounts, storedAccount{
			ID: a.ID, Issuer: a.Issuer, Name: a.Name, Type: string(a.Type),
			Secret:    base64.StdEncoding.EncodeToString(a.Secret.raw()),
			Algorithm: string(a.Algorithm), Digits: a.Digits, Period: a.Period,
			Counter: a.Counter, Tags: tags, Note: a.Note, Favorite: a.Favorite, Stamp: a.Stamp,
		})
	}
	return st
}

// UnmarshalState decodes what MarshalState wrote, checking every account.
func UnmarshalState(b []byte) (State, error) {
	var st storedState
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("decode accounts: %w", err)
	}
	return st.state()
}

// state converts the storage form back, checking every account.
func (st storedState) state() (State, error) {
	s := State{Tombstones: st.Tombstones, Settings: st.Settings}
	if err := s.Settings.Validate(); err != nil {
		return State{}, fmt.Errorf("decode settings: %w", err)
	}
	if s.Tombstones == nil {
		s.Tombstones = []Tombstone{}
	}
	s.Accounts = make([]Account, 0, len(st.Accounts))
	for i, x := range st.Accounts {
		sec, err := base64.StdEncoding.DecodeString(x.Secret)
		if err != nil {
			return State{}, fmt.Errorf("decode account %d: secret is not base64", i+1)
		}
		a := Account{
			ID: x.ID, Issuer: x.Issuer, Name: x.Name, Type: Type(x.Type), Secret: NewSecret(sec),
			Algorithm: Algorithm(x.Algorithm), Digits: x.Digits, Period: x.Period, Counter: x.Counter,
			Tags: x.Tags, Note: x.Note, Favorite: x.Favorite, Stamp: x.Stamp,
		}
		if a.Tags == nil {
			a.Tags = []string{}
		}
		if a.ID == "" {
			return State{}, fmt.Errorf("decode account %d: no id", i+1)
		}
		if err := a.Validate(); err != nil {
			return State{}, fmt.Errorf("decode account %d: %w", i+1, err)
		}
		s.Accounts = append(s.Accounts, a)
	}
	return s, nil
}
