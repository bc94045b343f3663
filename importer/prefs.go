package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
)

// prefStrings reads the <string name="..."> entries of an Android
// SharedPreferences file (<map> of typed values), in file order. Other
// value types are ignored.
func prefStrings(format string, data []byte) (map[string]string, error) {
	var m struct {
		XMLName xml.Name `xml:"map"`
		Strings []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:",chardata"`
		} `xml:"string"`
	}
	if !xmlDepthOK(data) {
		return nil, &ParseError{Format: format, Err: errors.New("the XML nests too deeply")}
	}
	if err := xml.NewDecoder(bytes.NewReader(validText(data))).Decode(&m); err != nil {
		return nil, &ParseError{Format: format, Err: errors.New("not a valid Android preferences file (XML <map>)")}
	}
	out := make(map[string]string, len(m.Strings))
	for _, s := range m.Strings {
		out[s.Name] = s.Value
	}
	return out, nil
}

// xmlDepthOK reports whether XML nests no deeper than MaxDepth, counting
// start and end tags (a rough count that errs on the safe side).
func xmlDepthOK(b []byte) bool {
	depth := 0
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '<' {
			continue
		}
		switch b[i+1] {
		case '/':
			depth--
		case '?', '!':
		default:
			depth++
			if depth > MaxDepth {
				return false
			}
		}
	}
	return true
}
