package keyring

import "github.com/wardkey/wardkey/vault"

// Prefetch starts k.Get(service, user) now and returns a keyring whose
// first Get of that item waits for that answer instead of asking again:
// the caller reads the vault file while the Secret Service answers. Every
// other call, and a second Get of the item, goes to k. The answer is
// given once and then dropped; one that nobody asks for is garbage with
// the keyring (a string, as go-keyring returns it).
func Prefetch(k vault.Keyring, service, user string) vault.Keyring {
	p := &prefetched{Keyring: k, service: service, user: user, ch: make(chan result, 1)}
	go func() {
		s, err := k.Get(service, user)
		p.ch <- result{s, err}
	}()
	return p
}

type result struct {
	s   string
	err error
}

type prefetched struct {
	vault.Keyring
	service, user string
	ch            chan result // one answer; nil once taken
}

// Get implements vault.Keyring. It is for one goroutine (the open that
// asks it), as the vault's unlock is: the answer is taken without a lock.
func (p *prefetched) Get(service, user string) (string, error) {
	if p.ch == nil || service != p.service || user != p.user {
		return p.Keyring.Get(service, user)
	}
	r := <-p.ch
	p.ch = nil
	return r.s, r.err
}
