package output

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLockFolderOtherUsersFile checks that a build waits for the lock on
// a lock file another user made, which it may only read: flock needs no
// more. Run as root, the second build is run as nobody, on a thread of
// its own.
func TestLockFolderOtherUsersFile(t *testing.T) {
	if !locks(t) {
		t.Skip("no file locks here")
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	first, err := LockFolder(dir, func(string) { t.Error("the first lock waited") })
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, LockName)
	if err := os.Chmod(name, 0o444); err != nil {
		t.Fatal(err)
	}
	told := make(chan string, 1)
	got := make(chan *Lock)
	go func() {
		// Never unlocked: the thread, with its file system user, ends
		// with the goroutine.
		runtime.LockOSThread()
		if os.Getuid() == 0 {
			syscall.Setfsuid(65534)
		}
		if f, err := os.OpenFile(name, os.O_RDWR, 0); !errors.Is(err, fs.ErrPermission) {
			if err == nil {
				f.Close()
			}
			got <- nil
			return
		}
		second, err := LockFolder(dir, func(holder string) { told <- holder })
		if err != nil {
			t.Error(err)
		}
		got <- second
	}()
	select {
	case second := <-got:
		first.Unlock()
		if second == nil {
			t.Skip("this user may write the lock file")
		}
		second.Unlock()
		t.Fatalf("the second lock did not wait for the first (warning %q)", second.Warning)
	case <-told:
	case <-time.After(10 * time.Second):
		t.Fatal("the second lock neither waited nor took the lock")
	}
	first.Unlock()
	second := <-got
	if second.file == nil || second.Warning != "" {
		t.Errorf("the second lock holds no lock, with warning %q", second.Warning)
	}
	second.Unlock()
}

// TestLockFolderReadOnly checks that a build into a folder whose lock
// file it can neither make nor open goes on without the lock, and says
// so, rather than failing on a lock file that is not there.
func TestLockFolderReadOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	type result struct {
		l   *Lock
		err error
	}
	got := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked, as in TestLockFolderOtherUsersFile
		if os.Getuid() == 0 {
			syscall.Setfsuid(65534)
		}
		if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
			f.Close()
			got <- result{}
			return
		}
		l, err := LockFolder(dir, nil)
		got <- result{l, err}
	}()
	r := <-got
	switch {
	case r.l == nil && r.err == nil:
		t.Skip("this user may write the folder")
	case r.err != nil:
		t.Fatal(r.err)
	case r.l.file != nil || !strings.Contains(r.l.Warning, "without waiting for another build"):
		t.Errorf("the lock on a read-only folder: warning %q", r.l.Warning)
	}
	r.l.Unlock()
}
