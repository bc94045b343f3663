package vault

import (
	"encoding/base64"
	"encoding/json"
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
// It reads the text in one pass (jsonstate.go).
func UnmarshalState(b []byte) (State, error) { return unmarshalStateJSON(b) }
