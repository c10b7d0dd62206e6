package docs_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/meshc/meshc/internal/cli"
	"github.com/meshc/meshc/internal/golden"
)

var transcriptMarker = regexp.MustCompile(`^<!-- transcript: (\S+)((?: [a-z]+(?:=\S+)?)*) -->$`)

// TestTranscripts checks the ```text blocks that show meshc commands with
// what they print. A line
//
//	<!-- transcript: MESH [at=DIR] [repo] -->
//
// before a block says which mesh the commands run in: example:NAME, an
// example mesh of the docs (as TestDocExamples builds it), or a path from
// the repository's root, to a folder or to a txtar archive of files. The
// mesh is copied into an empty folder, into its subfolder DIR with at=DIR;
// repo makes that folder the root of a git repository (a .git folder, as
// meshc finds a repository). The commands run in that folder, one per
// "$ " line, and what they print, standard output and standard error
// together, as a terminal shows them, must be the lines up to the next
// "$ " line, exactly. The folder's own path is printed as $WORK. A
// command is one of:
//
//	meshc ARGS...   run in-process, as cmd/meshc runs it
//	echo $?         the last meshc command's exit code
//	head -N FILE    the first N lines of a file
//	ln -s OLD NEW   a symbolic link
//	cd DIR          also as "cd DIR && COMMAND", as in a shell
//
// go test ./docs -update rewrites the blocks with what meshc prints.
func TestTranscripts(t *testing.T) {
	var all []*transcript
	for _, doc := range docFiles(t) {
		all = append(all, readTranscripts(t, doc)...)
	}
	if len(all) < 20 {
		t.Errorf("only %d transcripts found", len(all))
	}
	examples := map[string]*example{}
	for _, doc := range docFiles(t) {
		parseDoc(t, doc, examples)
	}
	for _, tr := range all {
		t.Run(fmt.Sprintf("%s:%d", filepath.Base(tr.doc), tr.line), func(t *testing.T) {
			work := t.TempDir()
			materialise(t, tr.mesh, filepath.Join(work, filepath.FromSlash(tr.at)), examples)
			if tr.repo {
				if err := os.Mkdir(filepath.Join(work, ".git"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			// A cache of its own, so that no run leans on another's.
			t.Setenv("MESHC_CACHE", filepath.Join(t.TempDir(), "cache"))
			t.Setenv("XDG_CACHE_HOME", t.TempDir())
			got, err := runTranscript(work, tr.commands())
			if err != nil {
				t.Fatalf("%s:%d: %v", tr.doc, tr.line, err)
			}
			tr.got = got
			if got == tr.text {
				return
			}
			if golden.Updating() {
				return
			}
			t.Errorf("%s:%d: meshc prints other than the block shows (-block +meshc):\n%s\n"+
				"If meshc is right, run go test ./docs -update to rewrite the block, and read the change as a user would.",
				tr.doc, tr.line, cmp.Diff(strings.Split(tr.text, "\n"), strings.Split(got, "\n")))
		})
	}
	if golden.Updating() {
		rewriteTranscripts(t, all)
	}
}

type transcript struct {
	doc  string // from the repository's root, for messages
	path string
	line int // of the marker
	mesh string
	at   string
	repo bool
	// first and last are the lines of the block's text, from 1, inclusive.
	first, last int
	text        string
	got         string // what the commands print, once run
}

// commands splits the block into its commands, each with the lines after
// it.
func (tr *transcript) commands() []string {
	var cmds []string
	for _, l := range strings.SplitAfter(tr.text, "\n") {
		if cmd, ok := strings.CutPrefix(l, "$ "); ok {
			cmds = append(cmds, strings.TrimSuffix(cmd, "\n"))
		}
	}
	return cmds
}

func readTranscripts(t *testing.T, doc string) []*transcript {
	t.Helper()
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out []*transcript
	var cur *transcript
	var block []string
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		n, line := i+1, lines[i]
		if !strings.HasPrefix(line, "<!-- transcript:") {
			continue
		}
		m := transcriptMarker.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("%s:%d: malformed transcript marker %q", doc, n, line)
			continue
		}
		rel, _ := filepath.Rel(golden.Root(), doc)
		cur = &transcript{doc: filepath.ToSlash(rel), path: doc, line: n, mesh: m[1]}
		for _, opt := range strings.Fields(m[2]) {
			key, value, _ := strings.Cut(opt, "=")
			switch {
			case key == "at" && value != "":
				cur.at = value
			case opt == "repo":
				cur.repo = true
			default:
				t.Errorf("%s:%d: unknown transcript option %q", doc, n, opt)
			}
		}
		if i+1 >= len(lines) || lines[i+1] != "```text" {
			t.Errorf("%s:%d: a transcript marker must be followed by a ```text block", doc, n)
			continue
		}
		block = nil
		i += 2
		for ; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			block = append(block, lines[i])
		}
		if len(block) == 0 || !strings.HasPrefix(block[0], "$ ") {
			t.Errorf("%s:%d: a transcript's block must start with a command, a line \"$ ...\"", doc, n)
			continue
		}
		cur.first, cur.last = n+2, n+1+len(block)
		cur.text = strings.Join(block, "\n") + "\n"
		out = append(out, cur)
	}
	return out
}

