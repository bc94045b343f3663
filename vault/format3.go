package vault

import (
	"bytes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/chacha20poly1305"
)

// Format 3 (docs/vault-format.md, "Version 3") seals the same payload as
// format 2 in chunks, after a directory of the accounts (each one's ID,
// issuer, name and where its entry lies), sealed on its own. `wardkey
// code` then decrypts the directory, finds its account there and decrypts
// the chunks of that one entry and of the settings and keys: about 40 %
// of the payload at 10,000 accounts, where format 2's one AEAD made every
// code decrypt, and check, all of it. Every other open decrypts and checks
// all of it as before, and authenticates the directory without reading it
// (openWhole).

const (
	// chunkSize is the plaintext bytes of every chunk but the last.
	chunkSize = 16 << 10
	overhead  = chacha20poly1305.Overhead
)

var directoryMagic = []byte("WKD\x01")

// segmentNonce is the nonce of segment s of a format-3 payload (0: the
// directory; c+1: chunk c): the header's nonce with s XORed into its last
// eight bytes, so every segment of one save has its own nonce, and a
// segment moved to another place, or from another save, fails to open.
func segmentNonce(base []byte, s int) []byte {
	n := bytes.Clone(base)
	binary.BigEndian.PutUint64(n[16:], binary.BigEndian.Uint64(n[16:])^uint64(s))
	return n
}

// sealedLen is the length of a format-3 payload whose plaintext is size
// bytes and its directory dir bytes.
func sealedLen(size, dir int) int {
	chunks := (size + chunkSize - 1) / chunkSize
	return dir + overhead + size + chunks*overhead
}

// sealSegments appends the sealed directory, then plain sealed in chunks.
func sealSegments(out []byte, key, nonce, ad, plain, dir []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out = aead.Seal(out, segmentNonce(nonce, 0), dir, ad)
	for c := 0; c*chunkSize < len(plain); c++ {
		lo, hi := chunkBounds(c, len(plain))
		out = aead.Seal(out, segmentNonce(nonce, c+1), plain[lo:hi], ad)
	}
	return out, nil
}

// chunkBounds is where chunk c lies in a plaintext of size bytes.
func chunkBounds(c, size int) (lo, hi int) { return c * chunkSize, min((c+1)*chunkSize, size) }

// openChunk decrypts chunk c of sealed (a format-3 payload's chunks, as
// stored) into its place in plain, which has room for it. The header's
// nonce and bytes are nonce and ad.
func openChunk(aead cipher.AEAD, plain, sealed []byte, c int, nonce, ad []byte) error {
	lo, hi := chunkBounds(c, len(plain))
	at := c * (chunkSize + overhead)
	if _, err := aead.Open(plain[lo:lo], segmentNonce(nonce, c+1), sealed[at:at+hi-lo+overhead], ad); err != nil {
		clear(plain[lo:hi])
		return fmt.Errorf("chunk %d: %w", c+1, ErrTampered)
	}
	return nil
}

// directoryOf builds the directory of plain, a format-2 payload that
// marshalPayload wrote.
func directoryOf(plain []byte) ([]byte, error) {
	ix, pl, err := indexPayload(plain)
	if err != nil {
		return nil, err
	}
	wipePayloadKeys(&pl)
	return ix.directory(), nil
}

