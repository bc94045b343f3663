// Command keyringget reads one item from the OS keyring with
// github.com/zalando/go-keyring and exits: the floor of any process that
// opens a vault through the keyring, timed beside `wardkey code` by
// `make bench`. It links go-keyring alone, nothing of wardkey.
//
// Usage: keyringget SERVICE USER (exit 0 when the item is there).
package main

import (
	"os"

	gokeyring "github.com/zalando/go-keyring"
)

func main() {
	if len(os.Args) != 3 {
		os.Stderr.WriteString("usage: keyringget SERVICE USER\n")
		os.Exit(2)
	}
	if _, err := gokeyring.Get(os.Args[1], os.Args[2]); err != nil {
		os.Stderr.WriteString("keyringget: " + err.Error() + "\n")
		os.Exit(1)
	}
}
