// Package jsonout writes JSON as every meshc output does (the JSON
// report, SARIF, code quality, the manifest, graph and diff): indented,
// with every control character a terminal reads escaped. Those commands
// and lang/diag import it.
package jsonout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Indented encodes v as meshc writes JSON: indented, with a final line
// break, escaping HTML's <, > and & when escapeHTML is set. encoding/json
// escapes the C0 controls in strings, but writes DEL, the C1 controls and
// the bidirectional overrides and isolates as they are: these are written
// as \u escapes too, the same JSON (they can only be in strings), so that
// the mesh's words cannot reach a terminal or a CI log that prints the
// JSON as commands, or reorder what it shows.
func Indented(v any, escapeHTML bool) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	data := b.Bytes()
	if !bytes.ContainsFunc(data, leftByJSON) {
		return data, nil
	}
	out := make([]byte, 0, len(data)+32)
	for _, r := range string(data) {
		if leftByJSON(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = utf8.AppendRune(out, r)
		}
	}
	return out, nil
}

// leftByJSON reports a character that encoding/json leaves unescaped but
// a terminal reads as a control.
func leftByJSON(r rune) bool {
	return r == 0x7f || 0x80 <= r && r < 0xa0 || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}
