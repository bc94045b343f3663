package importer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// The SQLite databases of authenticator apps, copied from a rooted phone
// (/data/data/APP/databases/...). Each is read by the table its accounts
// live in; two apps name it "accounts", and detection by what parses tells
// them apart by their columns.
var (
	// googleAuthDBFormat: Google Authenticator's databases/databases,
	// table accounts (email, secret, counter, type 0 TOTP / 1 HOTP,
	// issuer). The app knows only SHA1, 6 digits, 30 s.
	googleAuthDBFormat = sqliteFormat{format: "google-authenticator-db", table: "accounts", read: readGoogleAuthDB}
	// microsoftAuthDBFormat: Microsoft Authenticator's databases/PhoneFactor,
	// table accounts (name, username, oath_secret_key, account_type). Type 0
	// is another service's TOTP (base32, 6 digits), type 1 a Microsoft
	// personal account (base64, 8 digits), as Aegis reads them.
	microsoftAuthDBFormat = sqliteFormat{format: "microsoft-authenticator-db", table: "accounts", read: readMicrosoftAuthDB}
	// stratumDBFormat: Authenticator Pro / Stratum's database, table
	// authenticator, with the same fields as its backups.
	stratumDBFormat = sqliteFormat{format: "stratum-db", table: "authenticator", read: readStratumDB}
)

func readGoogleAuthDB(d *sqliteDB, c *collector) error {
	cols := []string{"email", "secret", "counter", "type", "issuer"}
	if !d.hasColumns("accounts", cols...) {
		cols = cols[:4] // the oldest versions keep no issuer
		if !d.hasColumns("accounts", cols...) {
			return otherShape(errors.New("its accounts table is not Google Authenticator's"))
		}
	}
	return d.query("accounts", cols, func(v []sqlValue) error {
		name, issuer := strings.TrimSpace(v[0].s), ""
		if len(v) > 4 {
			issuer = strings.TrimSpace(v[4].s)
		}
		switch rest, ok := strings.CutPrefix(name, issuer+":"); {
		case issuer != "" && ok:
			name = rest
		case issuer == "":
			if i, n, ok := strings.Cut(name, ":"); ok {
				issuer, name = i, n
			}
		}
		r := rawEntry{Issuer: issuer, Name: name, Secret: v[1].s, Algorithm: "SHA1", Digits: num{6, true}, Period: num{30, true}, Counter: v[2].num()}
		switch {
		case v[3].isInt && v[3].i == 0 || v[3].null:
			r.Type = "totp"
		case v[3].isInt && v[3].i == 1:
			r.Type = "hotp"
		default:
			return c.skip(entryName(issuer, name, c.n+1), fmt.Errorf("account type %s is %w", typeName(v[3]), ErrNotSupported))
		}
		return c.addEntry(r)
	})
}

func readMicrosoftAuthDB(d *sqliteDB, c *collector) error {
	cols := []string{"name", "username", "oath_secret_key", "account_type"}
	if !d.hasColumns("accounts", cols...) {
		return otherShape(errors.New("its accounts table is not Microsoft Authenticator's"))
	}
	return d.query("accounts", cols, func(v []sqlValue) error {
		issuer, name, secret := v[0].s, v[1].s, strings.TrimSpace(v[2].s)
		label := entryName(issuer, name, c.n+1)
		if secret == "" {
			return c.skip(label, errors.New("it has no code secret (a sign-in approved by notification only)"))
		}
		r := rawEntry{Issuer: issuer, Name: name, Type: "totp", Algorithm: "SHA1", Period: num{30, true}}
		switch {
		case v[3].isInt && v[3].i == 0:
			r.Secret, r.Digits = secret, num{6, true}
		case v[3].isInt && v[3].i == 1:
			key, err := base64.StdEncoding.DecodeString(secret)
			if err != nil || len(key) == 0 {
				return c.skip(label, errors.New("its Microsoft account secret is not base64"))
			}
			r.SecretBytes, r.Digits = key, num{8, true}
		default:
			return c.skip(label, fmt.Errorf("account type %s (a work or school account) is %w", typeName(v[3]), ErrNotSupported))
		}
		return c.addEntry(r)
	})
}

func readStratumDB(d *sqliteDB, c *collector) error {
	cols := []string{"type", "issuer", "username", "secret", "algorithm", "digits", "period", "counter"}
	if !d.hasColumns("authenticator", cols...) {
		return otherShape(errors.New("its authenticator table is not Authenticator Pro's"))
	}
	var f stratumFile
	err := d.query("authenticator", cols, func(v []sqlValue) error {
		a := stratumAuth{Type: int(v[0].i), Issuer: v[1].s, Username: v[2].s, Secret: v[3].s, Algorithm: int(v[4].i),
			Digits: v[5].num(), Period: v[6].num(), Counter: v[7].num()}
		if !v[0].isInt {
			a.Type = -1
		}
		if !v[4].isInt {
			a.Algorithm = -1
		}
		f.Authenticators = append(f.Authenticators, a)
		if len(f.Authenticators) > MaxAccounts {
			return fmt.Errorf("the database holds more than %d accounts: %w", MaxAccounts, ErrTooLarge)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if d.tables["category"] && d.tables["authenticatorcategory"] &&
		d.hasColumns("category", "id", "name") && d.hasColumns("authenticatorcategory", "categoryId", "authenticatorSecret") {
		if err := d.query("category", []string{"id", "name"}, func(v []sqlValue) error {
			f.Categories = append(f.Categories, stratumCategory{ID: v[0].s, Name: v[1].s})
			return nil
		}); err != nil {
			return err
		}
		if err := d.query("authenticatorcategory", []string{"categoryId", "authenticatorSecret"}, func(v []sqlValue) error {
			f.AuthenticatorCategories = append(f.AuthenticatorCategories, stratumAuthCategory{CategoryID: v[0].s, AuthenticatorSecret: v[1].s})
			return nil
		}); err != nil {
			return err
		}
	}
	return c.addStratum(f)
}

// typeName shows a type column: its number, never other text (a damaged
// row could hold anything there).
func typeName(v sqlValue) string {
	if v.isInt {
		return fmt.Sprint(v.i)
	}
	return "(not a number)"
}
