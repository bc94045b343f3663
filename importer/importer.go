package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardkey/wardkey/vault"

	"github.com/wardkey/wardkey/importer/internal/jsondepth"
)

// Limits that bound what a hostile file can make wardkey do (DESIGN.md).
const (
	// MaxFileSize is the largest file Import accepts: 16 MiB.
	MaxFileSize = 16 << 20
	// MaxPixels is the largest image, in pixels, that is decoded: 40 megapixels.
	MaxPixels = 40_000_000
	// MaxAccounts is the most entries (accounts and skipped entries) one
	// import may hold.
	MaxAccounts = 10_000
	// MaxDepth is the deepest JSON or XML nesting accepted.
	MaxDepth = 64
)

// Sentinel errors that callers branch on.
var (
	// ErrUnknownFormat: the content matches no known format.
	ErrUnknownFormat = errors.New("the file is not in a format wardkey can import")
	// ErrPassphraseNeeded: the file is encrypted and no passphrase was offered.
	ErrPassphraseNeeded = errors.New("the file is encrypted and needs its passphrase")
	// ErrWrongPassphrase: the passphrase did not open the file.
	ErrWrongPassphrase = errors.New("the passphrase does not open the file")
	// ErrTooLarge: the file, an image or the number of entries is over a limit.
	ErrTooLarge = errors.New("over wardkey's import limits")
	// ErrKDFTooCostly: an encrypted export asks for more key-derivation memory
	// or work than wardkey allows.
	ErrKDFTooCostly = errors.New("the file asks for an unreasonable amount of key-derivation work")
	// ErrNoOTP: a QR code or file holds something other than an OTP account.
	ErrNoOTP = errors.New("it holds no otpauth:// URI or Google Authenticator export")
	// ErrNoAccounts: the file is in a known format but holds no entry at
	// all. Errors that match it are an [*EmptyError], which says why.
	ErrNoAccounts = errors.New("the file holds no account")
)

// EmptyError is the error of a file that is in a known format but holds
// no entry at all (an export made before any account was added, a password
// manager export whose logins have no TOTP field). It matches ErrNoAccounts.
type EmptyError struct {
	Format string // format name, as in Formats
	Why    string // why there is nothing, e.g. "its token list is empty"
}

func (e *EmptyError) Error() string {
	return fmt.Sprintf("%s: %v (%s)", e.Format, ErrNoAccounts, e.Why)
}

// Is makes errors.Is(err, ErrNoAccounts) true.
func (e *EmptyError) Is(target error) bool { return target == ErrNoAccounts }

