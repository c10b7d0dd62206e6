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

// holderWait is how many times a build waiting for another's folder
// tries again before it says so without saying who holds it: the holder
// writes who it is just after it takes the lock.
const holderWait = 5

// A Lock is an output folder that this build alone writes (LockFolder).
type Lock struct {
	file *os.File // the locked file; nil when the folder could not be locked
	name string   // the lock file's path
	// made are the folders LockFolder made to hold the lock: those still
	// empty when the lock goes are removed, so that a build that writes
	// nothing leaves no trace.
	made []string
	// Warning says, for the build to print, why it writes the folder
	// without a lock though the folder could take one: it could not
	// open or lock the lock file. It is "" when the build holds the
	// lock, and on a file system that takes no locks, which is
	// documented.
	Warning string
}

// A try is what one try at taking a folder's lock came to (tryOnce).
type try int

const (
	tryHeld     try = iota // this build holds the lock, or goes on without one
	tryBusy                // another build holds it
	tryGone                // the folder or the lock file went as this build opened it
	tryReplaced            // the build before removed the file this build locked
)

// LockFolder makes the output folder dir, as Write would, and locks it
// for this build, so that two builds into one folder at once take turns
// instead of creating the same files under each other (one of them then
// failing with "file exists", or the folder left holding a mix of both).
// It waits for as long as another build holds the lock, calling waiting
// once, with who holds it ("" when that is not known), when it has to
// wait. The system lets go of a lock when its process ends, however it
// ends, so a build that crashed or was killed holds no lock: its lock
// file, left behind, is taken over. An output folder on a network share
// is locked for every machine that mounts it with locking (NFS with the
// lock manager or NFSv4).
//
// It returns what stops meshc from writing in dir, as Write reports it.
// A folder that takes no lock (a file system without locks, a system
// other than Linux, macOS and the BSDs) is written without one: a build
// that meets another's files there as it writes says so (Write). So is
// one whose lock file cannot be opened or locked, and Lock.Warning then
// says so.
func LockFolder(dir string, waiting func(holder string)) (*Lock, error) {
	if _, err := checkFolder(dir); err != nil {
		return nil, err
	}
	l := &Lock{name: filepath.Join(dir, LockName)}
	// gone counts the times the folder, or one on the way, or the lock
	// file went while this build made or opened them: as the build
	// before let go of the lock, it removed the folders it had made and
	// wrote nothing in. Past a few, something else is removing them.
	gone, busy, told := 0, 0, false
	for {
		state, holder, err := l.tryOnce(dir)
		switch {
		case state == tryGone && gone < 10:
			gone++
		case err != nil:
			l.Unlock()
			return nil, err
		case state == tryHeld:
			return l, nil
		case state == tryBusy:
			// The holder writes who it is just after it takes the
			// lock: a build that finds no holder yet looks again a
			// few times before it says so without one.
			if !told && (holder != "" || busy == holderWait) {
				waiting(holder)
				told = true
			}
			busy++
			time.Sleep(lockPoll)
		case state == tryReplaced:
			// Tried again, on the file now there.
		}
	}
}

// tryOnce makes the folder dir, opens its lock file and tries to lock it,
// without waiting. It returns, with tryBusy, who holds the lock; with
// tryGone, the error of not finding the folder or the file; and with
// tryHeld, what stops meshc from writing in dir, if anything does.
func (l *Lock) tryOnce(dir string) (try, string, error) {
	if err := l.makeFolder(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return tryGone, "", err
		}
		return tryHeld, "", err
	}
	f, writable, err := openLock(l.name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return tryGone, "", err
	case err != nil:
		l.Warning = unlocked(dir, err)
		return tryHeld, "", nil
	}
	switch err := tryLock(f); {
	case errors.Is(err, errLockBusy):
		defer f.Close()
		return tryBusy, lockHolder(f), nil
	case err != nil && writable:
		f.Close()
		os.Remove(l.name) // made, or taken over, for nothing: a file system without locks
		return tryHeld, "", nil
	case err != nil:
		// NFS takes an flock as a lock that needs the file open for
		// writing.
		f.Close()
		l.Warning = unlocked(dir, fmt.Errorf("%s is another user's, which this one may only read, and the file system locks only a file open for writing: %w", l.name, err))
		return tryHeld, "", nil
	}
	// The build before may have removed the file it held after this
	// one opened it: locked, that is no lock on the folder's file.
	held, err1 := f.Stat()
	there, err2 := os.Lstat(l.name)
	if err1 != nil || err2 != nil || !os.SameFile(held, there) {
		f.Close()
		return tryReplaced, "", nil
	}
	l.file = f
	if writable {
		writeHolder(f)
	}
	return tryHeld, "", nil
}

// unlocked is the warning of a build that writes dir without its lock,
// for the reason err.
func unlocked(dir string, err error) string {
	return fmt.Sprintf("cannot lock %s (%v), so this build writes it without waiting for another build writing there; let one user run the builds into it, or give each user's builds an --out of their own", dir, err)
}

// openLock opens the lock file at name, creating it if need be, for
// writing who holds it. One that another user made, which this one may
// not write (as their umask decided), is opened to read: flock needs no
// more, but its holder line stays theirs. writable says which.
func openLock(name string) (f *os.File, writable bool, err error) {
	f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o666)
	if !errors.Is(err, fs.ErrPermission) {
		return f, err == nil, err
	}
	f, rerr := os.Open(name)
	if errors.Is(rerr, fs.ErrNotExist) {
		// No file to read, and none this user may make: a folder it
		// may not write in. (Or the file went between the two opens,
		// and this build goes on without a lock, warned of it.)
		return nil, false, err
	}
	return f, false, rerr
}

// writeHolder writes who holds the lock file f in place of what it held,
// in one write, so that a build waiting for it reads all of the holder's
// line or none of it.
func writeHolder(f *os.File) {
	host, _ := os.Hostname()
	var b strings.Builder
	fmt.Fprintf(&b, "%sprocess %d on %s, since %s\n", lockHeader, os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintln(&b, "This build writes the folder, and removes this file when it is done. Another build waits for it;")
	fmt.Fprintln(&b, "a file left by a build that was killed is no lock, and the next build removes it.")
	// A file left by a build that was killed may be longer.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(b.String()), 0)
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
