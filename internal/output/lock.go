package output

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// LockName is the file in an output folder that a build holds locked while
// it writes there (LockFolder). It carries no Marker: no build takes it for
// one of its files, stale or in the way.
const LockName = ".meshc-build.lock"

// lockHeader starts the lock file's first line, which says who holds it.
const lockHeader = "meshc build: "

// lockPoll is how often a build waiting for another's folder tries again.
const lockPoll = 100 * time.Millisecond

// A Lock is an output folder that this build alone writes (LockFolder).
type Lock struct {
	file *os.File // the locked file; nil when the folder could not be locked
	name string   // the lock file's path
	// made are the folders LockFolder made to hold the lock: those still
	// empty when the lock goes are removed, so that a build that writes
	// nothing leaves no trace.
	made []string
}

// LockFolder makes the output folder dir, as Write would, and locks it
// for this build, so that two builds into one folder at once take turns
// instead of creating the same files under each other (one of them then
// failing with "file exists", or the folder left holding a mix of both).
// It waits for as long as another build holds the lock, calling waiting
// once, with who holds it, when it has to wait. The system lets go of a
// lock when its process ends, however it ends, so a build that crashed
// or was killed holds no lock: its lock file, left behind, is taken over.
// An output folder on a network share is locked for every machine that
// mounts it with locking (NFS with the lock manager or NFSv4).
//
// It returns what stops meshc from writing in dir, as Write reports it.
// A folder that takes no lock (a file system without locks, a read-only
// folder, a system other than Linux, macOS and the BSDs) is written
// without one: a build that meets another's files there as it writes
// says so (Write).
func LockFolder(dir string, waiting func(holder string)) (*Lock, error) {
	if _, err := checkFolder(dir); err != nil {
		return nil, err
	}
	l := &Lock{name: filepath.Join(dir, LockName)}
	// gone counts the times the folder, or one on the way, went while
	// this build made it or opened the lock file: as the build before
	// let go of it, it removed the folders it had made and wrote nothing
	// in. Past a few, something else is removing them.
	for told, gone := false, 0; ; {
		if err := l.makeFolder(dir); err != nil {
			if errors.Is(err, fs.ErrNotExist) && gone < 10 {
				gone++
				continue
			}
			l.Unlock()
			return nil, err
		}
		f, err := os.OpenFile(l.name, os.O_RDWR|os.O_CREATE, 0o644)
		switch {
		case errors.Is(err, fs.ErrNotExist) && gone < 10:
			gone++
			continue
		case err != nil:
			return l, nil // a folder this build cannot write in
		}
		switch err := tryLock(f); {
		case errors.Is(err, errLockBusy):
			if !told {
				waiting(lockHolder(f))
				told = true
			}
			f.Close()
			time.Sleep(lockPoll)
			continue
		case err != nil:
			f.Close()
			os.Remove(l.name)
			return l, nil // a file system without locks
		}
		// The build before may have removed the file it held after this
		// one opened it: locked, that is no lock on the folder's file.
		held, err1 := f.Stat()
		there, err2 := os.Lstat(l.name)
		if err1 != nil || err2 != nil || !os.SameFile(held, there) {
			f.Close()
			continue
		}
		l.file = f
		host, _ := os.Hostname()
		fmt.Fprintf(f, "%sprocess %d on %s, since %s\n", lockHeader, os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
		fmt.Fprintln(f, "This build writes the folder, and removes this file when it is done. Another build waits for it;")
		fmt.Fprintln(f, "a file left by a build that was killed is no lock, and the next build removes it.")
		return l, nil
	}
}

// makeFolder makes dir and the folders on the way that are missing, and
// notes those it made.
func (l *Lock) makeFolder(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append(missing, d)
	}
	// Noted before they are made, so that those made before a failure
	// go too.
	for _, d := range missing {
		if !slices.Contains(l.made, d) {
			l.made = append(l.made, d)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return os.MkdirAll(dir, 0o755)
}

// Unlock lets another build write the folder: it removes the lock file,
// then lets go of it, and removes the folders LockFolder made that are
// still empty.
func (l *Lock) Unlock() {
	if l == nil {
		return
	}
	if l.file != nil {
		// Removed while held, so that a build waiting for it that has
		// it open finds it gone once it holds it, and opens it anew.
		os.Remove(l.name)
		l.file.Close()
		l.file = nil
	}
	// The deepest first: a folder's path is longer than its parent's.
	slices.SortFunc(l.made, func(a, b string) int { return len(b) - len(a) })
	for _, d := range l.made {
		os.Remove(d) // fails, as it should, on a folder that holds anything
	}
	l.made = nil
}

// lockHolder says who holds the lock file f, as its holder wrote it: a
// process on a machine, and since when; "" when it has not written it
// yet. It goes to a terminal, so it keeps no control character, whoever
// wrote the file.
func lockHolder(f *os.File) string {
	line, _ := bufio.NewReader(io.LimitReader(f, 200)).ReadString('\n')
	holder, ok := strings.CutPrefix(strings.TrimSpace(line), lockHeader)
	if !ok {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, holder)
}
