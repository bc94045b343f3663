package app

import (
	"github.com/wardkey/wardkey/vault"
	"github.com/wardkey/wardkey/vault/audit"
)

// auditRefusal writes a policy_refused line (auth false) to this profile's
// audit log.
func (e *env) auditRefusal(err error) {}

// audit writes events to this profile's audit log under the open vault's
// audit key.
func (e *env) audit(v *vault.Vault, evs ...audit.Event) {}
