package output

import (
	"bytes"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// Diff returns what Write would change in dir as a unified diff ("--- a/PATH",
// "+++ b/PATH", /dev/null for a created or removed file), for meshc build
// --check. The text is empty when nothing would change. Diff reads only.
func Diff(dir, owner string, files []File) ([]byte, *Changes, error) {
	p, err := makePlan(dir, owner, files)
	if err != nil {
		return nil, nil, err
	}
	type change struct{ rel, oldName, newName string }
	var changes []change
	for _, rel := range p.changes.Create {
		changes = append(changes, change{rel, "/dev/null", "b/" + rel})
	}
	for _, rel := range p.changes.Update {
		changes = append(changes, change{rel, "a/" + rel, "b/" + rel})
	}
	for _, rel := range p.changes.Remove {
		changes = append(changes, change{rel, "a/" + rel, "/dev/null"})
	}
	slices.SortFunc(changes, func(a, b change) int { return strings.Compare(a.rel, b.rel) })

	var out bytes.Buffer
	for _, c := range changes {
		// The plan keeps no contents: read and render each file again.
		var oldData, newData []byte
		if c.oldName != "/dev/null" {
			if _, oldData, err = readRegular(p.abs(c.rel)); err != nil {
				return nil, nil, err
			}
		}
		if c.newName != "/dev/null" {
			if newData, err = p.contents(c.rel); err != nil {
				return nil, nil, err
			}
		}
		out.Write(diff.Diff(c.oldName, oldData, c.newName, newData))
	}
	return out.Bytes(), &p.changes, nil
}
