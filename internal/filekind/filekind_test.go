package filekind

import (
	"io/fs"
	"testing"
)

func TestSpecial(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		fs.ModeNamedPipe | 0o644:                  "a named pipe",
		fs.ModeSocket | 0o755:                     "a socket",
		fs.ModeDevice:                             "a device",
		fs.ModeDevice | fs.ModeCharDevice | 0o666: "a device",
		fs.ModeIrregular:                          "a special file (a named pipe, a socket or a device)",
	} {
		if got := Special(m); got != want {
			t.Errorf("Special(%v) = %q, want %q", m, got, want)
		}
	}
}