// ParseError is an error in one place of a file: the format and, for text
// formats, the line. It never holds a secret.
type ParseError struct {
	Format string // format name, as in Formats
	Line   int    // 1-based line, 0 when not line-based
	Err    error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d: %v", e.Format, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Format, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Options tune an import.
type Options struct {
	// Format forces a format by name (one of Formats); "" detects it from
	// the content.
	Format string
	// Passphrase returns the passphrase of an encrypted export. It is called
	// at most once, only when the file is encrypted; nil means no passphrase
	// can be had, and an encrypted file fails with ErrPassphraseNeeded.
	Passphrase func() ([]byte, error)
	// Path is the file's path when the data came from a file (ImportFile
	// sets it). Formats spread over several files read the files named
	// beside it: a Steam Desktop Authenticator manifest.json and its
	// maFiles. "" means the data stands alone.
	Path string
}

// Skipped is an entry of a file that was not imported, and why.
type Skipped struct {
	Entry  string // "issuer:name" or "entry N"; never a secret
	Reason string
}

// Result is what one file holds.
type Result struct {
	Format   string          // the format name, as in Formats
	Accounts []vault.Account // no IDs; normalized and valid
	Skipped  []Skipped       // entries that were reported and left out
	// Batches lists the Google Authenticator export QR codes (otpauth-migration
	// URIs) the file held, so that codes spread over several files can be
	// checked for completeness with MissingBatches.
	Batches []Batch
}

// format is one source format: it recognises its content and turns it into
// accounts. Each lives in its own file.
type format interface {
	name() string
	// detect reports whether the content is in this format.
	detect(p *probe) bool
	// parse adds the file's entries to c.
	parse(data []byte, o Options, c *collector) error
}

// formats are tried in this order by detection.
var formats = []format{
	imageFormat{},
	zipFormat{},
	steamSDAFormat{},
	freeOTP2Format{},
	stratumEncryptedFormat{},
	aegisFormat{},
	twoFASFormat{},
	enteEncryptedFormat{},
	duoFormat{},
	andOTPFormat{},
	bitwardenFormat{},
	freeOTPPlusFormat{},
	stratumFormat{},
	protonAuthenticatorFormat{},
	lastPassFormat{},
	steamFormat{},
	freeOTPXMLFormat{},
	authyFormat{},
	battleNetFormat{},
	totpAuthXMLFormat{},
	bitwardenCSVFormat{},
	googleAuthDBFormat,
	microsoftAuthDBFormat,
	stratumDBFormat,
	migrationFormat{},
	uriListFormat{},
	andOTPEncryptedFormat{}, // new format: by its header's shape; old: never
	totpAuthFormat{},        // never detected: no magic
}

// Formats lists the format names Options.Format accepts.
func Formats() []string {
	names := make([]string, 0, len(formats))
	for _, f := range formats {
		names = append(names, f.name())
	}
	return names
}

// Import detects the format of data (or uses o.Format) and returns every
// account it holds. It is all-or-nothing: an error means no account, while an
// entry wardkey cannot represent is reported in Result.Skipped.
//
// Detection is decided by what parses: every format whose signature the
// content has is a candidate, tried in the order of formats (the most
// specific first). The first candidate that yields accounts wins; one that
// recognises the file but yields none never wins over one that yields some.
// When no candidate yields an account, the first that read any entry (all of
// them skipped) is the result; else the first candidate's error; else an
// [*EmptyError] saying why the file holds nothing; else the error of a
// candidate that found the file is another app's.
func Import(data []byte, o Options) (Result, error) {
	if len(data) > MaxFileSize {
		return Result{}, fmt.Errorf("the file is %d bytes, more than %d MiB: %w", len(data), MaxFileSize>>20, ErrTooLarge)
	}
	o = o.once()
	if o.Format != "" {
		for _, f := range formats {
			if strings.EqualFold(f.name(), o.Format) {
				return importAs(f, data, o)
			}
		}
		return Result{}, fmt.Errorf("format %q is not known (known: %s)", o.Format, strings.Join(Formats(), ", "))
	}
	p := newProbe(data)
	p.path = o.Path
	var (
		partial              *Result
		first, border, other error
		tried                bool
	)
	for _, f := range formats {
		if !f.detect(p) {
			continue
		}
		tried = true
		res, err := importAs(f, data, o)
		var empty *EmptyError
		switch {
		case err == nil && len(res.Accounts) > 0:
			return res, nil
		case err == nil:
			if partial == nil {
				partial = &res
			}
		case errors.Is(err, ErrTooLarge):
			return Result{}, err // a limit: no other reading is cheaper
		case errors.As(err, &empty):
			if border == nil {
				border = err
			}
		case errors.Is(err, errOtherShape):
			if other == nil {
				other = err
			}
		default:
			if first == nil {
				first = err
			}
		}
	}
	switch {
	case !tried:
		return Result{}, ErrUnknownFormat
	case partial != nil:
		return *partial, nil
	case first != nil:
		return Result{}, first
	case border != nil:
		return Result{}, border
	}
	return Result{}, other
}

// errOtherShape marks a parse error that says the file is another app's
// (a table of the right name with other columns): in detection it ranks
// below every other outcome.
var errOtherShape = errors.New("another app's file of the same kind")

// otherShape wraps an error as errOtherShape, keeping its text.
func otherShape(err error) error { return &otherShapeError{err} }

type otherShapeError struct{ err error }

func (e *otherShapeError) Error() string        { return e.err.Error() }
func (e *otherShapeError) Unwrap() error        { return e.err }
func (e *otherShapeError) Is(target error) bool { return target == errOtherShape }

// importAs reads data as format f. A file that yields no entry at all
// (no account, no skipped entry, no Google Authenticator batch) is an
// *EmptyError.
func importAs(f format, data []byte, o Options) (Result, error) {
	c := &collector{}
	if err := f.parse(data, o, c); err != nil {
		return Result{}, err
	}
	if len(c.accounts)+len(c.skipped)+len(c.batches) == 0 {
		why := c.why
		if why == "" {
			why = "it lists no entries"
		}
		return Result{}, &EmptyError{Format: f.name(), Why: why}
	}
	return Result{Format: f.name(), Accounts: c.accounts, Skipped: c.skipped, Batches: c.batches}, nil
}

// ImportFile imports one file, refusing a file over MaxFileSize before
// reading it all.
func ImportFile(path string, o Options) (Result, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Result{}, err
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return Result{}, errors.New("it is a folder: name a file in it (for a Steam Desktop Authenticator folder, its manifest.json)")
	} else if err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return Result{}, fmt.Errorf("the file is %d bytes, more than %d MiB: %w", st.Size(), MaxFileSize>>20, ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return Result{}, err
	}
	if len(data) > MaxFileSize {
		return Result{}, fmt.Errorf("the file is more than %d MiB: %w", MaxFileSize>>20, ErrTooLarge)
	}
	o.Path = path
	return Import(data, o)
}

// once makes the passphrase callback ask at most once.
func (o Options) once() Options {
	if o.Passphrase == nil {
		return o
	}
	ask := o.Passphrase
	var (
		done bool
		p    []byte
		err  error
	)
	o.Passphrase = func() ([]byte, error) {
		if !done {
			p, err = ask()
			done = true
		}
		return p, err
	}
	return o
}

// passphrase asks for the file's passphrase.
func (o Options) passphrase() ([]byte, error) {
	if o.Passphrase == nil {
		return nil, ErrPassphraseNeeded
	}
	p, err := o.Passphrase()
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, ErrPassphraseNeeded
	}
	return p, nil
}

