package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// gitFS is a folder as it is at a git revision, for meshc diff --base-ref:
// its regular files as git ls-tree lists them, indexed by folder, and each
// file's bytes read from git only when it is opened. A mesh whose build
// output is committed (gen/, as docs/ci.md recommends) holds many more
// files there than loading reads (80,000 of 90,000 for 10,000 products
// built for GitLab), and reading every file up front made a diff of that
// mesh peak at 562 MB rather than 404 (docs/performance.md).
type gitFS struct {
	files   map[string]gitEntry
	folders map[string][]fs.DirEntry // sorted by name, as fs.ReadDir's
	blobs   *blobReader
}

// gitEntry is a file or a folder of a gitFS: its fs.DirEntry and its
// fs.FileInfo both. A file's mode is 0644, executable or not, as the
// loader asks only whether it is a regular file.
type gitEntry struct {
	name string
	dir  bool
	size int64
	oid  string // a file's blob
}

func (e gitEntry) Name() string               { return e.name }
func (e gitEntry) IsDir() bool                { return e.dir }
func (e gitEntry) Type() fs.FileMode          { return e.Mode().Type() }
func (e gitEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e gitEntry) Size() int64                { return e.size }
func (e gitEntry) ModTime() time.Time         { return time.Time{} }
func (e gitEntry) Sys() any                   { return nil }

func (e gitEntry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o555
	}
	return 0o644
}

// newGitFS indexes the output of git ls-tree -r -l -z, whose paths are
// relative to the folder listed, and reads files through blobs. Only
// regular files are kept, and a submodule (a gitlink) as an empty folder:
// the loader follows no symbolic link either, and a submodule's files are
// not in the revision, though its folder is there to name.
func newGitFS(listing []byte, blobs *blobReader) *gitFS {
	f := &gitFS{files: map[string]gitEntry{}, folders: map[string][]fs.DirEntry{".": nil}, blobs: blobs}
	for entry := range strings.SplitSeq(strings.TrimSuffix(string(listing), "\x00"), "\x00") {
		// "<mode> <type> <oid> <size>\t<path>", the size padded with spaces.
		meta, name, ok := strings.Cut(entry, "\t")
		fields := strings.Fields(meta)
		if ok && len(fields) == 4 && fields[1] == "commit" && fs.ValidPath(name) && name != "." {
			if _, known := f.folders[name]; !known {
				f.folders[name] = []fs.DirEntry{}
				f.add(path.Dir(name), gitEntry{name: path.Base(name), dir: true})
			}
			continue
		}
		if !ok || len(fields) != 4 || fields[1] != "blob" || (fields[0] != "100644" && fields[0] != "100755") {
			continue
		}
		size, err := strconv.ParseInt(fields[3], 10, 64)
		if err != nil || !fs.ValidPath(name) {
			continue
		}
		file := gitEntry{name: path.Base(name), size: size, oid: fields[2]}
		f.files[name] = file
		f.add(path.Dir(name), file)
	}
	for _, entries := range f.folders {
		slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
	return f
}

// add adds e to the folder dir, and dir to its parents, which hold it
// once however many files it holds.
func (f *gitFS) add(dir string, e fs.DirEntry) {
	for {
		_, known := f.folders[dir]
		f.folders[dir] = append(f.folders[dir], e)
		if known || dir == "." {
			return
		}
		e, dir = gitEntry{name: path.Base(dir), dir: true}, path.Dir(dir)
	}
}

func (f *gitFS) Open(name string) (fs.File, error) {
	if file, ok := f.files[name]; ok {
		return &gitFile{gitEntry: file, blobs: f.blobs, path: name}, nil
	}
	if entries, ok := f.folders[name]; ok {
		return &gitFolder{gitEntry: gitEntry{name: path.Base(name), dir: true}, entries: entries}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (f *gitFS) Stat(name string) (fs.FileInfo, error) {
	if file, ok := f.files[name]; ok {
		return file, nil
	}
	if _, ok := f.folders[name]; ok {
		return gitEntry{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// ReadDir returns the folder's own listing, which its callers may not
// change (loading keeps the listings it walks, and sorts none).
func (f *gitFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if entries, ok := f.folders[name]; ok {
		return slices.Clone(entries), nil
	}
	if _, ok := f.files[name]; ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fmt.Errorf("not a folder")}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (f *gitFS) ReadFile(name string) ([]byte, error) {
	file, ok := f.files[name]
	if !ok {
		if _, dir := f.folders[name]; dir {
			return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("is a folder")}
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	data, err := f.blobs.read(file.oid, file.size)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return data, nil
}

// gitFile is an open file of a gitFS, read from git on its first Read:
// the loader opens a file to learn its size, and refuses a large one
// unread.
type gitFile struct {
	gitEntry
	blobs *blobReader
	path  string
	r     *bytes.Reader
}

func (f *gitFile) Stat() (fs.FileInfo, error) { return f.gitEntry, nil }
func (f *gitFile) Close() error               { return nil }

func (f *gitFile) Read(p []byte) (int, error) {
	if f.r == nil {
		data, err := f.blobs.read(f.oid, f.size)
		if err != nil {
			return 0, &fs.PathError{Op: "read", Path: f.path, Err: err}
		}
		f.r = bytes.NewReader(data)
	}
	return f.r.Read(p)
}

// gitFolder is an open folder of a gitFS.
type gitFolder struct {
	gitEntry
	entries []fs.DirEntry
	read    int
}

func (d *gitFolder) Stat() (fs.FileInfo, error) { return d.gitEntry, nil }
func (d *gitFolder) Close() error               { return nil }

func (d *gitFolder) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: fmt.Errorf("is a folder")}
}

func (d *gitFolder) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.read:]
	if n <= 0 {
		d.read = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.read += len(rest)
	return slices.Clone(rest), nil
}

// blobReader reads blobs from one git cat-file --batch, kept running
// while the revision is read: a process for each of the thousands of
// files loading reads would take seconds. Reads are one at a time.
type blobReader struct {
	ref string // for messages
	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	err error // the first failure, after which git's output is out of step
}

func startBlobReader(root, ref string) (*blobReader, error) {
	cmd := exec.Command("git", "-C", root, "cat-file", "--batch")
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("reading %s: %v", ref, err)
	}
	return &blobReader{ref: ref, cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10)}, nil
}

// read returns the blob oid, which git ls-tree said holds size bytes.
func (b *blobReader) read(oid string, size int64) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return nil, b.err
	}
	data, err := b.readLocked(oid, size)
	if err != nil {
		b.err = fmt.Errorf("reading %s: %v", b.ref, err)
		return nil, b.err
	}
	return data, nil
}

func (b *blobReader) readLocked(oid string, size int64) ([]byte, error) {
	if _, err := io.WriteString(b.in, oid+"\n"); err != nil {
		return nil, err
	}
	// Each object is "<oid> <type> <size>\n<content>\n".
	header, err := b.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("unexpected output of git cat-file: %v", err)
	}
	if header != fmt.Sprintf("%s blob %d\n", oid, size) {
		return nil, fmt.Errorf("unexpected output of git cat-file: %q", strings.TrimSpace(header))
	}
	data := make([]byte, size+1)
	if _, err := io.ReadFull(b.out, data); err != nil || data[size] != '\n' {
		return nil, fmt.Errorf("unexpected output of git cat-file for %s", oid)
	}
	return data[:size], nil
}

// Close ends git cat-file.
func (b *blobReader) Close() error {
	b.in.Close()
	return b.cmd.Wait()
}
