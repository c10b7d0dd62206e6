package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A Location is where a folder is, as the file system finds it: for meshc
// build to tell whether a folder reached through links, or given with ..
// from a current folder reached through one, is inside the repository,
// where a comparison of paths as written would be wrong both ways; and
// what stops meshc from making the folder or writing there (check).
type Location struct {
	// Path is the folder's absolute path, with the symbolic links on
	// the way resolved as far as folders exist; the rest as given,
	// cleaned, as meshc would make it.
	Path string
	// Links are the symbolic links on the way, in order, each the
	// absolute path of the link itself (in a folder with no link on the
	// way). A link that a later .. steps back out of is not on the way.
	Links []string

	exists    bool   // the folder is there: a folder, or a link to one
	link      bool   // the folder itself is a symbolic link
	linkTo    string // where it leads, as the link says
	blockedBy *block // the first thing in the way of making it; nil for none
}

// A block is what stops the system from making a folder on the way to
// one meshc writes in, or the folder itself.
type block struct {
	at     string // the path as written, up to what is in the way
	last   bool   // it is the folder itself
	linkTo string // where it leads, when it is a symbolic link
	broken bool   // the link leads nowhere
	err    error  // the system could not look at it
}

// Locate finds the folder dir as the system does when meshc writes there.
// A relative dir is taken from the current folder as the system knows it,
// links resolved, and each .. steps out of the folder the path has reached
// so far, which after a link is inside the link's target, not beside the
// link (so Locate cannot start from filepath.Abs, which cleans the path as
// text). It fails only when the current folder cannot be found.
//
// It looks at each part once, as the system will when meshc makes the
// folder, and keeps what checkFolder and MakeFolder report: the first file
// or broken link on the way, and whether the folder itself is a link.
func Locate(dir string) (Location, error) {
	var loc Location
	vol := filepath.VolumeName(dir)
	rest := dir[len(vol):]
	cur := vol
	written := vol // the path as the user wrote it, for messages
	if rest != "" && os.IsPathSeparator(rest[0]) {
		written += string(filepath.Separator)
	}
	switch {
	case filepath.IsAbs(dir):
		cur += string(filepath.Separator)
	default:
		// A relative path, on this drive or on another (Windows' C:x,
		// from the system's own idea of that drive's current folder).
		wd, err := filepath.Abs(vol)
		if err != nil {
			return loc, err
		}
		if cur, err = filepath.EvalSymlinks(wd); err != nil {
			return loc, err
		}
	}
	missing := false     // past the part that exists: the rest is made as given
	var targets []string // where each of loc.Links leads
	names := splitPath(rest)
	for i, name := range names {
		if written != "" && !os.IsPathSeparator(written[len(written)-1]) {
			written += string(filepath.Separator)
		}
		// Not filepath.Join, which would clean link/.. away as text:
		// the system steps out of the link's target.
		written += name
		switch name {
		case ".":
			continue
		case "..":
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
			last := i == len(names)-1
			info, err := os.Lstat(next)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				missing = true // made with the rest
			case err != nil:
				missing, loc.blockedBy = true, &block{at: written, last: last, err: err}
			case info.Mode()&fs.ModeSymlink != 0:
				loc.Links = append(loc.Links, next)
				linkTo, _ := os.Readlink(next)
				if last {
					loc.link, loc.linkTo = true, linkTo
				}
				target, err := filepath.EvalSymlinks(next)
				if err != nil {
					missing, loc.blockedBy = true, &block{at: written, last: last, linkTo: linkTo, broken: true}
					break
				}
				next = target
				targets = append(targets, target)
				if to, err := os.Stat(target); err != nil || !to.IsDir() {
					missing, loc.blockedBy = true, &block{at: written, last: last, linkTo: linkTo}
				}
			case !info.IsDir():
				missing, loc.blockedBy = true, &block{at: written, last: last}
			}
		}
		cur = next
	}
	loc.Path = cur
	loc.exists = !missing
	return loc, nil
}

// check reports whether the folder exists, or what stops meshc from
// making it or writing there: a file or a broken symbolic link on the
// way, the folder itself a file, or a link unless linkOK. dir is the
// folder as the user gave it and what names it, for messages.
func (loc Location) check(dir, what string, linkOK bool) (bool, error) {
	b := loc.blockedBy
	switch {
	case loc.link && !linkOK:
		return false, fmt.Errorf("%s %s is a symbolic link (to %s), and meshc never writes through links, so that it cannot write or remove files outside the folder it is given; choose as --out the folder the link points to, or replace the link with a folder", what, dir, loc.linkTo)
	case b == nil:
		return loc.exists, nil
	case b.err != nil:
		return false, b.err
	}
	var is, fix string
	switch {
	case b.broken:
		is, fix = "a symbolic link to "+b.linkTo+", which does not exist", "remove the link"
	case b.linkTo != "":
		is, fix = "a symbolic link to "+b.linkTo+", which is not a folder", "remove the link"
	default:
		is, fix = "not a folder", "move it away"
	}
	if b.last {
		return false, fmt.Errorf("%s %s is %s; %s or choose another --out", what, dir, is, fix)
	}
	return false, fmt.Errorf("%s %s cannot be made: %s on the way is %s; %s or choose another --out", what, dir, b.at, is, fix)
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
// the system will when Write makes it (Locate). The output folder itself
// may not be a symbolic link: its stale files would be removed from
// wherever the link points, outside the folder the build was given, and a
// link that a build follows silently is one that the next build may find
// pointing anywhere. It may be reached through one, which the user chose
// (/tmp on macOS, a folder shared between checkouts); but not through a
// broken link or a file, which the system would report as a mkdir or stat
// of the wrong path.
func checkFolder(dir string) (bool, error) {
	loc, err := Locate(dir)
	if err != nil {
		return false, err
	}
	return loc.check(dir, "output folder", false)
}

// MakeFolder makes the folder dir, and the folders on the way to it that
// are missing, as mkdir -p does, for a file that a command writes there
// (manifest's and codeowners's --out), as Write makes an output folder. A
// broken symbolic link or a file on the way is named, as checkFolder names
// it, rather than left to the system's message about the wrong path. A
// link to a folder, dir itself included, is followed: only the file is
// written there, and nothing is removed.
func MakeFolder(dir string) error {
	loc, err := Locate(dir)
	if err != nil {
		return err
	}
	if _, err := loc.check(dir, "folder", true); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}
