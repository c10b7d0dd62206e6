package output

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/meshc/meshc/internal/stamp"
)

// A gitIndex is what git's own index says of the files of an output folder
// that lies in a git work tree: for each file git checked out or added,
// its stamp then and the ID of the blob it held. A fresh clone, which is
// what CI builds in, has stamps that meshc's own index (Index) has never
// seen, but git has just recorded them all: a file whose stamp is as git
// recorded it holds the blob git says, and a rendered file whose blob ID
// is that one is the file, without reading it. That is how git status
// spares reading a work tree.
//
// Only what git vouches for without doubt is used: entries at stage 0,
// regular files, neither assumed unchanged nor outside a sparse checkout
// nor only intended to be added, and not racily clean (written in the same
// tick of the clock as the index, so that a later write within that tick
// would leave the same stamp: git reads those again too). An entry is
// believed only when the rendered file has its size as well as its blob
// ID, so that a checkout that converts line endings is never taken to
// hold the blob's bytes. Anything the parser does not expect (a split
// index, a SHA-256 repository, an extension git requires to be
// understood, a checksum that does not match) means no git index: that
// costs the reads it would have saved, never a wrong answer.
type gitIndex struct {
	entries []gitEntry // sorted by path
}

// gitEntry is what the index keeps of one file of the output folder.
type gitEntry struct {
	path         uint64 // pathHash of the path in the output folder
	mtime, ctime int64  // in nanoseconds, from git's seconds and nanoseconds
	dev, ino     uint32 // git keeps the low 32 bits
	size         uint32
	blob         [sha1.Size]byte
}

// openGitIndex returns the entries of the git index of the work tree that
// holds the output folder dir, or nil when there is none, or none to
// trust.
func openGitIndex(dir string) *gitIndex {
	// A user who points git elsewhere by its environment knows where
	// the index is; meshc does not guess.
	for _, v := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"} {
		if os.Getenv(v) != "" {
			return nil
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil
	}
	root, gitDir := findGitDir(abs)
	if gitDir == "" || !sha1Repository(gitDir) {
		return nil
	}
	prefix := ""
	if abs != root {
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			return nil
		}
		prefix = filepath.ToSlash(rel) + "/"
	}
	f, err := os.Open(filepath.Join(gitDir, "index"))
	if err != nil {
		return nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil
	}
	st := stamp.Of(info)
	if !st.Known() {
		return nil
	}
	entries, err := readGitIndex(f, info.Size(), prefix, st.Mtime)
	if err != nil {
		return nil
	}
	slices.SortFunc(entries, func(a, b gitEntry) int { return cmp.Compare(a.path, b.path) })
	return &gitIndex{entries: entries}
}

// findGitDir returns the root of the work tree that holds the folder abs
// (absolute, without links), and its git folder; "" when there is none.
func findGitDir(abs string) (root, gitDir string) {
	for d := abs; ; d = filepath.Dir(d) {
		dotGit := filepath.Join(d, ".git")
		info, err := os.Lstat(dotGit)
		switch {
		case err == nil && info.IsDir():
			return d, dotGit
		case err == nil && info.Mode().IsRegular():
			// A linked work tree or a submodule: "gitdir: PATH".
			data, err := os.ReadFile(dotGit)
			target, ok := strings.CutPrefix(strings.TrimRight(string(data), "\r\n"), "gitdir: ")
			if err != nil || !ok || target == "" {
				return "", ""
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(d, target)
			}
			return d, target
		case err == nil || !errors.Is(err, os.ErrNotExist):
			return "", ""
		}
		if filepath.Dir(d) == d {
			return "", ""
		}
	}
}

// sha1Repository reports whether the repository of gitDir names objects
// by SHA-1 and keeps its work tree where its .git is: its configuration
// (the common one, for a linked work tree) sets neither another object
// format nor core.worktree.
func sha1Repository(gitDir string) bool {
	configs := []string{filepath.Join(gitDir, "config")}
	if common, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(common))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		configs = append(configs, filepath.Join(c, "config"))
	}
	for _, name := range configs {
		data, err := os.ReadFile(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return false
		}
		for line := range strings.SplitSeq(strings.ToLower(string(data)), "\n") {
			key, _, _ := strings.Cut(strings.TrimSpace(line), "=")
			if k := strings.TrimSpace(key); k == "objectformat" || k == "worktree" {
				return false
			}
		}
	}
	return true
}

