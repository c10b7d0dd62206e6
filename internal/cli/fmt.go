package cli

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshc/meshc/internal/atomicfile"
	"github.com/meshc/meshc/internal/lf"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/format"
	"github.com/meshc/meshc/lang/load"
	"github.com/rogpeppe/go-internal/diff"
)

func runFmt(e *env, args []string) int {
	var check, showDiff bool
	fs := flagSet(e, "fmt", "fmt [flags] [PATH...]",
		"Rewrites mesh files (mesh.hcl and *.mesh.hcl) in canonical format. A PATH is a\nfile or a folder, searched recursively; the default is the current folder.\nThe path - formats standard input to standard output.\nIt prints the name of each file it changes.")
	fs.BoolVar(&check, "check", false, "change nothing; list the files that are not formatted and exit 1 if there are any")
	fs.BoolVar(&showDiff, "diff", false, "print the changes as a unified diff")
	if code, done := parse(e, fs, args); done {
		return code
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if len(paths) == 1 && paths[0] == "-" {
		return fmtStdin(e, check, showDiff)
	}
	code := exitOK
	var files []string
	named := map[string]bool{} // each file once, however many paths name it
	for _, p := range paths {
		if p == "-" {
			return usageError(e, "fmt", "- formats standard input to standard output, so it is the only path given")
		}
		if _, err := os.Stat(p); err != nil {
			return usageError(e, "fmt", "%v", err)
		}
		found, err := meshFiles(p)
		if err != nil {
			fmt.Fprintf(e.stderr, "meshc fmt: %v\n", err)
			code = exitMesh
		}
		for _, f := range found {
			if clean := filepath.Clean(f); !named[clean] {
				named[clean] = true
				files = append(files, f)
			}
		}
	}
	formatted, warning := openFormatted(openCache(e))
	if warning != "" {
		fmt.Fprintf(e.stderr, "meshc: warning: %s\n", warning)
	}
	// Files are read and formatted on every core, then written and
	// reported one after the other, in order. A file that an earlier run
	// found formatted, byte for byte, is not formatted again.
	type formatting struct {
		old, formatted []byte
		sum            [sha256.Size]byte
		ds             diag.Diagnostics
		err            error
	}
	done := make([]formatting, len(files))
	parallel.For(len(files), func(i int) {
		f := &done[i]
		if f.old, f.err = os.ReadFile(files[i]); f.err != nil {
			return
		}
		if f.sum = sha256.Sum256(f.old); formatted.has(f.sum) {
			f.formatted = f.old
			return
		}
		f.formatted, f.ds = format.Source(f.old, filepath.ToSlash(files[i]))
	})
	var found [][sha256.Size]byte // the files found formatted
	var ds diag.Diagnostics
	src := diag.Sources{}
	for i, name := range files {
		old, fixed, fds, err := done[i].old, done[i].formatted, done[i].ds, done[i].err
		sum := done[i].sum
		done[i] = formatting{} // written or reported: let it go
		if err != nil {
			fmt.Fprintf(e.stderr, "meshc fmt: %v\n", err)
			code = exitMesh
			continue
		}
		display := filepath.ToSlash(name)
		if len(fds) > 0 {
			ds = append(ds, fds...)
			src[display] = old
			continue
		}
		if bytes.Equal(old, fixed) {
			found = append(found, sum)
			continue
		}
		if !check {
			if err := atomicfile.Replace(name, fixed); err != nil {
				fmt.Fprintf(e.stderr, "meshc fmt: %v\n", err)
				code = exitMesh
				continue
			}
		}
		fmt.Fprintln(e.stdout, display)
		if showDiff {
			e.stdout.Write(fmtDiff(display, old, fixed))
		}
		if check {
			code = exitMesh
		}
	}
	// Failing to keep them costs the next run only the formatting.
	formatted.save(found)
	if len(ds) > 0 {
		diag.WriteText(e.stderr, ds.Sorted(), src)
		return exitMesh
	}
	return code
}

// fmtStdin formats standard input. Without --check or --diff it prints the
// formatted text; with either, it reports on standard input as on a file
// named <stdin>, which it cannot rewrite: its name if it is not formatted,
// then with --diff the change, and with --check exit 1.
func fmtStdin(e *env, check, showDiff bool) int {
	const name = "<stdin>"
	old, err := io.ReadAll(e.stdin)
	if err != nil {
		fmt.Fprintf(e.stderr, "meshc fmt: %v\n", err)
		return exitMesh
	}
	formatted, ds := format.Source(old, name)
	if len(ds) > 0 {
		diag.WriteText(e.stderr, ds, diag.Sources{name: old})
		return exitMesh
	}
	if !check && !showDiff {
		e.stdout.Write(formatted)
		return exitOK
	}
	if bytes.Equal(old, formatted) {
		return exitOK
	}
	fmt.Fprintln(e.stdout, name)
	if showDiff {
		e.stdout.Write(fmtDiff(name, old, formatted))
	}
	if check {
		return exitMesh
	}
	return exitOK
}

// fmtDiff is the diff of the file name, old, formatted. Its control
// characters must not reach the terminal (diag.Printable), as in
// diagnostics; but as snippets show no CR of a CRLF line ending, a file
// whose lines all end in CRLF, as a checkout with git's core.autocrlf
// leaves it, and which fmt formats with CRLF, is compared with them as LF,
// rather than show ␍ at the end of every line. A file with other line
// endings shows its CRs, since what changed may be one: fmt ends a file's
// last line as its first.
func fmtDiff(name string, old, formatted []byte) []byte {
	if o, ends := lf.Read(slices.Clone(old)); ends.All {
		if f, ends := lf.Read(slices.Clone(formatted)); ends.All {
			old, formatted = o, f
		}
	}
	return diag.Printable(diff.Diff(name, old, name+" (formatted)", formatted))
}

// meshFiles lists the mesh files at a path: the file itself, or those in a
// folder tree, skipping hidden folders.
func meshFiles(root string) ([]string, error) {
	// A relative path is checked part by part, as written, so that
	// linkdir/payer and link/../x are refused too (the system resolves
	// link/.. inside the link's target); an absolute one may go through
	// system links (/tmp on macOS), which are not the mesh's business.
	if !filepath.IsAbs(root) {
		walked := ""
		parts := strings.Split(strings.TrimSuffix(filepath.ToSlash(root), "/"), "/")
		for _, part := range parts[:len(parts)-1] { // the last part is checked below

			walked = path.Join(walked, part)
			if walked == "" || part == "." || part == ".." {
				continue
			}
			if l, err := os.Lstat(filepath.FromSlash(walked)); err == nil && l.Mode()&fs.ModeSymlink != 0 {
				return nil, fmt.Errorf("%s goes through the symbolic link %s; meshc fmt does not follow links", root, walked)
			}
		}
	}
	info, err := os.Lstat(filepath.Clean(root)) // Clean: "link/" would follow the link
	if err != nil {
		return nil, err
	}
	if !info.IsDir() && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file or folder; meshc fmt does not follow links", root)
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var files []string
	var walkErr error
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			walkErr = errors.Join(walkErr, err) // report it, and format the rest
			return nil
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			if p != root && d.Name() == load.OutputFolder && isMeshRoot(filepath.Dir(p)) {
				return filepath.SkipDir // meshc build's, which meshc check does not read either
			}
			return nil
		}
		// Like meshc check, fmt reads only regular files in the tree: a
		// link would be replaced by a copy, and a device read forever.
		if d.Type().IsRegular() && (d.Name() == load.RootFile || strings.HasSuffix(d.Name(), load.FileSuffix)) {
			files = append(files, p)
		}
		return nil
	})
	return files, errors.Join(walkErr, err)
}

// isMeshRoot reports whether dir holds a mesh's root file, as a regular file.
func isMeshRoot(dir string) bool {
	info, err := os.Lstat(filepath.Join(dir, load.RootFile))
	return err == nil && info.Mode().IsRegular()
}
