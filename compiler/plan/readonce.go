package plan

import (
	"io/fs"
	"slices"
	"sync"

	"github.com/meshc/meshc/internal/lf"
)

// ReadOnce returns root with each file read at most once, for Plan.Root.
// The targets that carry a step's SQL file into what they generate read
// it while they model a file for its diagnostics, and again when a file
// they did not keep is rendered to be written (output.File): both must
// see the same SQL, as must every target of a build, even if the file
// changes or goes while meshc runs. A file that could not be read fails
// the same way every time, so its diagnostic stands for every read.
//
// Each file is read with its CRLF line endings as LF, as the mesh's own
// files are: a checkout with CRLF line endings (git's core.autocrlf, Git
// for Windows' default) gives the same SQL, so the same generated files,
// and meshc diff finds no step's file changed by a checkout. A CR alone
// is kept.
func ReadOnce(root fs.FS) fs.FS {
	if root == nil {
		return nil
	}
	return &onceFS{FS: root}
}

type onceFS struct {
	fs.FS
	files sync.Map // name -> *fileRead
}

// fileRead is one file's first read.
type fileRead struct {
	once sync.Once
	data []byte
	ends lf.Ends // where data's LFs were CRLFs
	err  error
}

func (f *onceFS) ReadFile(name string) ([]byte, error) {
	r, _ := f.files.LoadOrStore(name, &fileRead{})
	read := r.(*fileRead)
	read.once.Do(func() {
		read.data, read.err = fs.ReadFile(f.FS, name)
		read.data, read.ends = lf.Read(read.data)
	})
	return slices.Clone(read.data), read.err // the caller may change its copy
}

// LineEndings returns where the file name, read through root (ReadOnce),
// had CRLF line endings that its text has as LF, for a diagnostic's byte
// offsets in the file on disk (diag.File.SetLineEndings); none for a file
// not read through it.
func LineEndings(root fs.FS, name string) lf.Ends {
	if f, ok := root.(*onceFS); ok {
		if r, ok := f.files.Load(name); ok {
			return r.(*fileRead).ends
		}
	}
	return lf.Ends{}
}
