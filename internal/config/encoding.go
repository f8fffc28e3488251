package config

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// encodingError finds the first byte of data that a YAML file may not
// hold — invalid UTF-8, or a character outside YAML's printable set (a
// NUL, say) — and reports it at its line and column, which the YAML
// decoder's own message for it lacks. It is nil when data is clean, and
// for a file in UTF-16 (a byte order mark first), which the decoder reads
// itself.
func encodingError(file string, data []byte) *Error {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return nil
	}
	line, lineStart := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return &Error{File: file, Line: line, Msg: fmt.Sprintf("invalid YAML: column %d: byte 0x%02X is not valid UTF-8 (save the file as UTF-8)", column(data[lineStart:i]), data[i])}
		case !yamlPrintable(r):
			return &Error{File: file, Line: line, Msg: fmt.Sprintf("invalid YAML: column %d: %s is not allowed in YAML", column(data[lineStart:i]), describeRune(r))}
		case r == '\n':
			line, lineStart = line+1, i+size
		}
		i += size
	}
	return nil
}

// column is the 1-based column of the character after prefix, the start
// of its line.
func column(prefix []byte) int { return utf8.RuneCount(prefix) + 1 }

// yamlPrintable reports whether r may appear in a YAML stream (YAML 1.2,
// c-printable).
func yamlPrintable(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// describeRune names a character that is not allowed.
func describeRune(r rune) string {
	if r == 0 {
		return "a NUL byte (U+0000)"
	}
	return fmt.Sprintf("the control character U+%04X", r)
}
