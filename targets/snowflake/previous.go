package snowflake

import (
	"bytes"
	"fmt"
	"strings"
)

// PreviousBuild returns the mesh and the environment that a
// last/retired-graphs.sql (RetiredGraphs) was built for, as the marker
// of the graphs it drops names them ("[meshc MESH/ENV] "), so that a
// build can tell that the one before it had another name; ok is false
// when data holds no marker.
func PreviousBuild(retiredGraphs []byte) (mesh, env string, ok bool) {
	_, after, found := bytes.Cut(retiredGraphs, []byte("[meshc "))
	if !found {
		return "", "", false
	}
	// Mesh names hold neither space nor "/" nor "]" (marker).
	build, _, found := strings.Cut(string(after), "] ")
	if !found || strings.ContainsAny(build, " \n") {
		return "", "", false
	}
	mesh, env, found = strings.Cut(build, "/")
	if !found || mesh == "" || env == "" {
		return "", "", false
	}
	return mesh, env, true
}

// LeftBehind says what the build of mesh in env leaves in Snowflake once
// no build goes by that name (a renamed mesh or environment), and what to
// do about it.
func LeftBehind(mesh, env string) string {
	build := mesh + "/" + env
	return fmt.Sprintf("the task graphs deployed for %s (their roots' comments start \"%s \") stay in Snowflake and keep running on their schedules, "+
		"as the new build's retired-graphs.sql looks only for its own: once the new scripts have run, drop them as docs/targets/snowflake.md says (Graphs left in an old database or by a renamed environment)", build, marker(mesh, env))
}