// directory is the directory of an index made of a whole payload:
//
//	"WKD\x01" ‖ stamp newest ‖ u tail ‖ u count ‖ u half ‖ count × entry
//	entry = s id ‖ u k ‖ s names ‖ u offset ‖ u length
//
// newest is the index's (accounts, tombstones, settings); tail is where the
// sections after the tombstones start in the payload; half is where entry
// count/2 starts, from the first entry (Find reads the halves at once, see
// partFind); offset and length
// place each account entry in the payload, in the payload's order. names
// is "issuer:name" lower-cased, as Find compares them, when both are
// ASCII (k = 2 × the issuer's length), and as they are otherwise (k = 2 ×
// the issuer's length + 1: Find lower-cases them as it reads them, with
// the Unicode tables of the wardkey reading, and the directory stays the
// same under any).
func (ix *payloadIndex) directory() []byte {
	var entries, names []byte
	half := 0
	for i, off := range ix.offsets {
		if i == len(ix.offsets)/2 {
			half = len(entries)
		}
		id, issuer, name := ix.names(i)
		var k uint64
		k, names = dirNames(names[:0], issuer, name)
		entries = appendString(entries, id)
		entries = binary.AppendUvarint(entries, k)
		entries = appendBytes(entries, names)
		entries = binary.AppendUvarint(entries, uint64(off))
		entries = binary.AppendUvarint(entries, uint64(ix.entryEnd(i)-int(off)))
	}
	b := make([]byte, 0, 64+len(entries))
	b = append(b, directoryMagic...)
	b = appendStamp(b, ix.newest)
	b = binary.AppendUvarint(b, uint64(ix.tail))
	b = binary.AppendUvarint(b, uint64(len(ix.offsets)))
	b = binary.AppendUvarint(b, uint64(half))
	return append(b, entries...)
}

