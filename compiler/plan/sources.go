package plan

import "slices"

// SourceFiles returns the mesh files that a generated file about products
// comes from, relative to the mesh root, sorted, for its header: mesh.hcl
// (with the environment), the target block's file, and for each product
// its file, its domain's, those of the blueprints it and its domain
// extend (whatever they give: an owner, a description, tags, steps,
// tests, a schedule, an SLA, a layer), those of the sources and products
// it reads, of the products its tests compare with and of their test
// kinds, and of the runners and secrets its steps use. extra are more
// files, by their names in ranges.
func (p *Plan) SourceFiles(target *Target, products []*Product, extra ...string) []string {
	files := append([]string{p.Range.Filename()}, extra...)
	if target != nil {
		files = append(files, target.Range.Filename())
	}
	for _, pr := range products {
		files = append(files, pr.Range.Filename(), pr.Domain.Range.Filename(), pr.Schedule.Range.Filename())
		files = append(files, pr.BlueprintFiles...)
		files = append(files, pr.Domain.BlueprintFiles...)
		if pr.SLA != nil {
			files = append(files, pr.SLA.Range.Filename())
		}
		for _, in := range pr.Inputs {
			if in.Source != nil {
				files = append(files, in.Source.Range.Filename())
			} else {
				files = append(files, in.Producer.Range.Filename())
			}
		}
		for _, t := range pr.Tests {
			files = append(files, t.Range.Filename()) // a blueprint's, for inherited tests
			if f, ok := p.KindFiles[t.Kind]; ok {
				files = append(files, f)
			}
			for _, ref := range t.References {
				files = append(files, ref.Product.Range.Filename())
			}
		}
		for _, s := range pr.Steps {
			files = append(files, s.Range.Filename())
			if !s.Runner.Stdlib {
				files = append(files, s.Runner.Range.Filename())
			}
			for _, a := range s.Args {
				if a.Secret != nil {
					files = append(files, a.Secret.Range.Filename())
				}
			}
		}
	}
	if len(files) > manyFiles {
		// Most names recur (a domain's file, once per product): sorting
		// only the distinct ones matters for a pipeline of the whole mesh.
		seen := make(map[string]bool, len(files)/8)
		distinct := files[:0]
		for _, f := range files {
			if !seen[f] {
				seen[f] = true
				distinct = append(distinct, f)
			}
		}
		files = distinct
	}
	for i, f := range files {
		files[i] = p.Rel(f)
	}
	slices.Sort(files)
	files = slices.Compact(files)
	if len(files) > 0 && files[0] == "" {
		files = files[1:]
	}
	return files
}

// manyFiles is the number of names past which SourceFiles drops repeated
// names before sorting rather than after.
const manyFiles = 256

// StepFiles returns the files that steps of products pass as file
// arguments, by their names in ranges (with the mesh's prefix), for the
// steps whose runner inlines reports true: a target that copies a step's
// SQL into what it generates names those files among its sources.
func (p *Plan) StepFiles(products []*Product, inlines func(runner string) bool) []string {
	var files []string
	for _, pr := range products {
		for _, s := range pr.Steps {
			if !inlines(s.Runner.Name) {
				continue
			}
			for _, a := range s.Args {
				if a.Type == "file" {
					files = append(files, p.Prefix+a.String)
				}
			}
		}
	}
	return files
}
