//go:build !wardkey_lean

package app

import (
	"fmt"
	"io"
	"strings"
)

// The man page is written here rather than with github.com/muesli/mango:
// mango v0.2.0 dates its page with time.Now (so no two release builds would
// be identical), writes flags with one dash, sorts them and does not escape
// roff's special characters; the few macros wardkey needs (.TH, .SH, .TP,
// .RS/.RE, .B, .I) fit in this file.

// cmdMan writes the man page, wardkey(1), in roff to standard output. It is
// not in the commands table (nobody types it): the release build runs it.
func cmdMan(e *env, args []string) error {
	fs := e.flags("man")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("man takes no arguments")
	}
	specs, err := describeCommands()
	if err != nil {
		return err
	}
	writeManPage(e.out, specs, currentBuild())
	return nil
}

// roffText escapes plain text for roff: backslashes, dashes (so flags copy
// as ASCII hyphen-minus), and a leading dot or quote that would start a
// request.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffSynopsis sets a usage line: flags and literal words bold, placeholders
// italic, brackets and bars roman.
func roffSynopsis(prefix, usage string) string {
	var b strings.Builder
	b.WriteString(`\fB` + roffText(prefix) + `\fR`)
	for _, t := range strings.Fields(usage) {
		b.WriteString(" ")
		open := len(t) - len(strings.TrimLeft(t, "[("))
		core := usageTokens(t)
		if len(core) == 0 || core[0] == "|" {
			b.WriteString(roffText(t))
			continue
		}
		w := core[0]
		closeAt := open + len(w)
		b.WriteString(roffText(t[:open]))
		font := `\fB`
		if isPlaceholder(w) {
			font = `\fI`
		}
		b.WriteString(font + roffText(w) + `\fR`)
		b.WriteString(roffText(t[closeAt:]))
	}
	return b.String()
}

// writeManPage writes wardkey(1) from the command descriptions.
func writeManPage(w io.Writer, specs []cmdSpec, build buildInfo) {
	date := build.date
	if len(date) >= 10 {
		date = date[:10] // the commit's day: a build of a commit is reproducible
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p(`.\" wardkey(1), written by 'wardkey man' from the same command definitions as --help.`)
	p(`.TH WARDKEY 1 "%s" "wardkey %s" "User Commands"`, roffText(date), roffText(build.version))
	p(".nh")   // no hyphenation: flags stay whole, so they can be copied
	p(".ad l") // ragged right
	p(".SH NAME")
	p(`wardkey \- a terminal authenticator (TOTP, HOTP, Steam) with an encrypted vault`)
	p(".SH SYNOPSIS")
	p(roffSynopsis("wardkey", "[--demo]"))
	p(".br")
	p(`\fBwardkey\fR \fIcommand\fR [\fIflags\fR] [\fIarguments\fR]`)
	p(".SH DESCRIPTION")
	p(roffText("wardkey shows rolling TOTP (RFC 6238), HOTP (RFC 4226) and Steam Guard codes from an encrypted vault, " +
		"opened with a passphrase or, on a computer that is one person's alone, through the OS keyring. " +
		"Without a command it starts the code screen; the commands below do the same work from scripts."))
	p(".PP")
	p(roffText("Results (codes, lists, JSON) go to standard output; everything else, errors included, goes to standard error. " +
		"Passphrases are read from the terminal or from files, never from the command line."))
	p(".SH COMMANDS")
	for _, s := range specs {
		p(".TP")
		p(roffSynopsis("wardkey "+s.name, s.usage))
		if s.summary != "" {
			p(roffText(s.summary))
		}
		if len(s.flags) > 0 {
			p(".RS")
			for _, f := range s.flags {
				writeManFlag(p, f)
			}
			p(".RE")
		}
	}
	p(".SH GLOBAL FLAGS")
	p(roffText("Before or after the command:"))
	for _, f := range globalFlagSpecs {
		writeManFlag(p, f)
	}
	p(".SH ENVIRONMENT")
	for _, v := range [][2]string{
		{"WARDKEY_HOME", "where profiles live, as --home; default $XDG_DATA_HOME/wardkey, i.e. ~/.local/share/wardkey"},
		{"WARDKEY_PROFILE", "the profile, as --profile"},
		{"WARDKEY_PASSPHRASE_FILE", "a file holding the vault passphrase, as --vault-passphrase-file"},
		{"WARDKEY_REMOTE_PASSWORD_FILE", "a file holding the WebDAV password of sync"},
	} {
		p(".TP")
		p(`.B ` + roffText(v[0]))
		p(roffText(v[1]))
	}
	p(".SH FILES")
	for _, v := range [][2]string{
		{"$WARDKEY_HOME/PROFILE/vault.json", "the encrypted vault; vault.json.bak beside it is the previous version"},
		{"$WARDKEY_HOME/PROFILE/local.json", "what belongs to this machine only: device ID, clock offset, sync remote, last backup"},
		{"/etc/wardkey/policy.toml", "the administrator's policy; /usr/share/doc/wardkey/policy.toml.example describes every key"},
	} {
		p(".TP")
		p(`.I ` + roffText(v[0]))
		p(roffText(v[1]))
	}
	p(".SH EXIT STATUS")
	p(roffText("0 success; 1 failure, with one sentence on standard error (wardkey: error: ...) and often a hint; 2 a usage error."))
	p(".SH SEE ALSO")
	p(`\fBage\fR(1), \fBoathtool\fR(1)`)
}

// writeManFlag writes one flag as a tagged paragraph.
func writeManFlag(p func(string, ...any), f flagSpec) {
	p(".TP")
	if f.arg == "" {
		p(`\fB\-\-%s\fR`, roffText(f.name))
	} else {
		font := `\fI` // a value the person chooses
		if f.choices() != nil {
			font = `\fB` // one of the literal words
		}
		p(`\fB\-\-%s\fR %s%s\fR`, roffText(f.name), font, roffText(f.arg))
	}
	p(roffText(f.usage))
}
