package cli

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/lang/load"
)

// formattedFormat changes whenever the layout of a formattedSet's file does.
const formattedFormat = "meshc formatted 1\n"

// A formattedSet is what earlier runs of meshc fmt found formatted: the
// SHA-256 of the bytes of each mesh file that this meshc left as they
// were. It is kept in the cache folder (load.Cache.FormattedFile), so that
// a file found formatted once is not formatted again only to be found
// unchanged, on this machine or, with CI's cache restored, on a fresh
// clone, whose files' stamps are all new: the set goes by the bytes.
// Formatting is nearly all of what fmt --check costs: at 10,000 products,
// 1.3 to 1.7 s, against 0.07 s for a run that finds every file listed.
type formattedSet struct {
	file  string
	known map[[sha256.Size]byte]bool
	// stale says that the file is there, unchanged for an hour or more:
	// a run that adds nothing touches it, to keep the cache's trim from
	// it while it is in use.
	stale bool
}

// keepFormatted is how many of the sums known before a run the set may
// keep past those of the files the run found formatted, so that the meshes
// that share a cache folder keep theirs without the set growing with every
// version of every file.
const keepFormatted = 20000

// openFormatted returns the set of the cache c, or nil without one. A
// warning says why a set that was there is not used; the set is then
// empty, and the run rewrites it, but for a folder in its place, which
// it cannot replace: the set is then nil, and the warning says to remove
// the folder.
func openFormatted(c *load.Cache) (*formattedSet, string) {
	if c == nil {
		return nil, ""
	}
	s := &formattedSet{file: c.FormattedFile(formattedFormat), known: map[[sha256.Size]byte]bool{}}
	if info, err := os.Lstat(s.file); err == nil && info.IsDir() {
		// Not meshc's: no file can be renamed over a folder, so a list
		// written there would never take its place, and "will rewrite
		// it" would be said on every run. An empty one hides nothing,
		// and goes; one that holds anything is the user's to remove.
		if os.Remove(s.file) != nil {
			return nil, fmt.Sprintf("not keeping the list of formatted files: %s is a folder, where meshc keeps a file, so every file is formatted on every run; remove the folder (rm -r %s)", s.file, shell.Quote(s.file))
		}
	}
	body, found, err := stamp.ReadIndex(s.file, formattedFormat)
	if err == nil && len(body)%sha256.Size != 0 {
		err = stamp.ErrCorrupt
	}
	if err != nil {
		return s, stamp.IndexProblem("list of formatted files", s.file, err)
	}
	if info, err := os.Stat(s.file); found && err == nil {
		s.stale = time.Since(info.ModTime()) >= time.Hour
	}
	for sum := range slices.Chunk(body, sha256.Size) {
		s.known[[sha256.Size]byte(sum)] = true
	}
	return s, ""
}

// has reports whether a file of the bytes whose SHA-256 is sum was found
// formatted. It may be called from several goroutines at once.
func (s *formattedSet) has(sum [sha256.Size]byte) bool { return s != nil && s.known[sum] }

// save keeps the sums of the files this run found formatted, with as many
// known before as keepFormatted allows. Failing to save only costs the
// next run the formatting.
func (s *formattedSet) save(found [][sha256.Size]byte) error {
	if s == nil {
		return nil
	}
	if !slices.ContainsFunc(found, func(sum [sha256.Size]byte) bool { return !s.known[sum] }) {
		if s.stale {
			now := time.Now()
			return os.Chtimes(s.file, now, now)
		}
		return nil
	}
	all := map[[sha256.Size]byte]bool{}
	for _, sum := range found {
		all[sum] = true
	}
	kept := 0
	for sum := range s.known {
		if kept == keepFormatted {
			break
		}
		if !all[sum] {
			all[sum] = true
			kept++
		}
	}
	sums := make([][sha256.Size]byte, 0, len(all))
	for sum := range all {
		sums = append(sums, sum)
	}
	// In order, so that two runs that keep the same sums write the same
	// file.
	slices.SortFunc(sums, func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) })
	body := make([]byte, 0, len(sums)*sha256.Size)
	for _, sum := range sums {
		body = append(body, sum[:]...)
	}
	if err := os.MkdirAll(filepath.Dir(s.file), 0o755); err != nil {
		return err
	}
	return stamp.WriteIndex(s.file, formattedFormat, body)
}