// collector gathers a file's accounts and skipped entries, enforcing
// MaxAccounts.
type collector struct {
	accounts []vault.Account
	skipped  []Skipped
	batches  []Batch
	n        int
	// why says why the file holds no entry, when a format knows better
	// than "it lists no entries".
	why string
}

// entryName names an entry for a report: "issuer:name", or "entry N".
func entryName(issuer, name string, n int) string {
	issuer, name = strings.TrimSpace(issuer), strings.TrimSpace(name)
	switch {
	case issuer != "" && name != "":
		return clip(issuer + ":" + name)
	case issuer != "" || name != "":
		return clip(issuer + name)
	}
	return "entry " + strconv.Itoa(n)
}

// clip shortens a label for a report.
func clip(s string) string {
	s = validUTF8(s)
	if len(s) > 80 {
		s = s[:77]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return s
}

func (c *collector) count() error {
	c.n++
	if c.n > MaxAccounts {
		return fmt.Errorf("the file holds more than %d entries: %w", MaxAccounts, ErrTooLarge)
	}
	return nil
}

// validText is b with each run of invalid UTF-8 replaced by U+FFFD, for
// text parsers that would refuse such bytes (XML, URI lists).
func validText(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

// validUTF8 replaces each run of invalid UTF-8 in s with U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// add normalizes and checks a; an invalid account is skipped with the reason.
// It is the one place every format's accounts pass through, so names from
// outside are made valid UTF-8 here (DESIGN.md, "Names from outside").
func (c *collector) add(a vault.Account) error {
	if err := c.count(); err != nil {
		return err
	}
	a.Issuer, a.Name, a.Note = validUTF8(a.Issuer), validUTF8(a.Name), validUTF8(a.Note)
	if a.Tags != nil {
		tags := make([]string, 0, len(a.Tags))
		for _, t := range a.Tags {
			if t = validUTF8(t); !containsString(tags, t) {
				tags = append(tags, t)
			}
		}
		a.Tags = tags
	}
	a.ID = ""
	a.Stamp = vault.Stamp{}
	a.Normalize()
	if err := a.Validate(); err != nil {
		c.skipped = append(c.skipped, Skipped{Entry: entryName(a.Issuer, a.Name, c.n), Reason: err.Error()})
		return nil
	}
	c.accounts = append(c.accounts, a)
	return nil
}

// skip reports an entry that cannot be imported. label may be "".
func (c *collector) skip(label string, reason error) error {
	if err := c.count(); err != nil {
		return err
	}
	if label == "" {
		label = "entry " + strconv.Itoa(c.n)
	}
	c.skipped = append(c.skipped, Skipped{Entry: clip(label), Reason: reason.Error()})
	return nil
}

// probe is what detection looks at, computed once.
type probe struct {
	data   []byte
	path   string // Options.Path
	text   string // data without a BOM and surrounding space, if it is UTF-8
	isText bool
	// JSON: keys of the top-level object, or of the first element of a
	// top-level array.
	isJSON    bool
	jsonArray bool
	keys      map[string]json.RawMessage
	// SQLite: the database's tables, listed once for every SQLite format.
	tables    map[string]bool
	tablesErr error
}

func newProbe(data []byte) *probe {
	p := &probe{data: data}
	b := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// Text is what has no NUL byte; a stray byte that is not UTF-8 (a
	// Latin-1 name) does not make an export binary.
	if bytes.IndexByte(b, 0) < 0 {
		p.isText = true
		p.text = strings.TrimSpace(string(validText(b)))
	}
	if p.isText && len(p.text) > 0 && (p.text[0] == '{' || p.text[0] == '[') && depthOK([]byte(p.text)) {
		if p.text[0] == '{' {
			var m map[string]json.RawMessage
			if json.Unmarshal([]byte(p.text), &m) == nil {
				p.isJSON, p.keys = true, m
			}
		} else {
			var arr []json.RawMessage
			if json.Unmarshal([]byte(p.text), &arr) == nil {
				p.isJSON, p.jsonArray = true, true
				if len(arr) > 0 {
					_ = json.Unmarshal(arr[0], &p.keys)
				}
			}
		}
	}
	return p
}

func (p *probe) has(keys ...string) bool {
	for _, k := range keys {
		if _, ok := p.keys[k]; !ok {
			return false
		}
	}
	return true
}

// depthOK reports whether JSON (or any bracketed text) nests no deeper than
// MaxDepth, counting brackets outside strings.
func depthOK(b []byte) bool { return jsondepth.OK(b, MaxDepth) }

// decodeJSON unmarshals a JSON document after checking its nesting.
func decodeJSON(name string, b []byte, v any) error {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !depthOK(b) {
		return &ParseError{Format: name, Err: fmt.Errorf("the JSON nests deeper than %d levels: %w", MaxDepth, ErrTooLarge)}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &ParseError{Format: name, Err: jsonError(err)}
	}
	return nil
}

// jsonError rewords a JSON error without quoting the input.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not valid JSON (at byte %d)", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Errorf("field %q has the wrong type (%s)", te.Field, te.Value)
		}
		return fmt.Errorf("unexpected JSON %s", te.Value)
	}
	return errors.New("not valid JSON")
}
