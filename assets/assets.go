// Package assets holds wardkey's own embedded files: the demo vault shown on
// first run, sample QR images, help text and themes. Third-party test data
// never goes here (it stays in each package's testdata).
package assets

import _ "embed"

// DemoURIs is the demo vault: otpauth URIs with made-up secrets, one per
// line, '#' comments. Opened in memory by `wardkey --demo`.
//
//go:embed demo.txt
var DemoURIs string
