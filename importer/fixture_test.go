package importer

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardkey/wardkey/vault"
)

// want is an expected account, written as a test reads best.
type want struct {
	issuer, name string
	typ          vault.Type
	secret       string // base32 as the file has it (compared after vault.ParseSecret)
	alg          vault.Algorithm
	digits       int
	period       int
	counter      uint64
}

func (w want) String() string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%d|%d|%d", w.issuer, w.name, w.typ, w.secret, w.alg, w.digits, w.period, w.counter)
}

func got(a vault.Account) want {
	return want{a.Issuer, a.Name, a.Type, a.Secret.Base32(), a.Algorithm, a.Digits, a.Period, a.Counter}
}

// The Aegis vector set (testdata/PROVENANCE.md).
var (
	v1 = want{"Deno", "Mason", vault.TOTP, "4SJHB4GSD43FZBAI7C2HLRJGPQ", vault.SHA1, 6, 30, 0}
	v2 = want{"SPDX", "James", vault.TOTP, "5OM4WOOGPLQEF6UGN3CPEOOLWU", vault.SHA256, 7, 20, 0}
	v3 = want{"Airbnb", "Elijah", vault.TOTP, "7ELGJSGXNCCTV3O6LKJWYFV2RA", vault.SHA512, 8, 50, 0}
	v4 = want{"Issuu", "James", vault.HOTP, "YOOMIXWS5GN6RTBPUFFWKTW5M4", vault.SHA1, 6, 0, 1}
	v5 = want{"Air Canada", "Benjamin", vault.HOTP, "KUVJJOM753IHTNDSZVCNKL7GII", vault.SHA256, 7, 0, 50}
	v6 = want{"WWE", "Mason", vault.HOTP, "5VAML3X35THCEBVRLV24CGBKOY", vault.SHA512, 8, 0, 10300}
	v7 = want{"Boeing", "Sophia", vault.Steam, "JRZCL47CMXVOQMNPZR2F7J4RGI", vault.SHA1, 5, 30, 0}

	v1to7 = []want{v1, v2, v3, v4, v5, v6, v7}

	// twoFASv2: 2FAS schema 2 has no token type: HOTP secrets come back as TOTP.
	twoFASv2 = []want{v1, v3,
		totp("Issuu", "James", v4.secret),
		with(totp("WWE", "Mason", v6.secret), func(w *want) { w.alg, w.digits = vault.SHA512, 8 }),
	}
	twoFASProton = []want{
		totp("myissuer", "mylabeldefault", "MYSECRET"),
		{"Steam", "", vault.Steam, "STEAMKEY", vault.SHA1, 5, 30, 0},
	}

	bitwardenFour   = []want{v1, v2, v3, with(v7, func(w *want) { w.issuer, w.name = "Test Steam", "" })}
	bitwardenProton = []want{
		{"ISSUER", "LABEL_256_8_15", vault.TOTP, "SECRETDATA", vault.SHA256, 8, 15, 0},
		totp("ISSUER_DEFAULT", "LABEL_DEFAULT", "SOMESECRET"),
		{"SteamName", "", vault.Steam, "STEAMKEY", vault.SHA1, 5, 30, 0},
		{"SevenDigits", "Seven digit username", vault.TOTP, "SEVENDIGITSECRET", vault.SHA1, 7, 30, 0},
	}

	authyThree = []want{
		totp("Deno", "Mason", v1.secret),
		with(totp("SPDX", "James", v2.secret), func(w *want) { w.digits = 7 }),
		with(totp("Airbnb", "Elijah", v3.secret), func(w *want) { w.digits = 8 }),
	}
	totpAuthThree = []want{
		totp("Deno", "mason", v1.secret),
		with(totp("SPDX", "james", v2.secret), func(w *want) { w.digits, w.period = 7, 20 }),
		with(totp("Airbnb", "elijah", v3.secret), func(w *want) { w.digits, w.period = 8, 50 }),
	}

	// protonTrio is the three accounts of several PROTON fixtures.
	protonTrio = []want{
		{"myissuer", "mylabel815256", vault.TOTP, "MYSECRET", vault.SHA256, 8, 15, 0},
		totp("myissuer", "mylabeldefault", "MYSECRET"),
		{"Steam", "Steam", vault.Steam, "STEAMKEY", vault.SHA1, 5, 30, 0},
	}
)

