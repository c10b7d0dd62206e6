// Package ascii answers whether text is plain ASCII, the common case that
// lets meshc skip work only other text needs (normalising, counting
// display columns).
package ascii

// Is reports whether s holds only ASCII bytes. It looks at eight bytes at
// a time, as loading runs it over every byte of a mesh.
func Is[T ~string | ~[]byte](s T) bool {
	for ; len(s) >= 8; s = s[8:] {
		// The compiler reads the eight bytes as one word.
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i]&0x80 != 0 {
			return false
		}
	}
	return true
}
