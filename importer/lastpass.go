package importer

import (
	"encoding/base64"
	"errors"
	"strings"
)

// lastPassFormat is a LastPass Authenticator export (JSON).
type lastPassFormat struct{}

func (lastPassFormat) name() string { return "lastpass" }

func (lastPassFormat) detect(p *probe) bool {
	if !p.isJSON || p.jsonArray || !p.has("accounts") {
		return false
	}
	return strings.Contains(string(p.keys["accounts"]), `"issuerName"`) || p.has("deviceName") || p.has("localDeviceId")
}

func (lastPassFormat) parse(data []byte, o Options, c *collector) error {
	var f struct {
		Accounts []struct {
			IssuerName         string `json:"issuerName"`
			OriginalIssuerName string `json:"originalIssuerName"`
			UserName           string `json:"userName"`
			OriginalUserName   string `json:"originalUserName"`
			Secret             string `json:"secret"`
			TimeStep           num    `json:"timeStep"`
			Digits             num    `json:"digits"`
			Algorithm          string `json:"algorithm"`
			IsFavorite         bool   `json:"isFavorite"`
			FolderData         *struct {
				FolderID num `json:"folderId"`
			} `json:"folderData"`
		} `json:"accounts"`
		Folders []struct {
			ID   num    `json:"id"`
			Name string `json:"name"`
		} `json:"folders"`
	}
	if err := decodeJSON("lastpass", data, &f); err != nil {
		return err
	}
	folders := map[int64]string{}
	for _, fo := range f.Folders {
		folders[fo.ID.v] = fo.Name
	}
	for _, a := range f.Accounts {
		issuer := a.IssuerName
		if issuer == "" {
			issuer = a.OriginalIssuerName
		}
		name := a.UserName
		if name == "" {
			name = a.OriginalUserName
		}
		r := rawEntry{Issuer: issuer, Name: name, Secret: a.Secret, Algorithm: a.Algorithm, Digits: a.Digits, Period: a.TimeStep, Favorite: a.IsFavorite}
		if a.FolderData != nil {
			if n, ok := folders[a.FolderData.FolderID.v]; ok && n != "" {
				r.Tags = []string{n}
			}
		}
		if err := c.addEntry(r); err != nil {
			return err
		}
	}
	return nil
}

// steamFormat is Steam Guard data: a Steam Desktop Authenticator maFile or
// the Steam app's data ({"accounts": {id: maFile}}), shared_secret in base64.
type steamFormat struct{}

func (steamFormat) name() string { return "steam" }

func (steamFormat) detect(p *probe) bool {
	if !p.isJSON || p.jsonArray {
		return false
	}
	return p.has("shared_secret") || (p.has("accounts") && strings.Contains(string(p.keys["accounts"]), `"shared_secret"`))
}

type maFile struct {
	SharedSecret string `json:"shared_secret"`
	AccountName  string `json:"account_name"`
}

func (steamFormat) parse(data []byte, o Options, c *collector) error {
	var one maFile
	if err := decodeJSON("steam", data, &one); err != nil {
		return err
	}
	files := []maFile{one}
	if one.SharedSecret == "" {
		var many struct {
			Accounts map[string]maFile `json:"accounts"`
		}
		if err := decodeJSON("steam", data, &many); err != nil {
			return err
		}
		files = files[:0]
		for _, m := range many.Accounts {
			files = append(files, m)
		}
	}
	for _, m := range files {
		if err := c.addMaFile(m); err != nil {
			return err
		}
	}
	c.why = "it holds no Steam account"
	return nil
}

// addMaFile adds the Steam account of one maFile.
func (c *collector) addMaFile(m maFile) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(m.SharedSecret))
	if err != nil || len(key) == 0 {
		return c.skip(entryName("Steam", m.AccountName, c.n+1), errors.New("its shared_secret is not base64"))
	}
	return c.addEntry(rawEntry{Issuer: "Steam", Name: m.AccountName, Type: "steam", SecretBytes: key})
}
