package load

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

type optionKind int

const (
	textOption optionKind = iota
	listOption
	numberOption
)

// targetOptions lists the settings of each target's block. The meaning of
// each setting, and the checks on its value, belong to the compiler.
var targetOptions = map[string]map[string]optionKind{
	"gitlab": {
		"granularity":       textOption,
		"trigger_strategy":  textOption,
		"job_limit":         numberOption,
		"mesh_dir":          textOption,
		"image":             textOption,
		"tags":              listOption,
		"vault_audience":    textOption,
		"vault_engine_path": textOption,
	},
}

// TargetNames returns the targets that have a target block, sorted.
func TargetNames() []string { return slices.Sorted(maps.Keys(targetOptions)) }

var jobTemplateSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "image"}, {Name: "script"}, {Name: "variables"},
}}

func targetSchema(options map[string]optionKind) *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "runner", LabelNames: []string{"name"}},
		{Type: "test"},
	}}
	for _, name := range slices.Sorted(maps.Keys(options)) {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: name})
	}
	return s
}

// target decodes a target block; it returns nil for an unknown target.
func (d *decoder) target(b *hcl.Block) *ast.Target {
	t := &ast.Target{DeclRange: rng(b.DefRange), Options: map[string]*ast.Option{}}
	t.Name, t.NameRange = label(b)
	options, ok := targetOptions[t.Name]
	if !ok {
		d.add(diag.Diagnostics{diag.Errorf("unknown-target", t.NameRange, "Unknown target",
			"There is no target %q: meshc has settings blocks for %s.%s", t.Name, strings.Join(TargetNames(), ", "), suggest.DidYouMean(t.Name, TargetNames()))})
		return nil
	}
	c := d.content(b.Body, targetSchema(options))
	for _, name := range slices.Sorted(maps.Keys(c.Attributes)) {
		attr := c.Attributes[name]
		o := &ast.Option{Name: name, Range: rng(attr.Range)}
		switch options[name] {
		case textOption:
			o.String = d.str(c, name, b.DefRange)
		case listOption:
			o.Strings = d.strs(c, name, b.DefRange)
		case numberOption:
			o.Number = d.number(c, name, b.DefRange)
		}
		t.Options[name] = o
	}
	for _, jb := range c.Blocks {
		j := d.jobTemplate(jb)
		if jb.Type == "runner" {
			t.Jobs = append(t.Jobs, j)
			continue
		}
		if t.Test != nil {
			d.add(diag.Diagnostics{diag.Errorf("duplicate-block", j.DeclRange, "Second test block",
				"A target block has one test block, already declared at %s. Merge the two.", t.Test.DeclRange)})
			continue
		}
		t.Test = j
	}
	return t
}

func (d *decoder) jobTemplate(b *hcl.Block) *ast.JobTemplate {
	c := d.content(b.Body, jobTemplateSchema)
	j := &ast.JobTemplate{DeclRange: rng(b.DefRange), NameRange: rng(b.DefRange)}
	if b.Type == "runner" {
		j.Runner, j.NameRange = label(b)
	}
	j.Image = d.str(c, "image", b.DefRange)
	j.Script = d.strs(c, "script", b.DefRange)
	j.Variables = optional(d, c, "variables", ast.StringMap{Range: rng(b.DefRange)}, decodeStringMap)
	return j
}

// decodeStringMap decodes an object of strings, such as { A = "x" }. Keys
// are written bare or quoted.
func decodeStringMap(attr *hcl.Attribute) (ast.StringMap, diag.Diagnostics) {
	out := ast.StringMap{Set: true, Range: rng(attr.Expr.Range())}
	pairs, hds := hcl.ExprMap(attr.Expr)
	if hds.HasErrors() {
		out.Bad = true
		return out, wrongType(attr, "a map of strings, like { NAME = \"value\" }", fmt.Errorf("it is not a map"))
	}
	var ds diag.Diagnostics
	for _, p := range pairs {
		key := hcl.ExprAsKeyword(p.Key)
		if key == "" {
			keyExpr := p.Key
			if k, ok := keyExpr.(*hclsyntax.ObjectConsKeyExpr); ok {
				keyExpr = k.Wrapped
			}
			v, d := constant(keyExpr)
			if d != nil || v.Type() != cty.String {
				ds = append(ds, diag.Errorf("wrong-type", rng(p.Key.Range()), "Invalid map key",
					"Each key of %q is a name, written bare or quoted, such as SNOWFLAKE_ROLE.", attr.Name))
				continue
			}
			key = v.AsString()
		}
		v, d := constant(p.Value)
		if d == nil && v.Type() != cty.String {
			d = diag.Diagnostics{diag.Errorf("wrong-type", rng(p.Value.Range()), "Incorrect map value",
				"Each value of %q is a quoted string; this one is %s.", attr.Name, ast.Describe(v))}
		}
		ds = append(ds, d...)
		if d == nil {
			out.Entries = append(out.Entries, ast.MapEntry{Key: key, KeyRange: rng(p.Key.Range()),
				Value: ast.String{V: v.AsString(), Set: true, Range: rng(p.Value.Range())}})
		}
	}
	out.Bad = len(ds) > 0
	return out, ds
}
