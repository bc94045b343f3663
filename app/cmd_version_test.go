package app

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	info := func(version string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.9", Main: debug.Module{Path: "github.com/wardkey/wardkey", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	const rev = "31306f9317a3211482c79acc7b4c668587cec076"
	rows := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  string
	}{
		{"release stamp wins", "1.4.0", rev, "2026-11-27T16:00:00Z",
			info("v0.0.0-x", "vcs.revision", "ffff", "vcs.time", "2020-01-01T00:00:00Z"),
			"wardkey 1.4.0 (" + rev + ", 2026-11-27T16:00:00Z, go1.26.9)"},
		{"go build in a clone", "", "", "",
			info("v0.0.0-20261127160000-31306f9317a3", "vcs.revision", rev, "vcs.time", "2026-11-27T16:00:00Z", "vcs.modified", "false"),
			"wardkey v0.0.0-20261127160000-31306f9317a3 (" + rev + ", 2026-11-27T16:00:00Z, go1.26.9)"},
		{"uncommitted changes", "", "", "",
			info("v0.0.0-20261127160000-31306f9317a3+dirty", "vcs.revision", rev, "vcs.time", "2026-11-27T16:00:00Z", "vcs.modified", "true"),
			"wardkey v0.0.0-20261127160000-31306f9317a3+dirty (" + rev + "+dirty, 2026-11-27T16:00:00Z, go1.26.9)"},
		{"no vcs (go run, a worktree, a tarball)", "", "", "", info("(devel)"),
			"wardkey devel (unknown, unknown, go1.26.9)"},
		{"go install module@version", "", "", "", info("v1.4.0"),
			"wardkey v1.4.0 (unknown, unknown, go1.26.9)"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if got := describeBuild(r.version, r.commit, r.date, r.bi).String(); got != r.want {
				t.Errorf("got  %s\nwant %s", got, r.want)
			}
		})
	}
	if got := describeBuild("", "", "", nil).String(); !strings.HasPrefix(got, "wardkey devel (unknown, unknown, go1.") {
		t.Errorf("without build information: %s", got)
	}
}
