package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

// valid reports whether the decoder accepts b as one JSON text.
func valid(b []byte) bool {
	d := New(b)
	d.Skip()
	d.End()
	return d.Err() == nil
}

var syntaxCases = []struct {
	name string
	doc  string
}{
	{"empty", ``},
	{"space", " \t\r\n"},
	{"object", `{"a":[1,-0.5e+3,true,false,null,"s\"\\\/\b\f\n\r\t\u00e9"],"b":{}}`},
	{"trailing data", `{} x`},
	{"trailing comma in object", `{"a":1,}`},
	{"trailing comma in array", `[1,]`},
	{"missing colon", `{"a" 1}`},
	{"non-string key", `{1:2}`},
	{"leading zero", `01`},
	{"minus alone", `-`},
	{"dot without digits", `1.`},
	{"exponent without digits", `1e+`},
	{"bad literal", `nul`},
	{"control character in a string", "\"a\x01\""},
	{"bad escape", `"\'"`},
	{"short unicode escape", `"\u12"`},
	{"bad hex", `"\u12g4"`},
	{"unterminated string", `"abc`},
	{"invalid UTF-8 in a string", "\"\xff\""},
	{"NBSP before a value", "\u00a0{}"},
	{"max depth", strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)},
	{"above max depth", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)},
}

func TestSyntaxAsEncodingJSON(t *testing.T) {
	for _, tc := range syntaxCases {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := valid([]byte(tc.doc)), json.Valid([]byte(tc.doc)); got != want {
				t.Fatalf("valid %v, encoding/json says %v", got, want)
			}
		})
	}
}

var stringCases = []string{
	`""`, `"plain"`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`,
	"\"\xff\xfe\"", `"\"\\\/\b\f\n\r\t"`, "\"caf\xc3\xa9\"", "\"\xed\xa0\x80\"",
}

// checkUnquote compares Unquote with encoding/json's reading of a string.
func checkUnquote(t *testing.T, doc []byte) {
	t.Helper()
	var want string
	if json.Unmarshal(doc, &want) != nil {
		return
	}
	d := New(doc)
	raw, plain := d.String()
	d.End()
	if d.Err() != nil {
		t.Fatalf("refused a string encoding/json reads: %v", d.Err())
	}
	got := string(raw)
	if !plain {
		got = string(Unquote(nil, raw))
	}
	if got != want {
		t.Fatalf("unquoted %q, encoding/json %q", got, want)
	}
}

func TestUnquoteAsEncodingJSON(t *testing.T) {
	for _, s := range stringCases {
		t.Run(s, func(t *testing.T) { checkUnquote(t, []byte(s)) })
	}
}

// FuzzDecoder: the decoder accepts exactly the texts encoding/json
// accepts, and unquotes strings as it does.
func FuzzDecoder(f *testing.F) {
	for _, tc := range syntaxCases {
		if len(tc.doc) < 1000 {
			f.Add([]byte(tc.doc))
		}
	}
	for _, s := range stringCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := valid(b), json.Valid(b); got != want {
			t.Fatalf("valid %v, encoding/json says %v", got, want)
		}
		checkUnquote(t, b)
	})
}
