package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// unmarshalStateRef is UnmarshalState as it was, through encoding/json:
// the reference the one-pass decoder is held to (FuzzUnmarshalStateJSON).
func unmarshalStateRef(b []byte) (State, error) {
	var st storedState
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("decode accounts: %w", err)
	}
	return st.state()
}

// state converts the storage form back, checking every account.
func (st storedState) state() (State, error) {
	s := State{Tombstones: st.Tombstones, Settings: st.Settings}
	if err := s.Settings.Validate(); err != nil {
		return State{}, fmt.Errorf("decode settings: %w", err)
	}
	if s.Tombstones == nil {
		s.Tombstones = []Tombstone{}
	}
	s.Accounts = make([]Account, 0, len(st.Accounts))
	for i, x := range st.Accounts {
		sec, err := base64.StdEncoding.DecodeString(x.Secret)
		if err != nil {
			return State{}, fmt.Errorf("decode account %d: secret is not base64", i+1)
		}
		a := Account{
			ID: x.ID, Issuer: x.Issuer, Name: x.Name, Type: Type(x.Type), Secret: NewSecret(sec),
			Algorithm: Algorithm(x.Algorithm), Digits: x.Digits, Period: x.Period, Counter: x.Counter,
			Tags: x.Tags, Note: x.Note, Favorite: x.Favorite, Stamp: x.Stamp,
		}
		if a.Tags == nil {
			a.Tags = []string{}
		}
		if a.ID == "" {
			return State{}, fmt.Errorf("decode account %d: no id", i+1)
		}
		if err := a.Validate(); err != nil {
			return State{}, fmt.Errorf("decode account %d: %w", i+1, err)
		}
		s.Accounts = append(s.Accounts, a)
	}
	return s, nil
}

