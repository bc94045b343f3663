package app

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version, Commit and Date describe the build. The release build (make
// dist, .ci/goreleaser.yaml) stamps them with
//
//	-ldflags "-X github.com/wardkey/wardkey/app.Version=1.2.0 -X …app.Commit=<sha> -X …app.Date=<RFC 3339>"
//
// Left empty, as in a plain go build, they are filled from the module's
// build information (runtime/debug.ReadBuildInfo) where it knows them.
var (
	// Version is the release, without a leading "v" (goreleaser's .Version).
	Version string
	// Commit is the git commit the release was built from.
	Commit string
	// Date is the commit's date, RFC 3339 in UTC: also the build date, so
	// two builds of one commit are identical.
	Date string
)

// buildInfo is what `wardkey version` prints.
type buildInfo struct {
	version, commit, date, goVersion string
}

// String is the one line of `wardkey version`:
// wardkey VERSION (COMMIT, DATE, GOVERSION).
func (b buildInfo) String() string {
	return fmt.Sprintf("wardkey %s (%s, %s, %s)", b.version, b.commit, b.date, b.goVersion)
}

// currentBuild merges the stamped variables with the build information.
func currentBuild() buildInfo {
	bi, _ := debug.ReadBuildInfo() // nil where the binary has none
	return describeBuild(Version, Commit, Date, bi)
}

// describeBuild prefers the stamped values, then the build information, then
// "devel" (version) or "unknown" (commit, date).
func describeBuild(version, commit, date string, bi *debug.BuildInfo) buildInfo {
	b := buildInfo{version: version, commit: commit, date: date, goVersion: runtime.Version()}
	if bi != nil {
		if bi.GoVersion != "" {
			b.goVersion = bi.GoVersion
		}
		if b.version == "" && bi.Main.Version != "(devel)" {
			b.version = bi.Main.Version
		}
		modified := false
		var revision, vcsTime string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if b.commit == "" && revision != "" {
			b.commit = revision
			if modified {
				b.commit += "+dirty"
			}
		}
		if b.date == "" {
			b.date = vcsTime
		}
	}
	if b.version == "" {
		b.version = "devel"
	}
	if b.commit == "" {
		b.commit = "unknown"
	}
	if b.date == "" {
		b.date = "unknown"
	}
	return b
}

// cmdVersion prints the one line (also `wardkey --version`).
func cmdVersion(e *env, args []string) error {
	fs := e.flags("version")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintln(e.out, currentBuild())
	return nil
}