// dirNames appends a directory entry's names for issuer and name to b,
// and returns its k (see directory).
func dirNames(b []byte, issuer, name string) (uint64, []byte) {
	if isASCII(issuer) && isASCII(name) {
		b = appendLower(b, issuer)
		b = append(b, ':')
		return 2 * uint64(len(issuer)), appendLower(b, name)
	}
	b = append(append(append(b, issuer...), ':'), name...)
	return 2*uint64(len(issuer)) + 1, b
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// entryEnd is where account entry i ends in plain.
func (ix *payloadIndex) entryEnd(i int) int {
	if i+1 < len(ix.offsets) {
		return int(ix.offsets[i+1])
	}
	return ix.accountsEnd
}

// partial is what a format-3 payload opened for one account keeps: the
// directory, and the chunks decrypted so far into plain.
type partial struct {
	dir     []byte  // the decrypted directory, in the payload's buffer after plain
	entries int     // where its entries start in dir
	count   int     // how many it says there are
	half    int     // where entry count/2 starts in dir, it says
	key     []byte  // the vault's key (the vault's own buffer; not a copy)
	nonce   []byte  // the header's nonce
	ad      []byte  // the header's bytes
	sealed  []byte  // the chunks as stored
	file    *parsed // the file they are read from (fetch)
	open    []bool  // the chunks decrypted into plain
	locked  bool    // the whole buffer is locked (else each chunk is, before it is written)
}

// ensure decrypts the chunks holding plain[from:to] that are not yet.
func (pt *partial) ensure(plain []byte, from, to int) error {
	if from >= to {
		return nil
	}
	// Each AEAD holds a copy of the key on the heap that cannot be wiped:
	// one per call (a code makes two: openPartial's and this one).
	aead, err := chacha20poly1305.NewX(pt.key)
	if err != nil {
		return err
	}
	return pt.ensureWith(aead, plain, from, to)
}

// ensureWith is ensure with the AEAD of the vault's key.
func (pt *partial) ensureWith(aead cipher.AEAD, plain []byte, from, to int) error {
	for c := from / chunkSize; c*chunkSize < to; c++ {
		if pt.open[c] {
			continue
		}
		if err := pt.file.fetch(c); err != nil {
			return err
		}
		if !pt.locked {
			lo, hi := chunkBounds(c, len(plain))
			secureLock(plain, lo, hi)
		}
		if err := openChunk(aead, plain, pt.sealed, c, pt.nonce, pt.ad); err != nil {
			return err
		}
		pt.open[c] = true
	}
	return nil
}

// openWhole decrypts a format-3 payload's accounts whole into buf (the
// payload buffer, locked), or a buffer of its own, and returns it. The
// directory is authenticated, so any change to the file is found by any
// open, but not read: the accounts themselves are at hand, and it is
// derived from them, built anew at every save. An open for one account
// holds the one entry it uses to its directory entry (partAccount); only
// the vault key's holder could seal a directory that says something else.
func (p *parsed) openWhole(key, buf []byte) ([]byte, error) {
	size, dsize := p.header.Size, p.header.Directory
	if err := p.fetchAll(); err != nil {
		secureFree(buf)
		return nil, err
	}
	if len(buf) != size {
		secureFree(buf)
		buf = secureAlloc(size)
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		secureFree(buf)
		return nil, err
	}
	// The directory is decrypted where the chunks then go (a directory is
	// smaller than its state: each entry is smaller than the account's),
	// which they overwrite; a larger one (no wardkey writes it), on the
	// heap, cleared.
	dir := buf[:0]
	if dsize > size {
		dir = make([]byte, 0, dsize)
		defer clear(dir[:dsize])
	}
	if _, err := aead.Open(dir, segmentNonce(p.header.Nonce, 0), p.env.Payload[:dsize+overhead], p.env.Header); err != nil {
		secureFree(buf)
		return nil, ErrTampered
	}
	plain := buf
	for c := 0; c*chunkSize < size; c++ {
		if err := openChunk(aead, plain, p.env.Payload[dsize+overhead:], c, p.header.Nonce, p.env.Header); err != nil {
			secureFree(buf)
			return nil, ErrTampered
		}
	}
	if !bytes.HasPrefix(plain, binaryMagicV2) {
		// Format 3 seals format 2's sections only (the directory places
		// entries in them).
		secureFree(buf)
		return nil, fmt.Errorf("%w: not a state of sections", ErrTampered)
	}
	return plain, nil
}

// openPartial opens a format-3 payload for one account into buf (the
// payload buffer: the plaintext, then the directory; the directory's
// pages locked, the rest locked part by part as it is written): the
// directory, and the sections after the tombstones (settings, audit key,
// previous keys), which the payload returned holds. The accounts' entries are decrypted as they are read
// (partAccount, complete). buf is the index's (or freed, on failure).
func (p *parsed) openPartial(key, buf []byte) (*payloadIndex, payload, error) {
	size, dsize := p.header.Size, p.header.Directory
	if len(buf) != size+dsize {
		secureFree(buf)
		buf = secureAllocUnlocked(size + dsize)
		secureLock(buf, size, size+dsize)
	}
	plain, dir := buf[:size], buf[size:size+dsize]
	// The partial index first: a failure wipes only what was decrypted
	// (clearing the whole buffer would map every page of it).
	ix := &payloadIndex{plain: plain, part: &partial{dir: dir, key: key, nonce: p.header.Nonce, ad: p.env.Header,
		sealed: p.env.Payload[dsize+overhead:], file: p, open: make([]bool, (size+chunkSize-1)/chunkSize)}}
	fail := func(err error) (*payloadIndex, payload, error) {
		ix.free()
		return nil, payload{}, err
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return fail(err)
	}
	if _, err := aead.Open(dir[:0], segmentNonce(p.header.Nonce, 0), p.env.Payload[:dsize+overhead], p.env.Header); err != nil {
		return fail(ErrTampered)
	}
	if err := ix.readDirectory(); err != nil {
		return fail(fmt.Errorf("%w: the directory: %w", ErrTampered, err))
	}
	if err := ix.part.ensureWith(aead, plain, ix.tail, size); err != nil {
		return fail(err)
	}
	var pl payload
	r := &reader{b: plain[ix.tail:]}
	last := pl.sections(r, plain, secTombstones, nil, false)
	if r.err == nil && last < secSettings {
		r.err = errors.New("a section is missing")
	}
	if r.err == nil {
		r.err = pl.state.Settings.Validate()
	}
	if r.err != nil {
		wipePayloadKeys(&pl)
		return fail(fmt.Errorf("%w: decode state: %w", ErrTampered, r.err))
	}
	ix.settings = pl.state.Settings
	return ix, pl, nil
}

// readDirectory reads the head of ix.part.dir: the newest stamp, the
// tail and the count. The entries are read (and checked) as Find passes
// over them (partFind).
func (ix *payloadIndex) readDirectory() error {
	pt := ix.part
	if !bytes.HasPrefix(pt.dir, directoryMagic) {
		return errors.New("no directory")
	}
	r := &reader{b: pt.dir[len(directoryMagic):]}
	newest := r.stampView()
	tail := r.uvarint()
	n := r.uvarint()
	half := r.uvarint()
	if r.err != nil {
		return r.err
	}
	if half > uint64(len(r.b)) {
		return errShort
	}
	if tail <= uint64(len(binaryMagicV2)) || tail > uint64(len(ix.plain)) {
		return errors.New("the settings are out of place")
	}
	if n > maxStateAccounts || n > uint64(len(r.b)) {
		return errShort
	}
	pt.entries, pt.count = len(pt.dir)-len(r.b), int(n)
	pt.half = pt.entries + int(half)
	ix.tail = int(tail)
	ix.newest = newest
	ix.newest.Device = strings.Clone(newest.Device)
	return nil
}

// dirEntry is one entry of a directory, its strings views of it.
type dirEntry struct {
	id, names   []byte
	k           uint64
	off, length uint64
}

// next reads the directory entry at r (the fields as directory writes
// them; r.err says why not).
func (e *dirEntry) next(r *reader) {
	if b := r.b; len(b) > 0 {
		// Strings of one byte's length and a k of one byte (as wardkey
		// writes most entries) read from a local cursor; anything else
		// through the reader.
		var ok, ok2 bool
		o := 0
		if e.id, o, ok = fieldAt(b, o); ok && len(e.id) > 0 && o < len(b) && b[o] < 0x80 {
			e.k = uint64(b[o])
			if e.names, o, ok = fieldAt(b, o+1); ok && e.k>>1 < uint64(len(e.names)) && e.names[e.k>>1] == ':' {
				if e.off, o, ok = uvarintAt(b, o); ok {
					if e.length, o, ok2 = uvarintAt(b, o); ok2 {
						r.b = b[o:]
						return
					}
				}
			}
		}
	}
	e.id = r.bytes()
	e.k = r.uvarint()
	e.names = r.bytes()
	e.off, e.length = r.uvarint(), r.uvarint()
	if r.err == nil && (len(e.id) == 0 || e.k>>1 >= uint64(len(e.names)) || e.names[e.k>>1] != ':') {
		r.err = errors.New("a malformed entry")
	}
}

// stage is the matcher's stage for the entry.
func (e *dirEntry) stage(m *matcher) int {
	n := int(e.k >> 1)
	if e.k&1 == 1 {
		return m.stage(view(e.id), view(e.names[:n]), view(e.names[n+1:]))
	}
	if view(e.id) == m.query {
		return stageID
	}
	return m.stageLower(e.names, n)
}

// partFind is Find over a partly opened payload: findOne's decision made
// in one pass over the directory, then the one account decrypted, checked
// and held to its entry (partAccount). slow (the exact path must answer)
// is findOne's, and also where a hit by ID has another entry of the same
// names, whose secret is not decrypted, with a smaller ID.
func (ix *payloadIndex) partFind(query string) (Account, bool, error) {
	m, err := newMatcher(query)
	if err != nil {
		return Account{}, false, err
	}
	pt := ix.part
	var h1, h2 dirPass
	if pt.count < parallelStages || runtime.GOMAXPROCS(0) < 2 {
		// One pass, in two calls: the half is held to where it is, as
		// the two goroutines below hold it.
		h1 = pt.pass(m, pt.entries, pt.half, 0, pt.count/2)
		if h1.err == nil {
			h2 = pt.pass(m, pt.half, len(pt.dir), pt.count/2, pt.count)
		}
	} else {
		// The halves at once, as stageCounts does (a code runs alone).
		m2 := m.clone()
		inHalves(func() { h1 = pt.pass(m, pt.entries, pt.half, 0, pt.count/2) },
			func() { h2 = pt.pass(m2, pt.half, len(pt.dir), pt.count/2, pt.count) })
	}
	if h1.err == nil {
		h1.err = h2.err
	}
	if h1.err != nil {
		return Account{}, false, fmt.Errorf("%w: the directory: %w", ErrTampered, h1.err)
	}
	count, first, firstIdx := h1.count, h1.first, h1.firstIdx
	for s := range stages {
		if count[s] == 0 {
			first[s], firstIdx[s] = h2.first[s], h2.firstIdx[s]
		}
		count[s] += h2.count[s]
	}
	s := 0
	for s < stages && count[s] == 0 {
		s++
	}
	switch {
	case s == stages:
		return Account{}, false, notFound(query)
	case count[s] > 1:
		return Account{}, true, nil
	case s == stageID && ix.partMayHide(first[s]):
		return Account{}, true, nil
	}
	a, err := ix.partAccount(first[s], firstIdx[s])
	return a, false, err
}

// dirPass is what a pass over directory entries found: per stage, the
// hits, and the first one's place in the directory and index.
type dirPass struct {
	count, first, firstIdx [stages]int
	err                    error
}

// pass reads entries from..to-1, which lie at dir[lo:hi] exactly, and
// counts their stages.
func (pt *partial) pass(m *matcher, lo, hi, from, to int) (p dirPass) {
	var e dirEntry
	r := &reader{b: pt.dir[lo:hi]}
	for i := from; i < to; i++ {
		at := hi - len(r.b)
		if e.next(r); r.err != nil {
			p.err = fmt.Errorf("account %d: %w", i+1, r.err)
			return p
		}
		if s := e.stage(m); s < stages {
			if p.count[s] == 0 {
				p.first[s], p.firstIdx[s] = at, i
			}
			p.count[s]++
		}
	}
	if len(r.b) != 0 {
		p.err = fmt.Errorf("entries %d to %d: trailing bytes", from+1, to)
	}
	return p
}

// partMayHide reports whether another directory entry than the one at
// dir offset at has its k and names and a smaller ID: an account that may
// hide it (findOne's hiddenDuplicate, without the secrets).
func (ix *payloadIndex) partMayHide(at int) bool {
	pt := ix.part
	var x, e dirEntry
	x.next(&reader{b: pt.dir[at:]})
	r := &reader{b: pt.dir[pt.entries:]}
	for range pt.count {
		here := len(pt.dir) - len(r.b)
		if e.next(r); here != at && e.k == x.k && bytes.Equal(e.names, x.names) && string(e.id) < string(x.id) {
			return true
		}
	}
	return false
}

// partAccount is account i of a partly opened payload, its directory
// entry at dir offset at: the entry decrypted, checked as the decoder
// checks it, and held to its directory entry.
func (ix *payloadIndex) partAccount(at, i int) (Account, error) {
	var e dirEntry
	e.next(&reader{b: ix.part.dir[at:]})
	if e.off < uint64(len(binaryMagicV2)) || e.length == 0 || e.off > uint64(ix.tail) || e.length > uint64(ix.tail)-e.off {
		return Account{}, fmt.Errorf("%w: the directory: account %d is out of place", ErrTampered, i+1)
	}
	off, end := int(e.off), int(e.off+e.length)
	if err := ix.part.ensure(ix.plain, off, end); err != nil {
		return Account{}, err
	}
	r := &reader{b: ix.plain[off:end]}
	sc := newAccountScanner()
	sc.next(r, uint64(i))
	if r.err != nil {
		// Not r.err's words: they may quote the entry's bytes, which a
		// directory that lies about where it lies could make a secret's.
		return Account{}, fmt.Errorf("%w: account %d does not decode where the directory places it", ErrTampered, i+1)
	}
	k, names := dirNames(nil, sc.a.Issuer, sc.a.Name)
	if len(r.b) != 0 || sc.a.ID != string(e.id) || k != e.k || !bytes.Equal(names, e.names) {
		return Account{}, fmt.Errorf("%w: account %d is not the directory's", ErrTampered, i+1)
	}
	return sc.clone(true), nil
}

// complete decrypts the rest of a partly opened payload and checks all of
// it as a format-2 payload is checked at open: after, ix is the index of
// a whole payload. The directory is not held to it (see openWhole).
func (ix *payloadIndex) complete() error {
	pt := ix.part
	if err := pt.file.fetchAll(); err != nil {
		return err
	}
	if !pt.locked {
		secureRelock(ix.plain) // every page is written now: all of them locked at once
		pt.locked = true
	}
	if err := pt.ensure(ix.plain, 0, len(ix.plain)); err != nil {
		return err
	}
	whole, pl, err := indexPayload(ix.plain)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTampered, err)
	}
	wipePayloadKeys(&pl) // the same bytes openPartial read them from
	ix.offsets, ix.newest, ix.settings, ix.accountsEnd, ix.tail = whole.offsets, whole.newest, whole.settings, whole.accountsEnd, whole.tail
	clear(pt.dir)
	ix.part = nil
	return nil
}

