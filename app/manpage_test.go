package app

import (
	"os/exec"
	"strings"
	"testing"
)

// groff finds nothing to warn about in the man page.
func TestManPageIsCleanRoff(t *testing.T) {
	groff := toolPath(t, "groff")
	_, page, _ := runCLI(t, "man")
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = strings.NewReader(page)
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("groff: %v\n%s", err, out)
	}
	for _, want := range []string{".TH WARDKEY 1 ", ".SH SYNOPSIS", `\fB\-\-secret\-file\fR \fIF\fR`, ".SH EXIT STATUS"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestRoffText(t *testing.T) {
	rows := []struct{ in, want string }{
		{"--out FILE", `\-\-out FILE`},
		{`a\b`, `a\eb`},
		{".hidden request", `\&.hidden request`},
		{"'quote", `\&'quote`},
		{"plain", "plain"},
	}
	for _, r := range rows {
		if got := roffText(r.in); got != r.want {
			t.Errorf("roffText(%q) = %q, want %q", r.in, got, r.want)
		}
	}
}
