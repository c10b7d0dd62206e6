package output

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// locks reports whether this system takes the locks LockFolder asks for.
func locks(t *testing.T) bool {
	f, err := os.CreateTemp(t.TempDir(), "lock")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return tryLock(f) == nil
}

// TestLockFolderTakesTurns checks that a second lock on a folder waits
// until the first lets go, having said once who holds it, and that the
// lock file goes with the last lock.
func TestLockFolderTakesTurns(t *testing.T) {
	if !locks(t) {
		t.Skip("no file locks here")
	}
	dir := filepath.Join(t.TempDir(), "gen", "gitlab")
	first, err := LockFolder(dir, func(string) { t.Error("the first lock waited") })
	if err != nil {
		t.Fatal(err)
	}
	var holders []string
	got := make(chan *Lock)
	go func() {
		second, err := LockFolder(dir, func(holder string) { holders = append(holders, holder) })
		if err != nil {
			t.Error(err)
		}
		got <- second
	}()
	select {
	case <-got:
		t.Fatal("the second lock did not wait for the first")
	case <-time.After(3 * lockPoll):
	}
	first.Unlock()
	second := <-got
	want := fmt.Sprintf("process %d on ", os.Getpid())
	if len(holders) != 1 || !strings.HasPrefix(holders[0], want) {
		t.Errorf("the waiting lock was told %q, want once a holder starting %q", holders, want)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the folder went while locked: %v", err)
	}
	second.Unlock()
	if _, err := os.Lstat(filepath.Join(dir, LockName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file is left: %v", err)
	}
}

// TestLockFolderLeftBehind checks that the lock file of a build that was
// killed, which holds no lock, does not make the next build wait.
func TestLockFolderLeftBehind(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, LockName), []byte(lockHeader+"process 1 on gone, since 2020-01-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := LockFolder(dir, func(holder string) { t.Errorf("waited for %q", holder) })
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	if _, err := os.Lstat(filepath.Join(dir, LockName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file is left: %v", err)
	}
}

// TestLockFolderMakesFolders checks that the folders made for a lock go
// with it when nothing was written in them, as a build with errors writes
// nothing, and stay when something was; and that a folder that cannot be
// made is Write's error.
func TestLockFolderMakesFolders(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	l, err := LockFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	if _, err := os.Lstat(filepath.Join(root, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an unused lock left the folder it made: %v", err)
	}

	l, err = LockFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	if _, err := os.Lstat(filepath.Join(dir, "f")); err != nil {
		t.Errorf("the folder written in went with the lock: %v", err)
	}

	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	blocked := filepath.Join(root, "file", "gitlab")
	_, err = LockFolder(blocked, nil)
	_, werr := Write(blocked, testOwner, nil, nil)
	if err == nil || werr == nil || err.Error() != werr.Error() {
		t.Errorf("LockFolder through a file: %v; Write says %v", err, werr)
	}
}

// TestLockHolderPrintable checks that what a lock file says of its holder
// reaches the terminal without its control characters.
func TestLockHolderPrintable(t *testing.T) {
	name := filepath.Join(t.TempDir(), LockName)
	if err := os.WriteFile(name, []byte(lockHeader+"process 1 \x1b[2Jon x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := lockHolder(f); got != "process 1 [2Jon x" {
		t.Errorf("lockHolder = %q", got)
	}
}

// TestAllowanceIgnoresLock checks that a folder made for a build's lock,
// which holds the lock alone, is compared with as an empty one: a first
// build would otherwise read every file it renders, to find none.
func TestAllowanceIgnoresLock(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, LockName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if in := NewAllowance(1<<20).In(dir, testOwner, nil); in.out != nil {
		t.Error("a folder holding only the lock is compared with")
	}
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if in := NewAllowance(1<<20).In(dir, testOwner, nil); in.out == nil {
		t.Error("a folder holding a file is not compared with")
	}
}

// TestLockFolderTakesOverWholly checks that a build taking over the lock
// file of a build that was killed leaves none of its bytes: what follows
// the new holder's lines would be read as theirs.
func TestLockFolderTakesOverWholly(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, LockName)
	left := lockHeader + "process 1 on gone, since 2020-01-01T00:00:00Z\n" + strings.Repeat("left by the killed build\n", 40)
	if err := os.WriteFile(name, []byte(left), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := LockFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if l.file == nil {
		t.Skip("no file locks here")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%sprocess %d on ", lockHeader, os.Getpid()); !strings.HasPrefix(string(data), want) || strings.Contains(string(data), "killed build") {
		t.Errorf("the lock file taken over holds\n%s\nwant it to start %q, and no more of the old file", data, want)
	}
}

// TestLockFolderWaitsForHolder checks that a build that finds the lock
// held before its holder has said who it is tells who it is once it
// does, rather than telling no one at once.
func TestLockFolderWaitsForHolder(t *testing.T) {
	if !locks(t) {
		t.Skip("no file locks here")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, LockName)
	held, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := tryLock(held); err != nil {
		t.Fatal(err)
	}
	told := make(chan string, 2)
	got := make(chan *Lock)
	go func() {
		l, err := LockFolder(dir, func(holder string) { told <- holder })
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	// The holder writes its line once the other is waiting, well within
	// the polls that the waiting build gives it.
	time.Sleep(lockPoll)
	const holder = "process 1 on there, since 2026-01-01T00:00:00Z"
	if _, err := held.WriteString(lockHeader + holder + "\n"); err != nil {
		t.Fatal(err)
	}
	// Wait for the telling rather than for a time, so that a slow machine
	// cannot release the lock before the waiting build has read the line.
	var heard string
	select {
	case heard = <-told:
	case <-time.After(30 * time.Second):
		t.Fatal("the waiting build was told nothing in 30 s")
	}
	os.Remove(name)
	held.Close()
	(<-got).Unlock()
	close(told)
	for h := range told {
		heard += ", then " + h
	}
	if heard != holder {
		t.Errorf("the waiting lock was told %q, want once %q", heard, holder)
	}
}

// TestWriteLeavesLockAlone checks that Write never takes the build's lock
// file for a file of its own, even one that reads like it: on NFS, the
// lock goes when the build closes any file open on the lock file.
func TestWriteLeavesLockAlone(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, LockName)
	if err := os.WriteFile(name, []byte(gen("old")), 0o644); err != nil {
		t.Fatal(err)
	}
	changes, err := Write(dir, testOwner, files("a.yml", gen("a")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes.Remove) > 0 {
		t.Errorf("Write removes %q", changes.Remove)
	}
	if _, err := os.Lstat(name); err != nil {
		t.Errorf("the lock file went: %v", err)
	}
	if _, err := Write(dir, testOwner, files(LockName, gen("a")), nil); err == nil || !strings.Contains(err.Error(), "lock") {
		t.Errorf("writing a file at the lock file's path: %v, want an error", err)
	}
}