// materialise writes the mesh named by a transcript marker into dir.
func materialise(t *testing.T, mesh, dir string, examples map[string]*example) {
	t.Helper()
	files := map[string][]byte{}
	if name, ok := strings.CutPrefix(mesh, "example:"); ok {
		ex := examples[name]
		if ex == nil {
			t.Fatalf("no example named %s", name)
		}
		for f, text := range ex.files {
			files[f] = []byte(text)
		}
	} else {
		src := filepath.Join(golden.Root(), filepath.FromSlash(mesh))
		info, err := os.Stat(src)
		switch {
		case err != nil:
			t.Fatal(err)
		case info.IsDir():
			err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(src, p)
				files[filepath.ToSlash(rel)], err = os.ReadFile(p)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		default:
			ar, err := txtar.ParseFile(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range ar.Files {
				files[f.Name] = f.Data
			}
		}
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

// runTranscript runs the commands in work and returns the transcript they
// make: each command after "$ ", then what it printed.
func runTranscript(work string, cmds []string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	defer os.Chdir(wd)
	if err := os.Chdir(work); err != nil {
		return "", err
	}
	var out bytes.Buffer
	status := 0
	for _, cmd := range cmds {
		fmt.Fprintf(&out, "$ %s\n", cmd)
		rest := cmd
		if dir, after, ok := strings.Cut(cmd, " && "); ok && strings.HasPrefix(dir, "cd ") {
			if err := os.Chdir(strings.TrimPrefix(dir, "cd ")); err != nil {
				return "", err
			}
			rest = after
		}
		args, err := splitWords(rest)
		if err != nil {
			return "", fmt.Errorf("%s: %v", cmd, err)
		}
		var printed bytes.Buffer
		switch {
		case len(args) > 0 && args[0] == "meshc":
			status = cli.Main(args[1:], strings.NewReader(""), &printed, &printed)
		case len(args) == 2 && args[0] == "echo" && args[1] == "$?":
			fmt.Fprintln(&printed, status)
		case len(args) == 4 && args[0] == "ln" && args[1] == "-s":
			if err := os.Symlink(args[2], args[3]); err != nil {
				return "", err
			}
		case len(args) == 2 && args[0] == "cd":
			if err := os.Chdir(args[1]); err != nil {
				return "", err
			}
		case len(args) == 3 && args[0] == "head" && strings.HasPrefix(args[1], "-"):
			n, err := strconv.Atoi(args[1][1:])
			if err != nil {
				return "", fmt.Errorf("%s: %v", cmd, err)
			}
			data, err := os.ReadFile(args[2])
			if err != nil {
				return "", err
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			for i := 0; i < n && sc.Scan(); i++ {
				fmt.Fprintln(&printed, sc.Text())
			}
		default:
			return "", fmt.Errorf("a transcript runs meshc, echo $?, head -N FILE, ln -s TARGET NAME and cd DIR, not %q", cmd)
		}
		text := printed.String()
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		out.WriteString(text)
	}
	text := out.String()
	// The folder's path, as given and as the system resolves it.
	if real, err := filepath.EvalSymlinks(work); err == nil && real != work {
		text = strings.ReplaceAll(text, real, "$WORK")
	}
	return strings.ReplaceAll(text, work, "$WORK"), nil
}

// splitWords splits a command line into words as a shell does, for the
// simple lines the docs show: words separated by spaces, and '...' or
// "..." quoting.
func splitWords(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case ' ':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case '\'', '"':
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c", c)
			}
			w.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// rewriteTranscripts replaces each block that differs with what its
// commands print, keeping the rest of each doc as it is now.
func rewriteTranscripts(t *testing.T, all []*transcript) {
	byDoc := map[string][]*transcript{}
	for _, tr := range all {
		if tr.got != "" && tr.got != tr.text {
			byDoc[tr.path] = append(byDoc[tr.path], tr)
		}
	}
	for doc, trs := range byDoc {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		// From the last block up, so that the earlier ones keep their lines.
		for i := len(trs) - 1; i >= 0; i-- {
			tr := trs[i]
			if strings.Join(lines[tr.first-1:tr.last], "\n")+"\n" != tr.text {
				t.Fatalf("%s:%d: the block changed while the test ran; run it again", doc, tr.line)
			}
			got := strings.Split(strings.TrimSuffix(tr.got, "\n"), "\n")
			lines = append(lines[:tr.first-1], append(got, lines[tr.last:]...)...)
		}
		if err := os.WriteFile(doc, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %d transcripts of %s", len(trs), doc)
	}
}
