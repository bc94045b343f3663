package importer

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wardkey/wardkey/importer/migration"
)

// migrationFormat is text whose URIs are Google Authenticator exports
// (otpauth-migration://offline?data=...), one per line, '#' comments allowed.
type migrationFormat struct{}

func (migrationFormat) name() string { return "google-migration" }

func (migrationFormat) detect(p *probe) bool {
	return p.isText && firstLineHasPrefix(p.text, "otpauth-migration:")
}

func (migrationFormat) parse(data []byte, o Options, c *collector) error {
	return parseLines("google-migration", data, c)
}

// Batch identifies one QR code of a Google Authenticator export.
type Batch struct {
	ID    int32 // shared by every code of one export (0 in version 2 exports)
	Index int   // 0-based
	Size  int   // codes in the export
}

// Missing is an incomplete Google Authenticator export: the codes of it that
// were not imported.
type Missing struct {
	ID      int32
	Size    int
	Indices []int // 0-based
}

func (m Missing) String() string {
	nums := make([]string, len(m.Indices))
	for i, x := range m.Indices {
		nums[i] = strconv.Itoa(x + 1)
	}
	word := "QR code"
	if len(nums) > 1 {
		word = "QR codes"
	}
	return fmt.Sprintf("%s %s of %d of a Google Authenticator export %s missing", word, strings.Join(nums, ", "), m.Size, map[bool]string{true: "are", false: "is"}[len(nums) > 1])
}

// MissingBatches checks that every export seen in bs is complete, codes
// grouped by batch ID and size. It returns the incomplete ones, in order.
func MissingBatches(bs []Batch) []Missing {
	type key struct {
		id   int32
		size int
	}
	seen := map[key]map[int]bool{}
	var order []key
	for _, b := range bs {
		k := key{b.ID, b.Size}
		if seen[k] == nil {
			seen[k] = map[int]bool{}
			order = append(order, k)
		}
		seen[k][b.Index] = true
	}
	var out []Missing
	for _, k := range order {
		m := Missing{ID: k.id, Size: k.size}
		for i := 0; i < k.size; i++ {
			if !seen[k][i] {
				m.Indices = append(m.Indices, i)
			}
		}
		if len(m.Indices) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// migrationPart is one decoded migration URI and where it was (a line, or
// the n-th QR code of an image).
type migrationPart struct {
	b     migration.Batch
	where int
}

func decodeMigration(s string) (migration.Batch, error) {
	b, err := migration.Decode(s)
	if err != nil {
		return b, err
	}
	return b, nil
}

// addMigration adds decoded batches to c, in batch order, each code once.
func addMigration(name string, parts []migrationPart, c *collector) error {
	slices.SortStableFunc(parts, func(x, y migrationPart) int {
		return cmp.Or(cmp.Compare(x.b.ID, y.b.ID), cmp.Compare(x.b.Index, y.b.Index))
	})
	for _, p := range parts {
		c.batches = append(c.batches, Batch{ID: p.b.ID, Index: p.b.Index, Size: p.b.Size})
		for _, a := range p.b.Accounts {
			if err := c.add(a); err != nil {
				return err
			}
		}
		for _, inv := range p.b.Invalid {
			if err := c.skip(inv.Entry, fmt.Errorf("%s", inv.Reason)); err != nil {
				return err
			}
		}
	}
	return nil
}
