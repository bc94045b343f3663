// Package frequency holds zxcvbn's ranked frequency lists (passwords,
// English Wikipedia, US TV and film, US census surnames and first names),
// embedded as text, one word a line, most frequent first. They are the
// lists of github.com/trustelem/zxcvbn v1.0.1 (frequency/lists.go, made by
// its data-scripts/build_frequency_lists.py from the dropbox/zxcvbn data),
// written out one word a line; see ../../PROVENANCE.md.
//
// Nothing is read at package init: Lists parses them on its first call.
package frequency

import (
	"embed"
	"strings"
	"sync"
)

//go:embed *.txt
var files embed.FS

// Lists returns each list by name ("passwords", "english_wikipedia",
// "us_tv_and_film", "surnames", "female_names", "male_names"), built on the
// first call.
var Lists = sync.OnceValue(func() map[string][]string {
	ents, _ := files.ReadDir(".")
	out := make(map[string][]string, len(ents))
	for _, e := range ents {
		b, _ := files.ReadFile(e.Name())
		out[strings.TrimSuffix(e.Name(), ".txt")] = strings.Fields(string(b))
	}
	return out
})
