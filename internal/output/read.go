package output

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

var (
	errLink       = errors.New("a symbolic link")
	errNotRegular = errors.New("not a regular file")
)

// readRegular reads the regular file at name without following a link
// there: errLink when name is a symbolic link, errNotRegular when it is
// something else, an error wrapping fs.ErrNotExist when there is nothing.
//
// Comparing a large GitLab output reads some 80,000 files, so this opens
// each once (openNoFollow) and takes its information from the open file,
// where Lstat and then os.ReadFile would look its path up twice and, on
// Linux, spend four more system calls setting the file's blocking mode.
func readRegular(name string) (fs.FileInfo, []byte, error) {
	f, err := openNoFollow(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
		// A link fails the open (ELOOP on Linux and macOS, EMLINK on
		// FreeBSD), and so may a socket: say what is there.
		if info, lerr := os.Lstat(name); lerr == nil {
			switch {
			case info.Mode()&fs.ModeSymlink != 0:
				return nil, nil, errLink
			case !info.Mode().IsRegular():
				return nil, nil, errNotRegular
			}
		}
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, errNotRegular
	}
	// One byte more than the size, so that the read which finds the end
	// needs no larger buffer, as in os.ReadFile.
	data := make([]byte, 0, info.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		switch {
		case err == io.EOF:
			return info, data, nil
		case err != nil:
			return nil, nil, err
		case len(data) == cap(data):
			data = append(data, 0)[:len(data)] // the file grew
		}
	}
}
