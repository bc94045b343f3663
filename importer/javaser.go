package importer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads exactly one kind of Java object stream: a
// java.util.HashMap whose keys and values are all Strings, as FreeOTP 2.x
// writes its backups. It is not a Java deserializer: any other class, an
// object field, a class annotation, a superclass, a null, or a reference to
// anything but an earlier String is refused.

// Java object stream constants (java.io.ObjectStreamConstants).
const (
	javaMagic         = 0xACED
	javaVersion       = 5
	tcNull            = 0x70
	tcReference       = 0x71
	tcClassDesc       = 0x72
	tcObject          = 0x73
	tcString          = 0x74
	tcBlockData       = 0x77
	tcEndBlockData    = 0x78
	tcLongString      = 0x7C
	javaBaseHandle    = 0x7E0000
	scWriteMethod     = 0x01
	scSerializable    = 0x02
	javaHashMapClass  = "java.util.HashMap"
	javaHashMapSUID   = 362498820763181265
	javaMaxFields     = 8
	javaMapMaxEntries = 2*MaxAccounts + 16 // two strings per FreeOTP token, and a few more
)

// javaHashMapHeader is how a serialised HashMap starts: the stream magic,
// version, TC_OBJECT, TC_CLASSDESC and the class name.
var javaHashMapHeader = append([]byte{0xAC, 0xED, 0x00, 0x05, tcObject, tcClassDesc, 0x00, byte(len(javaHashMapClass))}, javaHashMapClass...)

// isJavaStringMap reports whether data starts like a serialised HashMap.
func isJavaStringMap(data []byte) bool { return bytes.HasPrefix(data, javaHashMapHeader) }

// javaEntry is one key and value of a serialised HashMap, in stream order.
type javaEntry struct{ key, value string }

// errJava builds an error about the object stream at a byte offset.
func errJava(off int, format string, args ...any) error {
	return fmt.Errorf("not a backup wardkey can read (Java object stream, byte %d: %s)", off, fmt.Sprintf(format, args...))
}

// javaReader reads big-endian values from the stream, never past its end.
type javaReader struct {
	b       []byte
	off     int
	strings []string // handle table: index = handle - javaBaseHandle; "" slots for non-strings
	isStr   []bool
}

func (r *javaReader) need(n int) error {
	if n < 0 || len(r.b)-r.off < n {
		return errJava(r.off, "the data ends too early")
	}
	return nil
}

func (r *javaReader) byte1() (byte, error) {
	if err := r.need(1); err != nil {
		return 0, err
	}
	r.off++
	return r.b[r.off-1], nil
}

func (r *javaReader) bytesN(n int) ([]byte, error) {
	if err := r.need(n); err != nil {
		return nil, err
	}
	r.off += n
	return r.b[r.off-n : r.off], nil
}

func (r *javaReader) u16() (int, error) {
	b, err := r.bytesN(2)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(b)), nil
}

func (r *javaReader) u32() (uint32, error) {
	b, err := r.bytesN(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b), nil
}

func (r *javaReader) u64() (uint64, error) {
	b, err := r.bytesN(8)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b), nil
}

// utf reads a modified-UTF-8 string of n bytes.
func (r *javaReader) utf(n int) (string, error) {
	at := r.off
	b, err := r.bytesN(n)
	if err != nil {
		return "", err
	}
	s, ok := decodeModifiedUTF8(b)
	if !ok {
		return "", errJava(at, "a string is not valid modified UTF-8")
	}
	return s, nil
}

// assign gives the next handle to an object; str is set for Strings.
func (r *javaReader) assign(s string, isStr bool) {
	r.strings = append(r.strings, s)
	r.isStr = append(r.isStr, isStr)
}