// wipe clears what was decrypted into the buffer of a partly opened
// payload: the directory and the chunks read. The rest was never written,
// and clearing it would map every page of the buffer.
func (pt *partial) wipe(plain []byte) {
	clear(pt.dir)
	for c, o := range pt.open {
		if o {
			lo, hi := chunkBounds(c, len(plain))
			clear(plain[lo:hi])
		}
	}
}

// partReadFrom is the file size from which Load reads a format-3 file in
// part: below it, one read of all of it costs less than the reads of its
// parts.
const partReadFrom = 256 << 10

// readInPart reads f, the vault file, as far as its directory when it is
// of format 3 and partReadFrom bytes or more, into a buffer of the file's
// size whose other pages are not touched, and keeps f open (parsed.src)
// for fetch and fetchAll; ok is false, and nothing read, for any other
// file (readVault then reads it whole). A code at 10,000 accounts then
// reads 0.4 of 1.4 MB: the page faults of reading all of it, while the
// keyring answered, slowed the answer on two cores. The file is read
// through f alone, so a save that renames a new file over it meanwhile
// changes nothing of what is read; one that changed it in place would
// fail the AEAD or the read (ErrTampered). Not on Windows: a file held
// open there cannot be renamed over, and a save by another process would
// fail while a code runs.
func readInPart(f *os.File) (p *parsed, ok bool, err error) {
	st, err := f.Stat()
	if err != nil || st.Size() < partReadFrom || st.Size() > maxVaultFile || runtime.GOOS == "windows" {
		return nil, false, nil
	}
	b := make([]byte, st.Size()) // a large allocation: its untouched pages stay unmapped
	n, _ := f.ReadAt(b[:64<<10], 0)
	if bytes.IndexByte(b[:n], '\n') < 0 {
		return nil, false, nil
	}
	// parseFile reads the header line and measures the rest, not its bytes.
	// Anything but format 3 is parsed again from all of it (a format-1
	// file's first line is not a header line).
	if p, err = parseFile(b); err != nil || p.header.Version != 3 {
		return nil, false, nil
	}
	base := len(b) - len(p.env.Payload)
	if end := base + p.header.Directory + overhead; end > n {
		if _, err := f.ReadAt(b[n:end], int64(n)); err != nil {
			f.Close()
			return nil, true, fmt.Errorf("read vault: %w", err)
		}
	}
	p.src, p.base, p.got = f, int64(base), make([]bool, (p.header.Size+chunkSize-1)/chunkSize)
	return p, true, nil
}

