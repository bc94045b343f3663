//go:build wardkey_lean && !unix

package app

import (
	"os"
	"os/signal"
)

// execFull runs wardkey-full on this console and waits for it: Windows
// has no exec that keeps the process. An interrupt reaches both processes;
// this one ignores it and returns wardkey-full's status.
func execFull(full string, args []string) (int, error) {
	signal.Ignore(os.Interrupt)
	argv := append([]string{os.Args[0]}, args...)
	p, err := os.StartProcess(full, argv, &os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}})
	if err != nil {
		return 0, err
	}
	st, err := p.Wait()
	if err != nil {
		return 0, err
	}
	return st.ExitCode(), nil
}
