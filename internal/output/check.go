package output

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// checkFiles reports every File that the output folder cannot hold safely,
// in one error. A rendered file's header is checked when it is rendered
// (plan.contents). A bad file is a bug in a target, but it is returned as an
// error rather than a panic because it is found while writing the user's
// output folder, and a crash there would help no one.
func checkFiles(owner string, files []File) error {
	var problems []string
	// By path, so that of paths that clash the first in order is named
	// first; files of one path clash whatever their order.
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })

	byKey := map[string]string{}    // folded path -> the path that has it
	dirByKey := map[string]string{} // folded folder -> a path inside it
	for _, f := range files {
		if reason := badPath(f.Path); reason != "" {
			problems = append(problems, fmt.Sprintf("%q %s", f.Path, reason))
			continue
		}
		switch {
		case f.Unchanged && f.Render == nil:
			problems = append(problems, fmt.Sprintf("%q is marked unchanged but cannot be rendered", f.Path))
		case f.Render == nil && !OwnedBy(f.Data, owner):
			problems = append(problems, unowned(f.Path, owner))
		}
		key := fold(f.Path)
		switch other, ok := byKey[key]; {
		case ok && other == f.Path:
			problems = append(problems, fmt.Sprintf("%q is listed twice", f.Path))
		case ok:
			problems = append(problems, fmt.Sprintf("%q and %q differ only in letter case, so they would be one file on macOS and Windows", other, f.Path))
		default:
			byKey[key] = f.Path
		}
		for dir := path.Dir(f.Path); dir != "."; dir = path.Dir(dir) {
			key := fold(dir)
			if _, ok := dirByKey[key]; ok {
				break // and so are the folders it is in
			}
			dirByKey[key] = f.Path
		}
	}
	for key, p := range byKey {
		if inside, ok := dirByKey[key]; ok {
			problems = append(problems, fmt.Sprintf("%q is a file, but %q needs it to be a folder", p, inside))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	problems = slices.Compact(problems)
	return fmt.Errorf("invalid generated files (a bug in the target):\n\t%s", strings.Join(problems, "\n\t"))
}

// badPath says what is wrong with a File.Path, or returns "".
func badPath(p string) string {
	switch {
	case p == "":
		return "is empty"
	case strings.ContainsRune(p, 0):
		return "contains a NUL byte"
	case strings.ContainsRune(p, '\\'):
		return "contains a backslash; paths are slash-separated"
	case strings.ContainsRune(p, ':'):
		// Windows reads a colon as a drive letter or a data stream name.
		return "contains a colon"
	case path.IsAbs(p):
		return "is absolute; paths are relative to the output folder"
	case slices.Contains(strings.Split(p, "/"), ".."):
		return "has a .. element, which could reach outside the output folder"
	case path.Clean(p) != p || p == ".":
		return "is not clean (no empty, . or trailing elements)"
	case slices.ContainsFunc(strings.Split(p, "/"), func(e string) bool { return strings.EqualFold(e, ".git") }):
		// Plan skips .git folders, so a file there could never be
		// found stale, and writing into a repository's metadata is
		// never what a target means.
		return "is inside a .git folder"
	case strings.EqualFold(p, LockName):
		// Plan never reads the build's lock (LockFolder).
		return "is the path of the build's lock file"
	}
	return ""
}

// unowned says that a file lacks its header. Without Marker and the
// owner, the next build would refuse to replace the file, and could never
// remove it.
func unowned(rel, owner string) string {
	return fmt.Sprintf("%q does not carry %q and %q in its first %d bytes", rel, Marker, OwnerLine(owner), markerWindow)
}

// fold maps paths that a case-insensitive file system (macOS, Windows)
// treats as the same to the same key.
func fold(p string) string { return strings.ToLower(p) }