// readJavaStringMap reads a serialised java.util.HashMap<String,String> and
// returns its entries in stream order.
func readJavaStringMap(data []byte) ([]javaEntry, error) {
	r := &javaReader{b: data}
	if !isJavaStringMap(data) {
		return nil, errJava(0, "it does not start with a serialised java.util.HashMap")
	}
	r.off = len(javaHashMapHeader)
	suid, err := r.u64()
	if err != nil {
		return nil, err
	}
	if suid != javaHashMapSUID {
		return nil, errJava(r.off-8, "unexpected HashMap serialVersionUID %d", int64(suid))
	}
	r.assign("", false) // the class descriptor
	flags, err := r.byte1()
	if err != nil {
		return nil, err
	}
	if flags != scSerializable|scWriteMethod {
		return nil, errJava(r.off-1, "unexpected class flags %#x", flags)
	}
	nfields, err := r.u16()
	if err != nil {
		return nil, err
	}
	if nfields > javaMaxFields {
		return nil, errJava(r.off-2, "%d fields in the HashMap class", nfields)
	}
	sizes := make([]int, nfields)
	for i := range sizes {
		code, err := r.byte1()
		if err != nil {
			return nil, err
		}
		switch code {
		case 'B', 'Z':
			sizes[i] = 1
		case 'C', 'S':
			sizes[i] = 2
		case 'I', 'F':
			sizes[i] = 4
		case 'J', 'D':
			sizes[i] = 8
		default:
			return nil, errJava(r.off-1, "the HashMap class has a field of type %q (only primitive fields are read)", rune(code))
		}
		n, err := r.u16()
		if err != nil {
			return nil, err
		}
		if _, err := r.utf(n); err != nil {
			return nil, err
		}
	}
	// No class annotation, no serialisable superclass.
	if b, err := r.byte1(); err != nil {
		return nil, err
	} else if b != tcEndBlockData {
		return nil, errJava(r.off-1, "the HashMap class has an annotation")
	}
	if b, err := r.byte1(); err != nil {
		return nil, err
	} else if b != tcNull {
		return nil, errJava(r.off-1, "the HashMap class has a superclass")
	}
	r.assign("", false) // the HashMap object
	for _, n := range sizes {
		if _, err := r.bytesN(n); err != nil {
			return nil, err
		}
	}
	// HashMap.writeObject: a block of two ints (capacity, size), then size
	// key/value pairs, then the end of the block data.
	if b, err := r.byte1(); err != nil {
		return nil, err
	} else if b != tcBlockData {
		return nil, errJava(r.off-1, "expected the HashMap's block data, found tag %#x", b)
	}
	if n, err := r.byte1(); err != nil {
		return nil, err
	} else if n != 8 {
		return nil, errJava(r.off-1, "the HashMap's block data is %d bytes, not 8", n)
	}
	if _, err := r.u32(); err != nil { // capacity: not needed
		return nil, err
	}
	size, err := r.u32()
	if err != nil {
		return nil, err
	}
	if size > javaMapMaxEntries {
		return nil, fmt.Errorf("the backup holds %d entries, more than %d: %w", size, javaMapMaxEntries, ErrTooLarge)
	}
	// Each entry takes at least 6 bytes (two empty TC_STRINGs).
	if int64(size)*6 > int64(len(data)-r.off) {
		return nil, errJava(r.off-4, "the HashMap claims %d entries, more than the data holds", size)
	}
	entries := make([]javaEntry, 0, size)
	for range size {
		k, err := r.string()
		if err != nil {
			return nil, err
		}
		v, err := r.string()
		if err != nil {
			return nil, err
		}
		entries = append(entries, javaEntry{k, v})
	}
	if b, err := r.byte1(); err != nil {
		return nil, err
	} else if b != tcEndBlockData {
		return nil, errJava(r.off-1, "expected the end of the HashMap, found tag %#x", b)
	}
	if r.off != len(data) {
		return nil, errJava(r.off, "%d bytes follow the HashMap", len(data)-r.off)
	}
	return entries, nil
}

// string reads a TC_STRING, TC_LONGSTRING or a TC_REFERENCE to an earlier
// String.
func (r *javaReader) string() (string, error) {
	at := r.off
	tag, err := r.byte1()
	if err != nil {
		return "", err
	}
	switch tag {
	case tcString:
		n, err := r.u16()
		if err != nil {
			return "", err
		}
		s, err := r.utf(n)
		if err != nil {
			return "", err
		}
		r.assign(s, true)
		return s, nil
	case tcLongString:
		n, err := r.u64()
		if err != nil {
			return "", err
		}
		if n > uint64(len(r.b)-r.off) {
			return "", errJava(r.off-8, "the data ends too early")
		}
		s, err := r.utf(int(n))
		if err != nil {
			return "", err
		}
		r.assign(s, true)
		return s, nil
	case tcReference:
		h, err := r.u32()
		if err != nil {
			return "", err
		}
		i := int64(h) - javaBaseHandle
		if i < 0 || i >= int64(len(r.strings)) || !r.isStr[i] {
			return "", errJava(at, "a reference to something other than an earlier string")
		}
		return r.strings[i], nil
	case tcNull:
		return "", errJava(at, "a null key or value")
	}
	return "", errJava(at, "expected a string, found tag %#x", tag)
}

// decodeModifiedUTF8 decodes Java's modified UTF-8 (DataInput.readUTF): NUL
// is C0 80 and characters outside the BMP are two encoded surrogates.
func decodeModifiedUTF8(b []byte) (string, bool) {
	ascii := true
	for _, c := range b {
		if c == 0 || c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), true
	}
	units := make([]uint16, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == 0:
			return "", false
		case c < 0x80:
			units = append(units, uint16(c))
			i++
		case c&0xE0 == 0xC0:
			if i+1 >= len(b) || b[i+1]&0xC0 != 0x80 {
				return "", false
			}
			units = append(units, uint16(c&0x1F)<<6|uint16(b[i+1]&0x3F))
			i += 2
		case c&0xF0 == 0xE0:
			if i+2 >= len(b) || b[i+1]&0xC0 != 0x80 || b[i+2]&0xC0 != 0x80 {
				return "", false
			}
			units = append(units, uint16(c&0x0F)<<12|uint16(b[i+1]&0x3F)<<6|uint16(b[i+2]&0x3F))
			i += 3
		default:
			return "", false
		}
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(units); i++ {
		u := rune(units[i])
		switch {
		case utf16.IsSurrogate(u):
			if i+1 >= len(units) {
				return "", false
			}
			ru := utf16.DecodeRune(u, rune(units[i+1]))
			if ru == utf8.RuneError {
				return "", false // a lone surrogate
			}
			sb.WriteRune(ru)
			i++
		default:
			sb.WriteRune(u)
		}
	}
	return sb.String(), true
}