// totp is a default TOTP (SHA1/6/30).
func totp(issuer, name, secret string) want {
	return want{issuer, name, vault.TOTP, secret, vault.SHA1, 6, 30, 0}
}

// with returns w changed by f, for one-off variants of a vector.
func with(w want, f func(*want)) want { f(&w); return w }

// asTOTP is a vector's secret imported as plain TOTP SHA1/6/30.
func asTOTP(w want) want { return totp(w.issuer, w.name, w.secret) }

type fixtureCase struct {
	file    string // under testdata/
	format  string
	pass    string
	want    []want
	skipped int // entries reported and left out
	missing bool
	force   bool // the format has no magic: name it
	slow    bool // seconds of key derivation: run with WARDKEY_SLOW_TESTS=1
}

// fixtureCases: one row per real export file. Every expected account is
// asserted field by field.
var fixtureCases = []fixtureCase{
	{file: "authenticator_pro_stratum/stratum_plain.json", format: "stratum", want: v1to7},
	{file: "authenticator_pro_stratum/stratum_encrypted.bin", format: "stratum-encrypted", pass: "test", want: v1to7},
	{file: "authenticator_pro_stratum/stratum_encrypted_legacy.bin", format: "stratum-encrypted", pass: "test", want: v1to7},
	// SQLite databases from rooted phones.
	{file: "authenticator_pro_stratum/stratum_internal.db", format: "stratum-db", want: v1to7},
	// Google Authenticator's database knows only SHA1, 6 digits, 30 s; the
	// HOTP counter is taken as stored.
	{file: "google_authenticator/google_authenticator.sqlite", format: "google-authenticator-db", want: []want{
		v1, asTOTP(v2), asTOTP(v3),
		{"Issuu", "James", vault.HOTP, v4.secret, vault.SHA1, 6, 0, 1},
		{"Air Canada", "Benjamin", vault.HOTP, v5.secret, vault.SHA1, 6, 0, 50},
		{"WWE", "Mason", vault.HOTP, v6.secret, vault.SHA1, 6, 0, 10300},
	}},
	// Microsoft Authenticator: every third-party account is TOTP SHA1/6/30.
	{file: "microsoft_authenticator/microsoft_authenticator.sqlite", format: "microsoft-authenticator-db", want: []want{
		asTOTP(v1), asTOTP(v2), asTOTP(v3), asTOTP(v4), asTOTP(v5), asTOTP(v6), asTOTP(v7),
	}},
	{file: "proton_authenticator/proton_authenticator.json", format: "proton-authenticator", want: []want{v1, v2, v3}},
	{file: "proton_pass/proton/PassExport.zip", format: "proton-pass", skipped: 1, want: []want{
		totp("Main TOTP (only secret)", "ausername", "K5UHSIDBOJSSA6LPOUQHAZLFNNUW4ZY="),
		{"MYISSUER", "MYLABEL", vault.TOTP, "JV4VGZLDOJSXIMJSGM2DKNQ", vault.SHA256, 8, 15, 0},
		totp("Only custom fields", "Proton Pass", "IN2XG5DPNVDGSZLMMQYQ"),
		totp("Only custom fields", "Proton Pass", "IN2XG5DPNVDGSZLMMQZA"),
		totp("Main TOTP and custom fields", "Proton Pass", "JVQWS3SUJ5KFA"),
		totp("Main TOTP and custom fields", "Proton Pass", "IN2XG5DPNVDGSZLMMQYQ"),
		totp("Main TOTP and custom fields", "Proton Pass", "IN2XG5DPNVDGSZLMMQZA"),
	}},
	{file: "lastpass/proton/lastpass.json", format: "lastpass", want: []want{
		totp("issuer", "account name default", "BDKSIEHWBDBBDBDZBZJ"),
		{"other", "sha256", vault.TOTP, "JDJSKDKDKDKDKDKDK", vault.SHA256, 8, 20, 0},
		{"", "sha512 name", vault.TOTP, "JDJDDJDJUEJEBDBFNF", vault.SHA512, 6, 30, 0},
	}},
	{file: "lastpass/proton/lastpass_ios_export.json", format: "lastpass", want: []want{
		totp("code 1 lastpass", "snjxxndjbdbdb", "MDLAXBJJZBXBXZJZBBZBB"), totp("code2 lastpass", "ndjdbxxnbcb", "KSJFBDJDBXJBXJXBXJ"),
	}},
	{file: "lastpass/proton/lastpass_missing_fields.json", format: "lastpass", want: []want{totp("", "sometest", "CDJDHHDHXHXBXBHNDDNNDN")}},
	{file: "steam/steam.json", format: "steam", want: []want{with(v7, func(w *want) { w.issuer = "Steam" })}},
	{file: "steam/steam_old.json", format: "steam", want: []want{with(v7, func(w *want) { w.issuer = "Steam" })}},
	// FreeOTP stores the last HOTP counter used (V-1); wardkey keeps the next (V).
	{file: "freeotp_plus/freeotp_plus.json", format: "freeotp-plus", want: v1to7[:6]},
	{file: "freeotp_plus/freeotp_plus_internal.xml", format: "freeotp-xml", want: v1to7[:6]},
	{file: "freeotp/freeotp.xml", format: "freeotp-xml", want: []want{v6, v3, v1, v4}},
	// FreeOTP 2.x backups store the HOTP counter as is.
	{file: "freeotp/freeotp_v2_api23.xml", format: "freeotp2", pass: "test", want: v1to7[:6]},
	{file: "freeotp/freeotp_v2_api25.xml", format: "freeotp2", pass: "test", want: v1to7[:6]},
	{file: "freeotp/freeotp_v2_api27.xml", format: "freeotp2", pass: "test", want: v1to7[:6]},
	{file: "freeotp/freeotp_v2_api34.xml", format: "freeotp2", pass: "test", want: v1to7[:6]},
	{file: "freeotp/freeotp_v2_null_algo.xml", format: "freeotp2", pass: "test", want: []want{v1}},
	// Authy: SHA1 and 30 s always (the app has no choice); names from "Deno: Mason".
	{file: "authy/authy_plain.xml", format: "authy", want: authyThree},
	{file: "authy/authy_encrypted.xml", format: "authy", pass: "testtest", want: authyThree},
	{file: "battle_net/battle_net_authenticator.xml", format: "battle-net", want: []want{
		{"Battle.net", "US-2211-2050-3346", vault.TOTP, "BMGRXPGFARQQF4GMT25JATL2VYLAHDBI", vault.SHA1, 8, 30, 0},
	}},
	// Duo keeps no issuer; the HOTP counter is taken as the file has it.
	{file: "duo/duo.json", format: "duo", want: []want{
		totp("", "Mason", v1.secret), {"", "James", vault.HOTP, v4.secret, vault.SHA1, 6, 0, 3},
	}},
	// TOTP Authenticator has no algorithm field (SHA1); its digits and
	// period are read (Aegis ignores them and expects 6/30).
	{file: "totp_authenticator/totp_authenticator.bin", format: "totp-authenticator", force: true, pass: "Testtest1", want: totpAuthThree},
	{file: "totp_authenticator/totp_authenticator_internal.xml", format: "totp-authenticator-xml", want: totpAuthThree},
	{file: "bitwarden/bitwarden.json", format: "bitwarden", want: bitwardenFour},
	{file: "bitwarden/bitwarden.csv", format: "bitwarden-csv", want: []want{v1, v2, v3, with(v7, func(w *want) { w.issuer, w.name = "Test 4", "" })}},
	{file: "bitwarden/proton/bitwarden.json", format: "bitwarden", want: bitwardenProton},
	{file: "bitwarden/proton/bitwarden.csv", format: "bitwarden-csv", want: bitwardenProton},
	{file: "bitwarden/proton/bitwarden_app.json", format: "bitwarden", want: []want{totp("ItemWithTOTP", "myusername", "KNKVARKSKNCUGUSFKRFUKWJR")}},
	{file: "bitwarden/proton/bitwarden_sample.csv", format: "bitwarden-csv", want: []want{
		totp("Code 2", "", "NDSKXJHDJNDBDBBB"), totp("Code 3", "", "JSJZJFBBDK"), totp("Code1", "", "JDKSNDJJDNDJJDBXB"),
	}},
	{file: "andotp/andotp_plain.json", format: "andotp", want: v1to7},
	{file: "andotp/andotp_encrypted.bin", format: "andotp-encrypted", pass: "test", want: v1to7},
	// Old files say "Deno - Deno:Mason"; the repeated issuer is dropped.
	// (This file holds V1-V6 only: no Steam entry.)
	{file: "andotp/andotp_encrypted_old.bin", format: "andotp-encrypted", force: true, pass: "test", want: v1to7[:6]},
	{file: "ente/proton/encrypted.lowcomplexity.txt", format: "ente-encrypted", pass: "password", want: []want{
		{"dfdf", "adfasdf", vault.HOTP, "ASDFADF", vault.SHA1, 6, 0, 1},
		{"issuertest", "accountest", vault.TOTP, "secretdata", vault.SHA256, 6, 30, 0},
		{"steam", "steam", vault.Steam, "AAAAAAAAA", vault.SHA1, 5, 30, 0},
	}},
	{file: "ente/proton/encrypted.nominalcomplexity.txt", format: "ente-encrypted", pass: "password", slow: true, want: []want{
		{"HOTPISSUER", "HOTPACCOUNT", vault.HOTP, "ASECRET", vault.SHA1, 6, 0, 1},
		totp("MYISSUER", "MYLABEL", "MYSECRET"),
		{"Steam", "STEAMACCOUNT", vault.Steam, "STEAMSECRET", vault.SHA1, 5, 30, 0},
	}},
	{file: "2fas/2fas_authenticator.json", format: "2fas", want: []want{asTOTP(v1), asTOTP(v2), asTOTP(v3), asTOTP(v4), asTOTP(v5), asTOTP(v6)}},
	{file: "2fas/2fas_authenticator_plain.2fas", format: "2fas", want: twoFASv2},
	{file: "2fas/2fas_authenticator_encrypted.2fas", format: "2fas", pass: "test", want: twoFASv2},
	{file: "2fas/2fas_authenticator_plain_v3.2fas", format: "2fas", want: v1to7[:6]},
	{file: "2fas/2fas_authenticator_encrypted_v3.2fas", format: "2fas", pass: "test", want: v1to7[:6]},
	{file: "2fas/2fas_authenticator_plain_v4.2fas", format: "2fas", want: []want{v1, v4, v5, v6, v7}},
	{file: "2fas/2fas_authenticator_encrypted_v4.2fas", format: "2fas", pass: "test", want: []want{v1, v4, v5, v6, v7}},
	{file: "2fas/proton/decrypted.2fas", format: "2fas", want: twoFASProton},
	{file: "2fas/proton/encrypted.2fas", format: "2fas", pass: "test", want: twoFASProton},
	{file: "2fas/proton/decrypted_ios.2fas", format: "2fas", want: []want{
		totp("Code1 2FAS", "", "JDJDBDBDDBDBBXBXB"), totp("Code2 2FAS", "", "JDJDUZBXHSHDBXBXHBB"),
	}},
	{file: "2fas/proton/decrypted_with_hotp.2fas", format: "2fas", want: []want{
		totp("Proton", "den den", "IAKDNDND"), {"Hotp", "", vault.HOTP, "JEKEKRR", vault.SHA1, 6, 0, 0},
	}},
	{file: "2fas/proton/decrypted_with_hotp_and_unsupported_algorithms.2fas", format: "2fas", skipped: 1, want: []want{
		{"cncnncncn", "", vault.HOTP, "JFFJJDBDHXBDBNNN", vault.SHA1, 6, 0, 4},
	}},
	{file: "2fas/proton/decrypted_with_hotp_missing_period.2fas", format: "2fas", want: []want{
		{"cncnncncn", "", vault.HOTP, "JFFJJDBDHXBDBNNN", vault.SHA1, 6, 0, 5},
		with(totp("Item1", "Additional item", "gfjdhdjdjdjdnjdjf"), func(w *want) { w.period = 60 }),
		{"Item256", "Bdjdbfjr", vault.TOTP, "hdidvdjdbdjf", vault.SHA256, 8, 90, 0},
		{"Item512", "Additional info", vault.TOTP, "hxoxhdjdbdjfjfjhf", vault.SHA512, 7, 30, 0},
	}},
	{file: "2fas/proton/decrypted_with_manual_entries.2fas", format: "2fas", want: []want{
		totp("Amazon", "some@test.email", "IUIUCFKMTXQZUV5U7LE664BVXQ4K7PDSDKHZ4QTZAC5GVIBMMZ6A"),
		totp("GitHub", "Test-acc", "KOCK222AHLNV4TW6"),
		totp("Facebook", "random.sometest", "IYLZ3FWEJRCCQZS7NYP3PLZDDX3I3C4M"),
		totp("Google", "some@test.email", "v4yx7jv5ynqadqgr2uo753cqc5rwkrn7"),
		totp("LinkedIn", "some@test.email", "2YR5IOOODODSXKW725H54V7MXIKZATD7"),
		totp("Binance", "some@test.email", "NFRVOZJ6FFZQXX6G"),
		totp("Kick", "some@test.email", "JYUAHOREVBAX3XEB"),
		totp("Proton", "sometestaccount@proton.me", "XEMYPVZTB6AMR6O3S7XZZ37VPH32YICW"),
		{"Service name hotp", "", vault.HOTP, "hdjdbdkxbshdj", vault.SHA1, 6, 0, 1},
		totp("Reddit", "Some-Account1234", "OAL6R5T5CBSYUZSLO356EBGSJWZ7JLO2"),
		totp("20", "", "dhjdxhchhchch"),
		totp("Manual", "", "hssjdhhxhxh"),
	}},
	{file: "2fas/proton/decrypted_with_missing_fields.2fas", format: "2fas", want: []want{
		totp("Amazon", "atest@email.com", "IUIUCFKMTXQZUV5U7LE664BVXQ4K7PDSDKHZ4QTZAC5GVIBMMZ6A"),
	}},
	{file: "aegis/aegis_plain.json", format: "aegis", want: v1to7},
	{file: "aegis/aegis_encrypted.json", format: "aegis", pass: "test", want: v1to7},
	{file: "aegis/aegis_plain_grouped_v2.json", format: "aegis", want: v1to7},
	{file: "aegis/proton/aegis-json-unencrypted.json", format: "aegis", want: protonTrio},
	{file: "aegis/proton/aegis-json-encrypted-test.json", format: "aegis", pass: "test", want: protonTrio},
	{file: "aegis/proton/aegis-json-unencrypted-hotp.json", format: "aegis", want: []want{
		totp("", "Test", "ABCDEFA"),
		{"", "HotpOne", vault.HOTP, "KNCUGUSF", vault.SHA1, 6, 0, 10},
	}},
	{file: "aegis/proton/aegis-json-unencrypted-with-bad-period-digits.json", format: "aegis", skipped: 2},
	{file: "aegis/proton/aegis-json-unencrypted-with-missing-fields.json", format: "aegis", want: []want{
		totp("Proton", "some@test.email", "AQI55ICZEMJW2W67PAUVQ3BFN7LJBOQD"),
		totp("Amazon", "some@account.test", "IUIUCFKMTXQZUV5U7LE664BVXQ4K7PDSDKHZ4QTZAC5GVIBMMZ6A"),
		{"", "Somename", vault.TOTP, "CHJDDHDHXE", vault.SHA256, 7, 30, 0},
	}},
	{file: "otpauth_uri_list/plain.txt", format: "otpauth", want: v1to7},
	{file: "ente/ente_auth.txt", format: "otpauth", want: v1to7},
	{file: "aegis/proton/aegis-txt.txt", format: "otpauth", want: []want{
		with(totp("myissuer", "mylabel815256", "MYSECRET"), func(w *want) { w.alg, w.digits, w.period = vault.SHA256, 8, 15 }),
		totp("myissuer", "mylabeldefault", "MYSECRET"),
		{"Steam", "Steam", vault.Steam, "STEAMKEY", vault.SHA1, 5, 30, 0},
	}},
	{file: "ente/proton/plain.txt", format: "otpauth", want: []want{
		{"MyIssuer", "MyLabel256_8_15", vault.TOTP, "JVMVGRKDKJCVI===", vault.SHA256, 8, 15, 0},
		totp("MyIssuer", "MyLabelDefault", "JVMVGRKDKJCVI==="),
	}},
	{file: "ente/proton/encrypted_decrypted.txt", format: "otpauth", want: []want{
		{"HOTPISSUER", "HOTPACCOUNT", vault.HOTP, "ASECRET", vault.SHA1, 6, 0, 1},
		totp("MYISSUER", "MYLABEL", "MYSECRET"),
		{"Steam", "STEAMACCOUNT", vault.Steam, "STEAMSECRET", vault.SHA1, 5, 30, 0},
	}},
	{file: "ente/proton/plain_with_hotp.txt", format: "otpauth", skipped: 1, want: []want{
		totp("", "account", "xbjzbxbxbcbcbb"),
		totp("", "title no issuer", "irnshxhxbxbxbbxbb"),
		{"hotpitem", "account1", vault.HOTP, "ndjdfbdnfjdjdjfjhfh", vault.SHA1, 6, 0, 0},
		totp("issuer", "account", "jdjdbfhfjdhdhxnb"),
		totp("issuer", "amazon", "CBKANXSKXBJSJDNBDBDNXBXNNXBN"),
	}},
	{file: "ente/proton/plain_with_missing_fields.txt", format: "otpauth", want: []want{totp("", "accountname", "jcxjjxjxjcjxnnn")}},
	{file: "ente/proton/plain_with_steam_and_hotp.txt", format: "otpauth", want: []want{
		{"Item1happysteam", "additional info", vault.Steam, "DJDJDJHDJDHFHHFHF", vault.SHA1, 5, 30, 0},
		{"Item2hotp", "additional info", vault.HOTP, "CBJXCBCBCBCB", vault.SHA1, 6, 0, 0},
		with(totp("Item3-90sec", "additional info", "NDJDJFNXNNCNCNC"), func(w *want) { w.period = 90 }),
	}},
	{file: "google_authenticator/scito/example_export.txt", format: "google-migration", want: []want{
		totp("raspberrypi", "pi@raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
		totp("", "pi@raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
		totp("", "pi@raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
		totp("raspberrypi", "pi@raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
		{"", "hotp demo", vault.HOTP, "7KSQL2JTUDIS5EF65KLMRQIIGY", vault.SHA1, 6, 0, 4},
		totp("encoding", "¿äÄéÉ? (demo)", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
	}},
	{file: "google_authenticator/scito/example_export_only_totp.txt", format: "google-migration", want: []want{
		totp("raspberrypi", "pi@raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
		totp("", "pi@raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
		totp("", "pi@raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
		totp("raspberrypi", "pi@raspberrypi", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
		totp("encoding", "¿äÄéÉ? (demo)", "7KSQL2JTUDIS5EF65KLMRQIIGY"),
	}},
	{file: "google_authenticator/scito/test_plus_problem_export.txt", format: "google-migration", want: []want{
		totp("SerenityLabs", "test1@serenitylabs.co.uk", "A4RFDYMF4GSLUIBQV4ZP67OJEZ2XUQVM"),
		totp("SerenityLabs", "test2@serenitylabs.co.uk", "SCDDZ7PW5MOZLE3PQCAZM7L4S35K3UDX"),
		totp("SerenityLabs", "test3@serenitylabs.co.uk", "TR76272RVYO6EAEY2FX7W7R7KUDEGPJ4"),
		totp("SerenityLabs", "test4@serenitylabs.co.uk", "N2ILWSXSJUQUB7S6NONPJSC62NPG7EXN"),
	}},
}

func sortWants(ws []want) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		if sec, err := vault.ParseSecret(w.secret); err == nil {
			w.secret = sec.Base32()
		}
		out[i] = w.String()
	}
	slices.SortFunc(out, cmp.Compare)
	return out
}

func checkAccounts(t *testing.T, gotAs []vault.Account, ws []want) {
	t.Helper()
	g := make([]want, len(gotAs))
	for i, a := range gotAs {
		if a.ID != "" {
			t.Errorf("account %s has an ID %q: the vault gives IDs", a.Label(), a.ID)
		}
		if err := a.Validate(); err != nil {
			t.Errorf("account %s is not valid: %v", a.Label(), err)
		}
		g[i] = got(a)
	}
	gs, wsS := sortWants(g), sortWants(ws)
	if !slices.Equal(gs, wsS) {
		t.Errorf("accounts differ\n got:\n  %s\nwant:\n  %s", strings.Join(gs, "\n  "), strings.Join(wsS, "\n  "))
	}
}

func passFunc(p string) func() ([]byte, error) {
	if p == "" {
		return nil
	}
	return func() ([]byte, error) { return []byte(p), nil }
}

func TestFixtures(t *testing.T) {
	for _, tc := range fixtureCases {
		t.Run(tc.file, func(t *testing.T) {
			if tc.missing {
				t.Skip("format not built")
			}
			if tc.slow && os.Getenv("WARDKEY_SLOW_TESTS") != "1" {
				t.Skip("SKIPPING a slow key derivation (256 MiB x 16 passes, ~5 s x 2): set WARDKEY_SLOW_TESTS=1")
			}
			path := filepath.Join("testdata", tc.file)
			o := Options{Passphrase: passFunc(tc.pass)}
			if tc.force {
				o.Format = tc.format
			}
			res, err := ImportFile(path, o)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if res.Format != tc.format {
				t.Errorf("format = %q, want %q", res.Format, tc.format)
			}
			checkAccounts(t, res.Accounts, tc.want)
			if len(res.Skipped) != tc.skipped {
				t.Errorf("skipped %d entries, want %d: %+v", len(res.Skipped), tc.skipped, res.Skipped)
			}
			// Forcing the detected format gives the same result.
			res2, err := ImportFile(path, Options{Format: tc.format, Passphrase: passFunc(tc.pass)})
			if err != nil {
				t.Fatalf("import with --format %s: %v", tc.format, err)
			}
			checkAccounts(t, res2.Accounts, tc.want)
			if tc.pass != "" {
				if _, err := ImportFile(path, Options{Format: tc.format}); !errors.Is(err, ErrPassphraseNeeded) {
					t.Errorf("without a passphrase: err = %v, want ErrPassphraseNeeded", err)
				}
				if _, err := ImportFile(path, Options{Format: tc.format, Passphrase: passFunc("wrong" + tc.pass)}); !errors.Is(err, ErrWrongPassphrase) {
					t.Errorf("with a wrong passphrase: err = %v, want ErrWrongPassphrase", err)
				}
			}
			// No report ever holds a secret.
			for _, s := range res.Skipped {
				for _, w := range tc.want {
					if strings.Contains(s.Entry+s.Reason, w.secret) {
						t.Errorf("skipped entry %+v shows a secret", s)
					}
				}
			}
		})
	}
}

func TestBrokenFiles(t *testing.T) {
	for _, tc := range []struct {
		file string
		err  string
	}{
		{"google_authenticator/scito/test_export_wrong_content.txt", "not in a format"},
		{"google_authenticator/scito/test_export_wrong_prefix.txt", "not in a format"},
		{"google_authenticator/scito/test_export_wrong_data.txt", "not a Google Authenticator export"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Import(b, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

// TestTagsAndNotes: groups, categories and notes survive as tags and notes.
func TestTagsAndNotes(t *testing.T) {
	res, err := ImportFile("testdata/aegis/aegis_plain_grouped_v2.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, a := range res.Accounts {
		tags[a.Label()] = strings.Join(a.Tags, ",")
	}
	want := map[string]string{"Deno:Mason": "group1", "Airbnb:Elijah": "group1", "Issuu:James": "group2", "SPDX:James": ""}
	for k, v := range want {
		if tags[k] != v {
			t.Errorf("%s: tags %q, want %q", k, tags[k], v)
		}
	}
	res, err = ImportFile("testdata/ente/proton/plain.txt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accounts[1].Note != "a note" {
		t.Errorf("Ente note = %q, want %q", res.Accounts[1].Note, "a note")
	}
	// Nothing a result holds prints a secret.
	s := fmt.Sprintf("%v %+v %#v", res, res, res)
	if strings.Contains(s, "JVMVGRKDKJCVI") || strings.Contains(s, res.Accounts[0].Secret.Base32()) {
		t.Error("formatting a Result shows a secret")
	}
}
