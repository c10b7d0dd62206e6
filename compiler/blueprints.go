package compiler

import "slices"

// blueprintFiles sets the BlueprintFiles of every domain and product of
// the plan: the files of the blueprints loading merged into it, nearest
// first, each once. Plan.SourceFiles names them in generated files'
// headers, since an owner, a description, tags or a layer that a
// blueprint gives reaches the targets with no range of its own. An
// object's blueprints are the chain of its nearest one, so the objects
// that extend one blueprint share one list, made once: at 100,000
// products, which most often extend one of a few blueprints, that is a
// map lookup each.
func (c *compiler) blueprintFiles() {
	fileOf := map[string]string{}
	for _, bp := range c.mesh.Blueprints {
		if _, dup := fileOf[bp.Name]; !dup { // a second of one name is reported; loading uses the first
			fileOf[bp.Name] = bp.DeclRange.Filename()
		}
	}
	if len(fileOf) == 0 {
		return
	}
	chains := map[string][]string{} // by the nearest blueprint's name
	filesOf := func(blueprints []string) []string {
		if len(blueprints) == 0 {
			return nil
		}
		files, done := chains[blueprints[0]]
		if !done {
			for _, name := range blueprints {
				if f := fileOf[name]; f != "" && !slices.Contains(files, f) {
					files = append(files, f)
				}
			}
			chains[blueprints[0]] = files
		}
		return files
	}
	for _, ds := range c.domainList {
		ds.plan.BlueprintFiles = filesOf(ds.ast.Blueprints)
	}
	for _, ps := range c.products {
		ps.plan.BlueprintFiles = filesOf(ps.blueprints)
	}
}
