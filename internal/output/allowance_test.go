package output

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestAllowance(t *testing.T) {
	renders := 0
	render := func(n int) func([]byte) []byte {
		return func(buf []byte) []byte { renders++; return append(buf, make([]byte, n)...) }
	}
	again := func() []byte { return []byte("again") }
	a := NewAllowance(10)
	for _, step := range []struct {
		size    int
		kept    bool
		renders int
	}{
		{4, true, 1},
		{6, true, 2},  // exactly full
		{1, false, 3}, // over: rendered, not kept
		{0, false, 3}, // full: not even rendered
	} {
		f := a.File("f", render(step.size), again)
		if kept := f.Render == nil; kept != step.kept || renders != step.renders || len(f.Data) != step.size && kept {
			t.Errorf("File(%d bytes): kept %v after %d renders, want %v after %d", step.size, kept, renders, step.kept, step.renders)
		}
		if !step.kept && (f.Data != nil || string(f.Render()) != "again") {
			t.Errorf("File(%d bytes) not kept: data %q, rendered again %q", step.size, f.Data, f.Render())
		}
	}
	var none *Allowance
	if f := none.File("f", render(1), again); f.Render == nil || renders != 3 {
		t.Errorf("a nil Allowance kept or rendered a file")
	}

	// A file is rendered into a buffer the next one reuses: what is
	// kept is a copy.
	a = NewAllowance(100)
	write := func(s string) func([]byte) []byte { return func(buf []byte) []byte { return append(buf, s...) } }
	first := a.File("a", write("first"), again)
	second := a.File("b", write("other"), again)
	if string(first.Data) != "first" || string(second.Data) != "other" {
		t.Errorf("kept %q and %q, want \"first\" and \"other\"", first.Data, second.Data)
	}
}

// TestAllowanceIn checks which files an allowance for an output folder
// finds unchanged: only a regular file of the folder's own build with the
// very contents rendered, read through no link at its place.
func TestAllowanceIn(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, tree{
		"same.yml":     gen("a: 1\n"),
		"changed.yml":  gen("a: 1\n"),
		"link.yml":     "-> same.yml",
		"other.yml":    "# " + Marker + "\n# " + OwnerLine(Owner("airflow", "prod")) + "\na: 1\n",
		"sub/deep.yml": gen("b: 2\n"),
	})
	again := func() []byte { return []byte(gen("again\n")) }
	rendering := func(s string) func([]byte) []byte { return func(buf []byte) []byte { return append(buf, s...) } }
	a := NewAllowance(0).In(dir, testOwner, nil)
	for _, c := range []struct {
		path, render string
		unchanged    bool
	}{
		{"same.yml", gen("a: 1\n"), true},
		{"sub/deep.yml", gen("b: 2\n"), true},
		{"changed.yml", gen("a: 2\n"), false},
		{"link.yml", gen("a: 1\n"), false},               // a link is no file of meshc's
		{"missing.yml", gen("a: 1\n"), false},            // to be created
		{"other.yml", "# " + Marker + "\na: 1\n", false}, // rendered without its owner: Plan reports it
		{"../same.yml", gen("a: 1\n"), false},            // Plan refuses the path
	} {
		f := a.File(c.path, rendering(c.render), again)
		if f.Unchanged != c.unchanged || f.Data != nil || f.Render == nil {
			t.Errorf("File(%s): unchanged %v, %d bytes kept, rendered again %v; want unchanged %v, nothing kept",
				c.path, f.Unchanged, len(f.Data), f.Render != nil, c.unchanged)
		}
	}

	// No folder, or an empty one, is not compared with: a first build
	// would render each file twice.
	empty := t.TempDir()
	for _, d := range []string{filepath.Join(dir, "missing"), empty, filepath.Join(dir, "same.yml")} {
		if NewAllowance(0).In(d, testOwner, nil).Unchanged("same.yml", []byte(gen("a: 1\n"))) {
			t.Errorf("In(%s) compared with a folder", d)
		}
	}
	var none *Allowance
	if none.In(dir, testOwner, nil) != nil || none.Unchanged("same.yml", []byte(gen("a: 1\n"))) {
		t.Error("a nil Allowance compared a file")
	}

	// The room is the build's, shared by the allowances of its folders.
	shared := NewAllowance(10)
	if !shared.In(dir, testOwner, nil).Keep(6) || shared.In(empty, testOwner, nil).Keep(6) || shared.Keep(1) {
		t.Error("allowances for two folders did not share their room")
	}
}

// TestPlanTrustsUnchanged checks that Plan neither reads nor renders a
// file marked unchanged, but still checks the folders on its way.
func TestPlanTrustsUnchanged(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, tree{"a/x.yml": "not what was rendered", "b/y.yml": gen("y\n"), "elsewhere/": ""})
	if err := os.Symlink("elsewhere", filepath.Join(dir, "c")); err != nil {
		t.Skipf("cannot make symbolic links: %v", err)
	}
	unchanged := func(path string) File {
		return File{Path: path, Unchanged: true, Render: func() []byte {
			t.Errorf("%s, marked unchanged, was rendered", path)
			return []byte(gen("\n"))
		}}
	}
	changes, err := Plan(dir, testOwner, []File{unchanged("a/x.yml"), unchanged("b/y.yml")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a/x.yml", "b/y.yml"}; !slices.Equal(changes.Unchanged, want) {
		t.Errorf("unchanged %v, want %v", changes.Unchanged, want)
	}
	_, err = Plan(dir, testOwner, []File{unchanged("c/z.yml")})
	var conflicts *ConflictError
	if !errors.As(err, &conflicts) || len(conflicts.Conflicts) != 1 || conflicts.Conflicts[0].Path != "c" {
		t.Errorf("a file marked unchanged behind a link: %v, want a conflict at c", err)
	}
	_, err = Plan(dir, testOwner, []File{{Path: "d.yml", Unchanged: true}})
	if err == nil || !strings.Contains(err.Error(), "cannot be rendered") {
		t.Errorf("a file marked unchanged with nothing to render: %v", err)
	}
}
