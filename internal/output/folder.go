package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A Location is where an output folder is, as the file system finds it:
// for meshc build to tell whether a folder reached through links, or given
// with .. from a current folder reached through one, is inside the
// repository, where a comparison of paths as written would be wrong both
// ways.
type Location struct {
	// Path is the folder's absolute path, with the symbolic links on
	// the way resolved as far as folders exist; the rest as given,
	// cleaned, as meshc would make it.
	Path string
	// Links are the symbolic links on the way, in order, each the
	// absolute path of the link itself (in a folder with no link on the
	// way). A link that a later .. steps back out of is not on the way.
	Links []string
}

// Locate finds the folder dir as the system does when meshc writes there.
// A relative dir is taken from the current folder as the system knows it,
// links resolved, and each .. steps out of the folder the path has reached
// so far, which after a link is inside the link's target, not beside the
// link (so Locate cannot start from filepath.Abs, which cleans the path as
// text). It fails only when the current folder cannot be found.
func Locate(dir string) (Location, error) {
	var loc Location
	cur := filepath.VolumeName(dir)
	rest := dir[len(cur):]
	switch {
	case filepath.IsAbs(dir):
		cur += string(filepath.Separator)
	case cur != "":
		// A relative path on another drive (Windows' C:x): the
		// system's own idea of that drive's current folder.
		abs, err := filepath.Abs(dir)
		if err != nil {
			return loc, err
		}
		return Locate(abs)
	default:
		wd, err := os.Getwd()
		if err != nil {
			return loc, err
		}
		if cur, err = filepath.EvalSymlinks(wd); err != nil {
			return loc, err
		}
	}
	missing := false     // past the part that exists: the rest is made as given
	var targets []string // where each of loc.Links leads
	for _, name := range splitPath(rest) {
		switch {
		case name == ".":
			continue
		case name == "..":
			cur = filepath.Dir(cur) // cur has no link on the way
			for len(targets) > 0 && !within(cur, targets[len(targets)-1]) {
				loc.Links, targets = loc.Links[:len(loc.Links)-1], targets[:len(targets)-1]
			}
			if len(loc.Links) == 0 {
				loc.Links = nil
			}
			continue
		}
		next := filepath.Join(cur, name)
		if !missing {
			info, err := os.Lstat(next)
			switch {
			case err != nil:
				missing = true // nothing there, or nothing to look into
			case info.Mode()&fs.ModeSymlink != 0:
				loc.Links = append(loc.Links, next)
				if target, err := filepath.EvalSymlinks(next); err == nil {
					next = target
					targets = append(targets, target)
				} else {
					missing = true // a broken link: checkFolder says so
				}
			}
		}
		cur = next
	}
	loc.Path = cur
	return loc, nil
}

// within reports whether the folder p is dir or inside it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// splitPath returns the names in a path without its volume, as written.
func splitPath(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return r < 0x80 && os.IsPathSeparator(uint8(r)) })
}

// checkFolder reports whether the output folder dir exists, or what stops
// meshc from writing there. It looks at dir as written, part by part, as
// the system will when Write makes it. The output folder itself may not be
// a symbolic link: its stale files would be removed from wherever the link
// points, outside the folder the build was given, and a link that a build
// follows silently is one that the next build may find pointing anywhere.
// It may be reached through one, which the user chose (/tmp on macOS, a
// folder shared between checkouts); but not through a broken link or a
// file, which the system would report as a mkdir or stat of the wrong
// path.
func checkFolder(dir string) (bool, error) { return walkFolder(dir, "output folder", false) }

// MakeFolder makes the folder dir, and the folders on the way to it that
// are missing, as mkdir -p does, for a file that a command writes there
// (manifest's and codeowners's --out), as Write makes an output folder. A
// broken symbolic link or a file on the way is named, as checkFolder names
// it, rather than left to the system's message about the wrong path. A
// link to a folder, dir itself included, is followed: only the file is
// written there, and nothing is removed.
func MakeFolder(dir string) error {
	if _, err := walkFolder(dir, "folder", true); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

// walkFolder reports whether the folder dir exists, or what stops meshc
// from making it: a broken link or a file on the way, or dir itself a
// file, or a link unless linkOK. what names dir in messages.
func walkFolder(dir, what string, linkOK bool) (bool, error) {
	walked := filepath.VolumeName(dir)
	rest := dir[len(walked):]
	if rest != "" && os.IsPathSeparator(rest[0]) {
		walked += string(filepath.Separator)
	}
	names := splitPath(rest)
	for i, name := range names {
		if walked != "" && !os.IsPathSeparator(walked[len(walked)-1]) {
			walked += string(filepath.Separator)
		}
		// Not filepath.Join, which would clean link/.. away as text:
		// the system steps out of the link's target.
		walked += name
		if name == "." || name == ".." {
			continue
		}
		last := i == len(names)-1
		info, err := os.Lstat(walked)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return false, nil // made with the rest
		case err != nil:
			return false, err
		case info.Mode()&fs.ModeSymlink != 0 && last && !linkOK:
			target, _ := os.Readlink(walked)
			return false, fmt.Errorf("%s %s is a symbolic link (to %s), and meshc never writes through links, so that it cannot write or remove files outside the folder it is given; choose as --out the folder the link points to, or replace the link with a folder", what, dir, target)
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(walked)
			switch to, err := os.Stat(walked); {
			case err != nil && last:
				return false, fmt.Errorf("%s %s is a symbolic link to %s, which does not exist; remove the link or choose another --out", what, dir, target)
			case err != nil:
				return false, fmt.Errorf("%s %s cannot be made: %s on the way is a symbolic link to %s, which does not exist; remove the link or choose another --out", what, dir, walked, target)
			case !to.IsDir() && last:
				return false, fmt.Errorf("%s %s is a symbolic link to %s, which is not a folder; remove the link or choose another --out", what, dir, target)
			case !to.IsDir():
				return false, fmt.Errorf("%s %s cannot be made: %s on the way is a symbolic link to %s, which is not a folder; remove the link or choose another --out", what, dir, walked, target)
			}
		case !info.IsDir() && last:
			return false, fmt.Errorf("%s %s is not a folder; move it away or choose another --out", what, dir)
		case !info.IsDir():
			return false, fmt.Errorf("%s %s cannot be made: %s on the way is not a folder; move it away or choose another --out", what, dir, walked)
		}
	}
	return true, nil
}
