package importer

import "errors"

// duoFormat is the account list of Duo Mobile (files/duokit/accounts.json):
// a JSON array of {name, otpGenerator: {otpSecret, counter}}. An entry with a
// counter is HOTP, else TOTP (SHA1, 6 digits, 30 s); Duo keeps no issuer.
type duoFormat struct{}

func (duoFormat) name() string { return "duo" }

func (duoFormat) detect(p *probe) bool {
	return p.isJSON && p.jsonArray && p.has("otpGenerator")
}

func (duoFormat) parse(data []byte, o Options, c *collector) error {
	var entries []struct {
		Name         string `json:"name"`
		OTPGenerator *struct {
			OTPSecret string `json:"otpSecret"`
			Counter   num    `json:"counter"`
		} `json:"otpGenerator"`
	}
	if err := decodeJSON("duo", data, &entries); err != nil {
		return err
	}
	for _, e := range entries {
		if e.OTPGenerator == nil {
			if err := c.skip(entryName("", e.Name, c.n+1), errNoOTPGenerator); err != nil {
				return err
			}
			continue
		}
		r := rawEntry{Name: e.Name, Type: "totp", Secret: e.OTPGenerator.OTPSecret}
		if e.OTPGenerator.Counter.ok {
			r.Type, r.Counter = "hotp", e.OTPGenerator.Counter
		}
		if err := c.addEntry(r); err != nil {
			return err
		}
	}
	return nil
}

var errNoOTPGenerator = errors.New("it is not an OTP account (no otpGenerator)")
