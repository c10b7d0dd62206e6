package output

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"

	"github.com/meshc/meshc/internal/stamp"
)

// errLink is readRegular's error for a symbolic link, which stamp's
// opens do not tell from other files that are not regular.
var errLink = errors.New("a symbolic link")

// readRegular reads the regular file at name without following a link
// there: errLink when name is a symbolic link, stamp.ErrNotRegular when it is
// something else, an error wrapping fs.ErrNotExist when there is nothing.
// The bytes go into buf when it has room for them: a goroutine comparing
// files reads each into the buffer of the one before.
//
// Comparing a large GitLab output reads 80,000 files for 10,000 products,
// so each is opened once and described by the open file, where Lstat and
// then os.ReadFile would look its path up twice. On Unix the open file is
// no os.File (readFile), which would also try to add each to the poller
// and read once more to find its end. The stamp is the file's, where the
// system gives one (stamp.Stamp.Known).
func readRegular(name string, buf []byte) ([]byte, stamp.Stamp, error) {
	data, st, err := readFile(name, buf)
	if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, errLink) || errors.Is(err, stamp.ErrNotRegular) {
		return data, st, err
	}
	// A link fails the open (ELOOP on Linux and macOS, EMLINK on
	// FreeBSD), and so may a socket: say what is there.
	if info, lerr := os.Lstat(name); lerr == nil {
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			return nil, stamp.Stamp{}, errLink
		case !info.Mode().IsRegular():
			return nil, stamp.Stamp{}, stamp.ErrNotRegular
		}
	}
	return nil, stamp.Stamp{}, err
}

// maxCompared is the largest file readRegular reads, with room for the
// read that finds its end.
const maxCompared = math.MaxInt - bytes.MinRead

// tooLarge is readRegular's error for a file of size bytes.
func tooLarge(name string, size int64) error {
	return fmt.Errorf("%s is too large to compare (%d bytes)", name, size)
}
