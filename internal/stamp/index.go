package stamp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/meshc/meshc/internal/atomicfile"
	"github.com/meshc/meshc/internal/shell"
)

// ErrCorrupt is ReadIndex's error for a file that is not as WriteIndex
// writes it, or of another format.
var ErrCorrupt = errors.New("corrupt")

// ErrFolder is ReadIndex's error for a folder in the index's place, which
// holds something: no index can be renamed over it, and it is not
// meshc's to remove.
var ErrFolder = errors.New("a folder, where meshc keeps a file")

// ErrNotRegular is OpenRegular's error for what is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// regular returns f with its description, or ErrNotRegular, closing it,
// when it is not a regular file.
func regular(f *os.File) (*os.File, fs.FileInfo, error) {
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = ErrNotRegular
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// ReadIndex returns the body of the index file name, written by
// WriteIndex with the format line format, and whether there is one:
// ErrCorrupt when it is not as WriteIndex writes it. An empty folder in
// its place is removed, and there is then no index yet; one that holds
// anything is ErrFolder. A cache deletes what it has not used for days,
// and an index read is used: one read more than an hour after it was
// written is touched.
func ReadIndex(name, format string) (body []byte, found bool, err error) {
	f, info, err := OpenRegular(name)
	if errors.Is(err, ErrNotRegular) {
		if info, err := os.Lstat(name); err == nil && info.IsDir() {
			if os.Remove(name) == nil {
				return nil, false, nil
			}
			return nil, true, ErrFolder
		}
		return nil, true, ErrCorrupt
	}
	var data []byte
	if err == nil {
		data, err = io.ReadAll(f)
		f.Close()
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return nil, false, nil // no index yet
	case err != nil:
		return nil, true, err
	}
	if time.Since(info.ModTime()) > time.Hour {
		now := time.Now()
		os.Chtimes(name, now, now)
	}
	if len(data) < len(format)+4 || !bytes.HasPrefix(data, []byte(format)) {
		return nil, true, ErrCorrupt
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, true, ErrCorrupt
	}
	return body[len(format):], true, nil
}

// WriteIndex writes body as the index file name, whole (atomically),
// behind the format line and followed by a CRC-32C of both.
func WriteIndex(name, format string, body []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	data := append([]byte(format), body...)
	return atomicfile.Write(name, binary.LittleEndian.AppendUint32(data, crc32.Checksum(data, castagnoli)), 0o644)
}

// IndexProblem says why an index that ReadIndex could not use is not
// used, for a warning: what names the index ("output index").
func IndexProblem(what, name string, err error) string {
	switch {
	case errors.Is(err, ErrCorrupt):
		return fmt.Sprintf("ignored the corrupt %s %s, and will rewrite it", what, name)
	case errors.Is(err, ErrFolder):
		// Saying "will rewrite it" on every run would not be true.
		return fmt.Sprintf("not keeping the %s: %s is a folder, where meshc keeps a file, so every run does without it; remove the folder (rm -r %s)", what, name, shell.Quote(name))
	}
	return fmt.Sprintf("cannot read the %s %s: %v", what, name, err)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)
