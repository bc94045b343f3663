//go:build windows

package policy

import (
	"fmt"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// checkTrusted reports why name is not trusted. On Windows the file and
// every directory above it must be owned by the Administrators group or
// LocalSystem.
//
// NOT YET CHECKED on Windows (compiled, never run here: Wine cannot run Go
// binaries on this CI, see NOTES): the DACLs. A directory owned by
// Administrators that grants Users write access (an ACE with FILE_WRITE_DATA,
// FILE_APPEND_DATA, WRITE_DAC or WRITE_OWNER for a SID other than
// Administrators, SYSTEM or TrustedInstaller) should make the file untrusted
// too; walking the ACEs with windows.GetAce is the next step.
// %ProgramData% is writable by Users by default, which is why the wardkey
// folder under it must be created by an administrator.
func checkTrusted(name string) error {
	abs, err := filepath.Abs(name)
	if err != nil {
		return fmt.Errorf("is not trusted: %w", err)
	}
	for p := abs; ; p = filepath.Dir(p) {
		if err := checkOwner(p); err != nil {
			return err
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func checkOwner(name string) error {
	sd, err := windows.GetNamedSecurityInfo(name, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("is not trusted: the owner of %s cannot be read: %w", name, err)
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return fmt.Errorf("is not trusted: the owner of %s cannot be read", name)
	}
	if owner.IsWellKnown(windows.WinBuiltinAdministratorsSid) || owner.IsWellKnown(windows.WinLocalSystemSid) {
		return nil
	}
	return fmt.Errorf("is not trusted: %s is not owned by Administrators", name)
}
