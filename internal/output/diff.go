package output

import (
	"bytes"
	"slices"
	"strings"

	"github.com/meshc/meshc/internal/parallel"
	"github.com/rogpeppe/go-internal/diff"
)

// Diff returns what Write would change in dir as a unified diff ("--- a/PATH",
// "+++ b/PATH", /dev/null for a created or removed file), for meshc build
// --check. The text is empty when nothing would change. Diff reads only,
// but for the index, which may be nil, and learns what Write's would.
func Diff(dir, owner string, files []File, index *Index) ([]byte, *Changes, error) {
	p, err := makePlan(dir, owner, files, index)
	if err != nil {
		return nil, nil, err
	}
	// The plan keeps no contents, so each file is read and rendered
	// again, in the order the target gave them (removed files last), as
	// Write renders them; the diffs are printed by path.
	type change struct{ rel, oldName, newName string }
	var changes []change
	writes, create := p.writes()
	for _, rel := range writes {
		if create[rel] {
			changes = append(changes, change{rel, "/dev/null", "b/" + rel})
		} else {
			changes = append(changes, change{rel, "a/" + rel, "b/" + rel})
		}
	}
	for _, rel := range p.changes.Remove {
		changes = append(changes, change{rel, "a/" + rel, "/dev/null"})
	}
	diffs := make([][]byte, len(changes))
	errs := make([]error, len(changes))
	parallel.Blocking(len(changes), FilesAtOnce(), func(i int) {
		c := changes[i]
		var oldData, newData []byte
		var err error
		if c.oldName != "/dev/null" {
			oldData, _, err = readRegular(p.abs(c.rel), nil)
		}
		if err == nil && c.newName != "/dev/null" {
			newData, err = p.contents(c.rel)
		}
		diffs[i], errs[i] = diff.Diff(c.oldName, oldData, c.newName, newData), err
	})
	byPath := make([]int, len(changes))
	for i := range byPath {
		byPath[i] = i
	}
	slices.SortFunc(byPath, func(i, j int) int { return strings.Compare(changes[i].rel, changes[j].rel) })
	var out bytes.Buffer
	for _, i := range byPath {
		if errs[i] != nil {
			return nil, nil, errs[i] // the first by path
		}
		out.Write(diffs[i])
		diffs[i] = nil // a new file's diff is the whole file
	}
	return out.Bytes(), &p.changes, nil
}
