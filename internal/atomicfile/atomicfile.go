// Package atomicfile replaces files so that a reader, or a run that is
// killed, sees the old file or the new one, never a part. The output
// writer, the cache and meshc fmt use it.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Write replaces name with data through a temporary file beside it and a
// rename. The file is made with perm less the umask, as os.WriteFile does.
//
// It does not fsync, as compilers and build caches do not: meshc rebuilds
// what it writes from its sources in seconds, and a power cut at the wrong
// moment leaves at worst an empty or stale file, which the next run finds.
func Write(name string, data []byte, perm fs.FileMode) error {
	return write(name, data, perm, false)
}

// Replace replaces the content of the existing file name as Write does,
// keeping its permissions exactly, whatever the umask: meshc fmt rewrites
// the user's files.
func Replace(name string, data []byte) error {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	return write(name, data, info.Mode().Perm(), true)
}

// write is Write, setting perm on the temporary file before the rename
// when exact is set.
func write(name string, data []byte, perm fs.FileMode, exact bool) (err error) {
	// The dot keeps the temporary file out of sight; it is made with
	// its final permissions, which saves a chmod per file.
	var tmp *os.File
	for range 10 {
		tmpName := filepath.Join(filepath.Dir(name), fmt.Sprintf(".%s.%d.tmp", filepath.Base(name), rand.Uint32()))
		tmp, err = os.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if exact {
		if err := tmp.Chmod(perm); err != nil {
			return err
		}
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
