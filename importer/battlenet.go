package importer

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// battleNetFormat is the authenticator preferences file of the Battle.net
// Android app (com.blizzard.messenger.authenticator_preferences.xml): the
// device secret and serial, hex, each XORed with a fixed mask (encryption
// type MASK). The secret unmasks to the hex of the TOTP key (SHA1, 8
// digits, 30 s), the serial to the account name (US-1234-5678-9012).
type battleNetFormat struct{}

const (
	battleNetPrefix = "com.blizzard.messenger.AUTHENTICATOR_"
	battleNetSecret = battleNetPrefix + "DEVICE_SECRET"
	battleNetSerial = battleNetPrefix + "SERIAL"
	battleNetEncKey = battleNetPrefix + "CREDENTIALS_ENCRYPTION_TYPE"
)

// battleNetMask is the fixed mask of the Battle.net app, as published in
// Aegis's BattleNetImporter (beemdevelopment/Aegis, BattleNetImporter.java).
// Checked here: it unmasks the fixture's secret to V8's key and, separately,
// its serial to the expected serial.
var battleNetMask, _ = hex.DecodeString("398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb38068773fa59ba47c17ca6c6479015c1d5b8b8f6b9a")

func (battleNetFormat) name() string { return "battle-net" }

func (battleNetFormat) detect(p *probe) bool {
	return p.isText && strings.Contains(p.text, "<map") && strings.Contains(p.text, `"`+battleNetSecret+`"`)
}

// battleNetUnmask decodes a masked hex value.
func battleNetUnmask(s string) (string, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return "", errors.New("it is not hex")
	}
	if len(b) > len(battleNetMask) {
		return "", fmt.Errorf("it is %d bytes, longer than the mask", len(b))
	}
	for i := range b {
		b[i] ^= battleNetMask[i]
	}
	return string(b), nil
}

func (battleNetFormat) parse(data []byte, o Options, c *collector) error {
	const format = "battle-net"
	prefs, err := prefStrings(format, data)
	if err != nil {
		return err
	}
	if t, ok := prefs[battleNetEncKey]; ok && strings.TrimSpace(t) != "MASK" {
		return &ParseError{Format: format, Err: fmt.Errorf("credentials encryption type %q is %w", clip(t), ErrNotSupported)}
	}
	masked, ok := prefs[battleNetSecret]
	if !ok {
		return &ParseError{Format: format, Err: errors.New("the file holds no device secret")}
	}
	serial := ""
	if s := prefs[battleNetSerial]; strings.TrimSpace(s) != "" {
		if serial, err = battleNetUnmask(s); err != nil {
			return &ParseError{Format: format, Err: fmt.Errorf("the serial: %w", err)}
		}
	}
	hexKey, err := battleNetUnmask(masked)
	var key []byte
	if err == nil {
		if key, err = hex.DecodeString(hexKey); err != nil {
			err = errors.New("it does not unmask to a hex key")
		}
	}
	if err != nil {
		return &ParseError{Format: format, Err: fmt.Errorf("the device secret: %w", err)}
	}
	return c.addEntry(rawEntry{Issuer: "Battle.net", Name: serial, Type: "totp", SecretBytes: key, Algorithm: "SHA1", Digits: num{8, true}, Period: num{30, true}})
}