// fetch reads chunk c of a format-3 payload read in part, if it is not.
func (p *parsed) fetch(c int) error { return p.fetchRun(c, c+1) }

// fetchRun reads chunks from..to-1 (those not read yet are read together).
func (p *parsed) fetchRun(from, to int) error {
	if p.src == nil {
		return nil
	}
	for from < to && p.got[from] {
		from++
	}
	for to > from && p.got[to-1] {
		to--
	}
	if from == to {
		return nil
	}
	at := func(c int) int { return min(p.header.Directory+overhead+c*(chunkSize+overhead), len(p.env.Payload)) }
	lo, hi := at(from), at(to)
	if _, err := p.src.ReadAt(p.env.Payload[lo:hi], p.base+int64(lo)); err != nil {
		return fmt.Errorf("%w: the vault file changed while it was read (%w)", ErrTampered, err)
	}
	for c := from; c < to; c++ {
		p.got[c] = true
	}
	return nil
}

// fetchAll reads what is left of a payload read in part, and closes the
// file. (A file only opened for one account is closed by the runtime when
// the File is garbage: a code ends first.)
func (p *parsed) fetchAll() error {
	if p.src == nil {
		return nil
	}
	if err := p.fetchRun(0, len(p.got)); err != nil {
		return err
	}
	p.src.Close()
	p.src, p.got = nil, nil
	return nil
}
