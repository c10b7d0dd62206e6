// Package meshtest holds what the targets' tests share: compiling a mesh
// from a folder whose entries are listed in a random order, and rendering
// generated files as one txtar archive for golden files.
package meshtest

import (
	"bytes"
	"io/fs"
	"math/rand/v2"

	"golang.org/x/tools/txtar"

	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/diag"
)

// Archive renders generated files, after the diagnostics of the build if
// any, as one txtar archive, for golden files that a reviewer reads top to
// bottom.
func Archive(files []output.File, ds diag.Diagnostics, src diag.Sources) []byte {
	ar := &txtar.Archive{}
	if len(ds) > 0 {
		var b bytes.Buffer
		diag.WriteText(&b, ds, src)
		ar.Comment = b.Bytes()
	}
	for _, f := range files {
		ar.Files = append(ar.Files, txtar.File{Name: f.Path, Data: f.Data})
	}
	return txtar.Format(ar)
}

// ShuffledFS lists folders in a random order, so that a test can check
// that output does not depend on the order files are read in.
type ShuffledFS struct {
	fs.FS
	Rand *rand.Rand
}

// ReadDir lists a folder, shuffled.
func (s ShuffledFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(s.FS, name)
	s.Rand.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	return entries, err
}
