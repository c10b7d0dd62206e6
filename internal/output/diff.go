package output

import (
	"io"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// DiffTo writes what Write would change in dir to w as a unified diff
// ("--- a/PATH", "+++ b/PATH", /dev/null for a created or removed file),
// for meshc build --check, nothing when nothing would change. PATH is the
// file's path in dir, after prefix and a slash when prefix is not empty:
// a diff of several folders names each file with its folder. It reads
// only, but for the index, which may be nil, and learns what Write's
// would. It writes a file at a time, by path, each as soon
// as it and those before it are known, and reports whether any file
// differs. A new or removed file's diff is the whole file, so that the
// diff between two large meshes' folders is hundreds of megabytes: DiffTo
// holds only the few that the files compared at once run ahead of w.
//
// The first error by path, reading or rendering a file, stops it after
// the diffs of the files before that one; so does an error writing to w,
// which it returns as w gave it. Past the plan, it returns the Changes
// with any error, since they were known before the first diff.
func DiffTo(w io.Writer, dir, prefix, owner string, files []File, index *Index) (*Changes, bool, error) {
	p, err := makePlan(dir, owner, files, index)
	if err != nil {
		return nil, false, err
	}
	if prefix != "" {
		prefix += "/"
	}
	// The plan keeps no contents, so each file is read and rendered
	// again. They are compared in the order their diffs are printed,
	// by path, where Write renders them in the order the target gave
	// them: in the target's order, one diff at the end of the output
	// could hold back all the others. A target that renders files
	// together and did not keep them (gitlab.remade, in a large mesh)
	// renders each group twice when its files lie far apart by path.
	type change struct{ rel, oldName, newName string }
	var changes []change
	writes, create := p.writes()
	for _, rel := range writes {
		if create[rel] {
			changes = append(changes, change{rel, "/dev/null", "b/" + prefix + rel})
		} else {
			changes = append(changes, change{rel, "a/" + prefix + rel, "b/" + prefix + rel})
		}
	}
	for _, rel := range p.changes.Remove {
		changes = append(changes, change{rel, "a/" + prefix + rel, "/dev/null"})
	}
	slices.SortFunc(changes, func(a, b change) int { return strings.Compare(a.rel, b.rel) })

	differ := false
	err = inOrder(len(changes), FilesAtOnce(), func() func(int) ([]byte, error) {
		// Each file is read into the buffer of the one before it:
		// its diff holds none of its bytes.
		var buf []byte
		return func(i int) ([]byte, error) {
			c := changes[i]
			var oldData, newData []byte
			var err error
			if c.oldName != "/dev/null" {
				oldData, _, err = readRegular(p.abs(c.rel), buf)
				if oldData != nil {
					buf = oldData
				}
			}
			if err == nil && c.newName != "/dev/null" {
				newData, err = p.contents(c.rel)
			}
			if err != nil {
				return nil, err
			}
			if c.oldName != "/dev/null" && c.newName != "/dev/null" {
				oldData = asRendered(oldData, newData)
			}
			return diff.Diff(c.oldName, oldData, c.newName, newData), nil
		}
	}, func(d []byte) error {
		if len(d) == 0 {
			return nil
		}
		differ = true
		_, err := w.Write(d)
		return err
	})
	return &p.changes, differ, err
}