// readGitIndex reads an index file of size bytes (gitformat-index(5),
// versions 2 to 4) and returns the entries to trust of the files whose
// paths start with prefix, named by the rest of their paths. indexMtime is
// the index file's modification time, in nanoseconds.
func readGitIndex(r io.Reader, size int64, prefix string, indexMtime int64) ([]gitEntry, error) {
	if size < 12+sha1.Size {
		return nil, errNotGitIndex
	}
	// Everything before the checksum is hashed as it is read.
	sum := sha1.New()
	g := &gitReader{r: bufio.NewReaderSize(io.TeeReader(io.LimitReader(r, size-sha1.Size), sum), 1<<16)}
	var header [12]byte
	g.full(header[:])
	version := binary.BigEndian.Uint32(header[4:])
	if g.err != nil || string(header[:4]) != "DIRC" || version < 2 || version > 4 {
		return nil, errNotGitIndex
	}
	count := binary.BigEndian.Uint32(header[8:])
	be := binary.BigEndian
	var entries []gitEntry
	var name []byte // the entry's path; version 4 writes it as a change to the last
	for range count {
		var fixed [62]byte // stat data, mode, size, blob ID and flags
		g.full(fixed[:])
		flags := be.Uint16(fixed[60:])
		size, extended := len(fixed), uint16(0)
		if flags&0x4000 != 0 {
			if version < 3 {
				return nil, errNotGitIndex
			}
			var x [2]byte
			g.full(x[:])
			size, extended = size+len(x), be.Uint16(x[:])
		}
		if version == 4 {
			strip := g.offset()
			if strip > uint64(len(name)) {
				return nil, errNotGitIndex
			}
			name = append(name[:uint64(len(name))-strip], g.until0()...)
		} else {
			name = append(name[:0], g.until0()...)
			// An entry is padded with NULs to a multiple of 8 bytes,
			// its name's own NUL first.
			size += len(name)
			g.skip((size+8)&^7 - size - 1)
		}
		if g.err != nil {
			return nil, errNotGitIndex
		}
		mode := be.Uint32(fixed[24:])
		mtime := int64(be.Uint32(fixed[8:]))*1e9 + int64(be.Uint32(fixed[12:]))
		trusted := flags&0xB000 == 0 && // not assumed unchanged, at stage 0
			extended&0x6000 == 0 && // not outside a sparse checkout, nor only intended to be added
			mode&0o170000 == 0o100000 && // a regular file
			mtime < indexMtime // not racily clean
		rel, under := bytes.CutPrefix(name, []byte(prefix))
		if !trusted || !under {
			continue
		}
		e := gitEntry{
			path:  pathHash(string(rel)),
			ctime: int64(be.Uint32(fixed[0:]))*1e9 + int64(be.Uint32(fixed[4:])),
			mtime: mtime,
			dev:   be.Uint32(fixed[16:]),
			ino:   be.Uint32(fixed[20:]),
			size:  be.Uint32(fixed[36:]),
		}
		copy(e.blob[:], fixed[40:60])
		entries = append(entries, e)
	}
	if err := g.extensions(); err != nil {
		return nil, err
	}
	// index.skipHash writes zeros.
	var checksum [sha1.Size]byte
	if _, err := io.ReadFull(r, checksum[:]); err != nil ||
		checksum != [sha1.Size]byte(sum.Sum(nil)) && checksum != [sha1.Size]byte{} {
		return nil, errNotGitIndex
	}
	return entries, nil
}

var errNotGitIndex = errors.New("not a git index meshc can trust")

// gitReader reads an index file; its first error stops it.
type gitReader struct {
	r   *bufio.Reader
	err error
}

func (g *gitReader) full(b []byte) {
	if g.err == nil {
		_, g.err = io.ReadFull(g.r, b)
	}
}

func (g *gitReader) skip(n int) {
	if g.err == nil {
		_, g.err = g.r.Discard(n)
	}
}

// until0 reads up to a NUL, which it drops.
func (g *gitReader) until0() []byte {
	if g.err != nil {
		return nil
	}
	b, err := g.r.ReadSlice(0)
	if err != nil {
		g.err = err
		return nil
	}
	return b[:len(b)-1]
}

// offset reads a number as git writes the bytes to strip from the last
// path in version 4 (varint.c), which is not encoding/binary's varint.
func (g *gitReader) offset() uint64 {
	var n uint64
	for i := 0; g.err == nil && i < 9; i++ {
		c, err := g.r.ReadByte()
		if err != nil {
			g.err = err
			break
		}
		n = n<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			return n
		}
		n++
	}
	g.err = cmp.Or(g.err, errNotGitIndex)
	return 0
}

// extensions reads past the index's extensions, up to its checksum. An
// extension that git says must be understood (its signature does not start
// with a capital), such as a split index's link to the entries it shares,
// makes the index one meshc does not trust.
func (g *gitReader) extensions() error {
	for g.err == nil {
		if _, err := g.r.Peek(1); errors.Is(err, io.EOF) {
			return nil
		}
		var head [8]byte
		g.full(head[:])
		if g.err != nil || head[0] < 'A' || head[0] > 'Z' {
			return errNotGitIndex
		}
		g.skip(int(binary.BigEndian.Uint32(head[4:])))
	}
	return errNotGitIndex
}

// holds reports whether git's index vouches that the file at rel, whose
// stamp is st, holds data.
func (g *gitIndex) holds(rel string, st stamp.Stamp, data []byte) bool {
	if g == nil || !st.Known() || st.Size != uint64(len(data)) {
		return false
	}
	key := pathHash(rel)
	i, found := slices.BinarySearchFunc(g.entries, key, func(e gitEntry, key uint64) int { return cmp.Compare(e.path, key) })
	if !found {
		return false
	}
	e := &g.entries[i]
	if e.mtime != st.Mtime || e.ctime != st.Ctime || e.dev != uint32(st.Dev) || e.ino != uint32(st.Ino) || e.size != uint32(st.Size) {
		return false
	}
	return blobID(data) == e.blob
}

// blobID is the ID git gives a blob of data.
func blobID(data []byte) (id [sha1.Size]byte) {
	h := sha1.New()
	h.Write(strconv.AppendInt([]byte("blob "), int64(len(data)), 10))
	h.Write([]byte{0})
	h.Write(data)
	h.Sum(id[:0])
	return id
}
