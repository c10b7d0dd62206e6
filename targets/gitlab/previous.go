package gitlab

import (
	"encoding/json"
	"fmt"
	"strings"
)

// SchedulesFile is the file of the output folder that lists the build's
// pipeline schedules, and names the build as they carry it
// (description_prefix).
const SchedulesFile = "schedules.json"

// PreviousBuild returns the mesh and the environment that a
// schedules.json was built for, as its description_prefix names them,
// so that a build can tell that the one before it had another name; ok is
// false when data holds no prefix meshc writes.
func PreviousBuild(schedules []byte) (mesh, env string, ok bool) {
	var doc struct {
		Prefix string `json:"description_prefix"`
	}
	if json.Unmarshal(schedules, &doc) != nil {
		return "", "", false
	}
	// "meshc MESH ENV: ", as descriptionPrefix writes it: the names hold
	// no space.
	words := strings.Fields(strings.TrimSuffix(doc.Prefix, ": "))
	if len(words) != 3 || words[0] != "meshc" || !strings.HasSuffix(doc.Prefix, ": ") {
		return "", "", false
	}
	return words[1], words[2], true
}

// LeftBehind says what the build of mesh in env leaves in the GitLab
// project once no build goes by that name (a renamed mesh or
// environment), and what to do about it.
func LeftBehind(mesh, env string) string {
	build := mesh + "/" + env
	return fmt.Sprintf("the GitLab pipeline schedules of %s (MESHC_BUILD %q, descriptions starting %q) stay in the project and run nothing, silently, "+
		"as the new build's jobs and the schedule sync script take them for another build's: delete them by hand (docs/targets/gitlab.md, Stale schedules)", build, build, descriptionPrefix(mesh, env))
}
