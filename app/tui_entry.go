package app

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wardkey/wardkey/vault"
)

// runTUI starts the code screen. Until app/tui lands it prints the codes
// once; with no vault it offers to create one or open the demo.
func runTUI(e *env) error {
	if !e.demo && !vault.Exists(e.dir()) {
		if !e.interactive() {
			return withHint(fmt.Errorf("profile %q has no vault yet", e.profile), "run 'wardkey init', or 'wardkey --demo' to try the demo")
		}
		ans, err := e.promptLine("No vault yet. [c] create one, [d] open the demo, [q] quit: ")
		if err != nil {
			return err
		}
		switch strings.ToLower(ans) {
		case "c":
			if err := cmdInit(e, nil); err != nil {
				return err
			}
		case "d":
			e.demo = true
		default:
			return errors.New("nothing done")
		}
	}
	v, err := e.openVault()
	if err != nil {
		return err
	}
	defer v.Close()
	t := e.now().Add(e.offset())
	for _, a := range v.Accounts() {
		code := "(hotp: wardkey code " + a.ID + ")"
		if a.Type != vault.HOTP {
			c, err := vault.TOTPCode(a, t)
			if err != nil {
				continue
			}
			code = fmt.Sprintf("%s  %2ds", group(c), int(vault.Remaining(a, t).Seconds()))
		}
		fmt.Fprintf(e.out, "%-20s %-28s %s\n", a.Issuer, a.Name, code)
	}
	return nil
}
