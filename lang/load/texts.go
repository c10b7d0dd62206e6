package load

import (
	"errors"
	"sync"

	"github.com/meshc/meshc/internal/lf"
	"github.com/meshc/meshc/lang/diag"
)

// Texts finds the text of the files a mesh was loaded from, to show
// diagnostics with their snippets. Loading drops each file's text once it
// is decoded (a large mesh's text is a tenth of its memory), and a
// diagnostic names only a few files, so their text is read again when the
// diagnostics are printed, once for the snippets and for the columns of
// lines beyond ASCII (diag.Again) alike, and kept. So a file that changed
// since it was parsed shows its new text, unless the loader reported on it
// (its snippets show the text parsed, when it was read: a file the
// sources' index spared reading has no text kept) or it was read again
// already; one that can no longer be read is shown without a snippet.
type Texts struct {
	files map[string]*textFile // by display name
}

// textFile is where a mesh file is, and its text while it is kept: while
// it is parsed, after for files the loader itself reported on, and once
// read again, for the few files that diagnostics name.
type textFile struct {
	tree *Tree
	rel  string
	mu   sync.Mutex // read may be called from several goroutines once loading is done
	src  []byte
}

// errGrown is a file that has grown past MaxFileSize since it was loaded:
// it is shown without a snippet, as one that cannot be read.
var errGrown = errors.New("grown too large to show")

// read returns the file's text: the one kept, or read again and kept, so
// that a snippet and its columns (diag.Again) read it once, and see the
// same text.
func (t *textFile) read() ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.src != nil {
		return t.src, nil
	}
	raw, size, _, err := readBelow(t.tree.FS, t.rel, MaxFileSize, nil)
	src := lf.Text(raw) // the text loading read (file.read)
	if err == nil && size >= MaxFileSize {
		err = errGrown
	}
	if err == nil {
		t.src = src
	}
	return src, err
}

// For returns the text of every file that ds refer to.
func (t *Texts) For(ds diag.Diagnostics) diag.Sources {
	src := diag.Sources{}
	tried := map[string]bool{} // a file that cannot be read is tried once
	add := func(r *diag.Range) {
		if r == nil || t == nil || tried[r.Filename()] {
			return
		}
		name := r.Filename()
		tried[name] = true
		f, ok := t.files[name]
		if !ok {
			return
		}
		if text, err := f.read(); err == nil {
			src[name] = text
		}
	}
	for _, d := range ds {
		add(d.Subject)
		add(d.Context)
	}
	return src
}

// texts records where each file's text can be found again.
func texts(files []*file) *Texts {
	t := &Texts{files: make(map[string]*textFile, len(files))}
	for _, f := range files {
		t.files[f.name] = f.textFile
	}
	return t
}

// dropText drops the file's text once it is decoded, unless the file has
// diagnostics of its own: their snippets show the text that was parsed.
// It returns the text dropped, whose buffer nothing decoded points into
// (the decoded mesh holds copies), to read another file into.
func (f *file) dropText() []byte {
	if len(f.syntaxErrors) > 0 || len(f.diags) > 0 {
		return nil
	}
	for _, b := range f.blocks {
		if len(b.diags) > 0 {
			return nil
		}
	}
	src := f.src
	f.src = nil
	return src
}
