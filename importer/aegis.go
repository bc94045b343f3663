package importer

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// aegisFormat is an Aegis vault export (.json), plain or encrypted with
// password slots (scrypt + AES-GCM), db versions 1 to 3.
type aegisFormat struct{}

func (aegisFormat) name() string { return "aegis" }

func (aegisFormat) detect(p *probe) bool {
	return p.isJSON && !p.jsonArray && p.has("header", "db")
}

type aegisFile struct {
	Version int `json:"version"`
	Header  struct {
		Slots  []aegisSlot `json:"slots"`
		Params *struct {
			Nonce string `json:"nonce"`
			Tag   string `json:"tag"`
		} `json:"params"`
	} `json:"header"`
	DB json.RawMessage `json:"db"`
}

type aegisSlot struct {
	Type      int    `json:"type"`
	Key       string `json:"key"`
	KeyParams struct {
		Nonce string `json:"nonce"`
		Tag   string `json:"tag"`
	} `json:"key_params"`
	N    int    `json:"n"`
	R    int    `json:"r"`
	P    int    `json:"p"`
	Salt string `json:"salt"`
}

type aegisDB struct {
	Version int `json:"version"`
	Entries []struct {
		Type     string   `json:"type"`
		Name     string   `json:"name"`
		Issuer   string   `json:"issuer"`
		Note     string   `json:"note"`
		Favorite bool     `json:"favorite"`
		Group    *string  `json:"group"` // db version 2
		Groups   []string `json:"groups"`
		Info     struct {
			Secret  string `json:"secret"`
			Algo    string `json:"algo"`
			Digits  num    `json:"digits"`
			Period  num    `json:"period"`
			Counter num    `json:"counter"`
		} `json:"info"`
	} `json:"entries"`
	Groups []struct {
		UUID string `json:"uuid"`
		Name string `json:"name"`
	} `json:"groups"`
}

func (aegisFormat) parse(data []byte, o Options, c *collector) error {
	var f aegisFile
	if err := decodeJSON("aegis", data, &f); err != nil {
		return err
	}
	if f.Version != 1 {
		return &ParseError{Format: "aegis", Err: fmt.Errorf("vault version %d is not supported", f.Version)}
	}
	dbJSON := []byte(f.DB)
	if len(dbJSON) > 0 && dbJSON[0] == '"' {
		plain, err := aegisDecrypt(f, o)
		if err != nil {
			return err
		}
		dbJSON = plain
	}
	var db aegisDB
	if err := decodeJSON("aegis", dbJSON, &db); err != nil {
		return err
	}
	if db.Version < 1 || db.Version > 3 {
		return &ParseError{Format: "aegis", Err: fmt.Errorf("database version %d is not supported", db.Version)}
	}
	groups := map[string]string{}
	for _, g := range db.Groups {
		groups[g.UUID] = g.Name
	}
	for _, e := range db.Entries {
		r := rawEntry{Issuer: e.Issuer, Name: e.Name, Type: e.Type, Secret: e.Info.Secret, Algorithm: e.Info.Algo,
			Digits: e.Info.Digits, Period: e.Info.Period, Counter: e.Info.Counter, Note: e.Note, Favorite: e.Favorite}
		if e.Group != nil {
			r.Tags = append(r.Tags, *e.Group)
		}
		for _, id := range e.Groups {
			if n, ok := groups[id]; ok {
				r.Tags = append(r.Tags, n)
			}
		}
		if err := c.addEntry(r); err != nil {
			return err
		}
	}
	return nil
}

func aegisDecrypt(f aegisFile, o Options) ([]byte, error) {
	perr := func(err error) error { return &ParseError{Format: "aegis", Err: err} }
	var s string
	if err := json.Unmarshal(f.DB, &s); err != nil {
		return nil, perr(errors.New("the encrypted database is not a string"))
	}
	ct, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, perr(errors.New("the encrypted database is not base64"))
	}
	if f.Header.Params == nil {
		return nil, perr(errors.New("the encrypted vault has no header parameters"))
	}
	nonce, err1 := hex.DecodeString(f.Header.Params.Nonce)
	tag, err2 := hex.DecodeString(f.Header.Params.Tag)
	if err1 != nil || err2 != nil || len(tag) != 16 {
		return nil, perr(errors.New("the header parameters are not valid"))
	}
	var usable []aegisSlot
	for _, sl := range f.Header.Slots {
		if sl.Type == 1 {
			usable = append(usable, sl)
		}
	}
	if len(usable) == 0 {
		return nil, perr(errors.New("the vault has no password slot (only biometric or raw keys, which work on the phone only)"))
	}
	pass, err := o.passphrase()
	if err != nil {
		return nil, err
	}
	for _, sl := range usable {
		salt, e1 := hex.DecodeString(sl.Salt)
		key, e2 := hex.DecodeString(sl.Key)
		kn, e3 := hex.DecodeString(sl.KeyParams.Nonce)
		kt, e4 := hex.DecodeString(sl.KeyParams.Tag)
		if e1 != nil || e2 != nil || e3 != nil || e4 != nil || len(kt) != 16 {
			return nil, perr(errors.New("a password slot is not valid"))
		}
		k, err := scryptKey(pass, salt, sl.N, sl.R, sl.P)
		if err != nil {
			return nil, perr(err)
		}
		master, err := gcmOpen(k, kn, append(key, kt...), nil)
		if err != nil {
			continue
		}
		if len(master) != 32 {
			return nil, perr(errors.New("the master key is not 32 bytes"))
		}
		plain, err := gcmOpen(master, nonce, append(ct, tag...), nil)
		if err != nil {
			return nil, perr(errors.New("the database does not decrypt with its master key: the file is corrupt"))
		}
		return plain, nil
	}
	return nil, ErrWrongPassphrase
}
