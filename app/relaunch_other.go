//go:build !unix

package app

import "errors"

// canRelaunch says this system can replace the running program with a
// fresh copy of itself. Windows cannot: a lock there keeps the process and
// wipes what it owns (docs/threat-model.md).
const canRelaunch = false

func relaunch(string) error { return errors.New("relaunching is not supported on this system") }