// jsonStateCases are documents where encoding/json's rules are easy to
// miss; each must decode (or be refused) exactly as the reference does.
var jsonStateCases = []struct{ name, doc string }{
	{"empty object", `{}`},
	{"null", `null`},
	{"empty input", ``},
	{"white space only", " \n\t"},
	{"not an object", `[1,2]`},
	{"a string", `"x"`},
	{"trailing data", `{} {}`},
	{"trailing comma", `{"accounts":[],}`},
	{"one account", `{"accounts":[{"id":"a1","issuer":"EHR","name":"me","type":"totp","secret":"SGVsbG8hIN6tvu8=","algorithm":"SHA1","digits":6,"period":30,"tags":["x"],"stamp":{"wall":5,"logical":1,"device":"d"}}],"tombstones":[{"id":"t","stamp":{"wall":9}}],"settings":{"lock_after":60,"stamp":{"wall":3}}}`},
	{"keys in other cases", `{"ACCOUNTS":[{"Id":"a1","ISSUER":"EHR","Type":"totp","SECRET":"SGVsbG8=","Algorithm":"SHA1","DIGITS":6,"Period":30}]}`},
	{"key folded by Unicode", `{"accounts":[{"id":"a1","issuer":"EHR","type":"totp","\u017fecret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30}]}`},
	{"escaped key", `{"accounts":[{"\u0069d":"a1","issuer":"EHR","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30}]}`},
	{"repeated key merges", `{"accounts":[{"id":"a1","issuer":"EHR","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30}],"accounts":[{"name":"n"}]}`},
	{"stale element reused", `{"accounts":[{"id":"a1","issuer":"A","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30},{"id":"a2","issuer":"B","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30}],"accounts":[{}],"accounts":[{},{}]}`},
	{"null array then more", `{"accounts":[{"id":"a1","issuer":"A","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30}],"accounts":null,"accounts":[{}]}`},
	{"empty array resets", `{"accounts":[{"id":"a1","issuer":"A","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30}],"accounts":[],"accounts":[{}]}`},
	{"nulls leave fields", `{"accounts":[{"id":"a1","issuer":"A","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30,"id":null,"digits":null,"tags":null,"stamp":null,"favorite":null}],"settings":null}`},
	{"wrong type", `{"accounts":[{"id":5,"issuer":"A","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"period":30}]}`},
	{"wrong type then syntax error", `{"accounts":[{"id":5}],"x":tru}`},
	{"float digits", `{"accounts":[{"id":"a","issuer":"A","type":"totp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6.0,"period":30}]}`},
	{"negative counter", `{"accounts":[{"id":"a","issuer":"A","type":"hotp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"counter":-1}]}`},
	{"counter at the top", `{"accounts":[{"id":"a","issuer":"A","type":"hotp","secret":"SGVsbG8=","algorithm":"SHA1","digits":6,"counter":18446744073709551615}]}`},
	{"logical too big", `{"tombstones":[{"id":"t","stamp":{"logical":4294967296}}]}`},
	{"wall too big", `{"tombstones":[{"id":"t","stamp":{"wall":9223372036854775808}}]}`},
	{"minus zero", `{"tombstones":[{"id":"t","stamp":{"wall":-0,"logical":0}}]}`},
	{"escapes and bad UTF-8", "{\"accounts\":[{\"id\":\"a\\ud800x\",\"issuer\":\"\xff\\u00e9\\ud83d\\ude00\\/\",\"name\":\"\\ud83d\\u0041\",\"type\":\"totp\",\"secret\":\"SGVs\\nbG8=\",\"algorithm\":\"SHA1\",\"digits\":6,\"period\":30,\"note\":\"\\b\\f\\r\\t\\\"\\\\\"}]}"},
	{"secret not base64", `{"accounts":[{"id":"a","issuer":"A","type":"totp","secret":"!!!!","algorithm":"SHA1","digits":6,"period":30}]}`},
	{"control character", "{\"accounts\":[{\"id\":\"a\x01\"}]}"},
	{"bad escape", `{"a":"\'"}`},
	{"settings out of range", `{"settings":{"lock_after":1,"stamp":{"wall":1}}}`},
	{"unknown keys skipped", `{"x":{"y":[1,-2.5e+3,true,false,null,"s",{}]},"accounts":[]}`},
	{"array as account", `{"accounts":[[]]}`},
	{"number as tags", `{"accounts":[{"tags":3}]}`},
	{"leading zero", `{"x":01}`},
	{"too deep", strings.Repeat("[", 10001) + strings.Repeat("]", 10001)},
	{"deep but not too deep", `{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`},
	{"too deep by one", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`},
}

// sameDecoded reports whether two decoded states are identical, secrets,
// tags and their nil-ness included.
func sameDecoded(a, b State) bool {
	if a.Settings != b.Settings || !slices.Equal(a.Tombstones, b.Tombstones) || (a.Tombstones == nil) != (b.Tombstones == nil) ||
		len(a.Accounts) != len(b.Accounts) {
		return false
	}
	for i := range a.Accounts {
		x, y := a.Accounts[i], b.Accounts[i]
		if !sameVersion(x, y) || x.Favorite != y.Favorite || (x.Tags == nil) != (y.Tags == nil) || !x.Secret.Equal(y.Secret) {
			return false
		}
	}
	return true
}

// checkAgainstRef decodes doc with UnmarshalState and the reference and
// fails unless both refuse it or both make the same state.
func checkAgainstRef(t *testing.T, doc []byte) {
	t.Helper()
	got, err := UnmarshalState(bytes.Clone(doc))
	want, werr := unmarshalStateRef(doc)
	switch {
	case (err == nil) != (werr == nil):
		t.Fatalf("UnmarshalState: %v; reference: %v", err, werr)
	case err == nil && !sameDecoded(got, want):
		t.Fatalf("states differ:\n got %+v\nwant %+v", got, want)
	}
}

func TestUnmarshalStateMatchesReference(t *testing.T) {
	for _, tc := range jsonStateCases {
		t.Run(tc.name, func(t *testing.T) { checkAgainstRef(t, []byte(tc.doc)) })
	}
	t.Run("sample state", func(t *testing.T) {
		b, err := MarshalState(sampleState(t))
		if err != nil {
			t.Fatal(err)
		}
		got, err := UnmarshalState(b)
		if err != nil || len(got.Accounts) == 0 {
			t.Fatalf("%d accounts, %v", len(got.Accounts), err)
		}
		checkAgainstRef(t, b)
	})
}

// FuzzUnmarshalStateJSON: the one-pass decoder accepts exactly what
// encoding/json with storedState.state accepted, and makes the same state.
func FuzzUnmarshalStateJSON(f *testing.F) {
	for _, tc := range jsonStateCases {
		if len(tc.doc) < 1000 {
			f.Add([]byte(tc.doc))
		}
	}
	b, err := MarshalState(sampleState(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) { checkAgainstRef(t, b) })
}
