package importer_test

import (
	"fmt"
	"log"

	"github.com/wardkey/wardkey/importer"
)

// Import detects the format from the content (here a list of otpauth URIs;
// an image with a QR code, a Google Authenticator export or another app's
// export file read the same way) and returns the accounts it holds, with
// the entries it could not represent and why. It never prints a secret.
func ExampleImport() {
	data := []byte(`otpauth://totp/EHR:dr.jones?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=EHR
otpauth://hotp/Door:front?secret=GEZDGNBVGY3TQOJQ&counter=7
otpauth://totp/Old:md5?secret=GEZDGNBVGY3TQOJQ&algorithm=MD5
`)
	res, err := importer.Import(data, importer.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("format:", res.Format)
	for _, a := range res.Accounts {
		fmt.Println(a.Label(), a.Type, a.Counter)
	}
	for _, s := range res.Skipped {
		fmt.Println("skipped:", s.Entry) // a line number: the entry named no valid account
	}
	// Output:
	// format: otpauth
	// EHR:dr.jones totp 0
	// Door:front hotp 7
	// skipped: line 3
}
