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

// targetBlock is what one target's block holds. The meaning of each
// setting, and the checks on its value, belong to the compiler.
type targetBlock struct {
	options map[string]optionKind
	// jobAttributes are the settings of its runner blocks (and test block).
	jobAttributes []string
	test          bool // whether it has a test block
}

var targetBlocks = map[string]targetBlock{
	"gitlab": {
		options: map[string]optionKind{
			"granularity":       textOption,
			"trigger_strategy":  textOption,
			"job_limit":         numberOption,
			"schedule_limit":    numberOption,
			"mesh_dir":          textOption,
			"image":             textOption,
			"tags":              listOption,
			"vault_audience":    textOption,
			"vault_engine_path": textOption,
			"timeout":           textOption,
		},
		jobAttributes: []string{"image", "script", "variables"},
		test:          true,
	},
	"airflow": {
		options: map[string]optionKind{
			"version":         numberOption,
			"conn_id":         textOption,
			"mesh_path":       textOption,
			"max_active_runs": numberOption,
			"tags":            listOption,
			"timeout":         textOption,
		},
		// Tests always run as SQL check operators: no test block.
		jobAttributes: []string{"operator", "script", "variables"},
	},
	"snowflake": {
		options: map[string]optionKind{
			"compute":                    textOption,
			"warehouse":                  textOption,
			"initial_warehouse_size":     textOption,
			"target_completion_interval": textOption,
			"suspend_after_failures":     numberOption,
			"timeout":                    textOption,
			"overlap_policy":             textOption,
			"dbt_project":                textOption,
			"secrets_schema":             textOption,
		},
		// Tests always run as Snowflake Scripting blocks: no test block.
		jobAttributes: []string{"kind", "sql"},
	},
}

// TargetNames returns the targets that have a target block, sorted.
func TargetNames() []string { return slices.Sorted(maps.Keys(targetBlocks)) }

func (tb targetBlock) schema() *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "runner", LabelNames: []string{"name"}}}}
	if tb.test {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: "test"})
	}
	for _, name := range slices.Sorted(maps.Keys(tb.options)) {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: name})
	}
	return s
}

// target decodes a target block; it returns nil for an unknown target.
func (d *decoder) target(b *hcl.Block) *ast.Target {
	t := &ast.Target{DeclRange: d.rng(b.DefRange), Options: map[string]*ast.Option{}}
	t.Name, t.NameRange = d.label(b)
	tb, ok := targetBlocks[t.Name]
	if !ok {
		d.add(diag.Diagnostics{diag.Errorf("unknown-target", t.NameRange, "Unknown target",
			"There is no target %q: meshc has settings blocks for %s.%s", t.Name, strings.Join(TargetNames(), ", "), suggest.DidYouMean(t.Name, TargetNames()))})
		return nil
	}
	c := d.content(b.Body, tb.schema())
	for _, name := range slices.Sorted(maps.Keys(c.Attributes)) {
		attr := c.Attributes[name]
		o := &ast.Option{Name: name, Range: d.rng(attr.Range)}
		switch tb.options[name] {
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
		j := d.jobTemplate(jb, tb.jobAttributes)
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

func (d *decoder) jobTemplate(b *hcl.Block, attributes []string) *ast.JobTemplate {
	schema := &hcl.BodySchema{}
	for _, name := range attributes {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: name})
	}
	c := d.content(b.Body, schema)
	j := &ast.JobTemplate{DeclRange: d.rng(b.DefRange), NameRange: d.rng(b.DefRange)}
	if b.Type == "runner" {
		j.Runner, j.NameRange = d.label(b)
	}
	j.Image = d.str(c, "image", b.DefRange)
	j.Operator = d.str(c, "operator", b.DefRange)
	j.Kind = d.str(c, "kind", b.DefRange)
	j.SQL = d.str(c, "sql", b.DefRange)
	j.Script = d.strs(c, "script", b.DefRange)
	j.Operator.Bad = j.Operator.Bad || d.misspelt("operator", j.Operator.Set)
	j.Kind.Bad = j.Kind.Bad || d.misspelt("kind", j.Kind.Set)
	j.SQL.Bad = j.SQL.Bad || d.misspelt("sql", j.SQL.Set)
	j.Script.Bad = j.Script.Bad || d.misspelt("script", j.Script.Set)
	j.Variables = optional(d, c, "variables", ast.StringMap{Range: d.rng(b.DefRange)}, (*decoder).decodeStringMap)
	return j
}

// decodeStringMap decodes an object of strings, such as { A = "x" }. Keys
// are written bare or quoted.
func (d *decoder) decodeStringMap(attr *hcl.Attribute) (ast.StringMap, diag.Diagnostics) {
	out := ast.StringMap{Set: true, Range: d.rng(attr.Expr.Range())}
	pairs, hds := hcl.ExprMap(attr.Expr)
	if hds.HasErrors() {
		out.Bad = true
		return out, d.wrongType(attr, "a map of strings, like { NAME = \"value\" }", fmt.Errorf("it is not a map"))
	}
	var ds diag.Diagnostics
	for _, p := range pairs {
		key := hcl.ExprAsKeyword(p.Key)
		if key == "" {
			keyExpr := p.Key
			if k, ok := keyExpr.(*hclsyntax.ObjectConsKeyExpr); ok {
				keyExpr = k.Wrapped
			}
			v, problems := d.constant(keyExpr)
			if problems != nil || v.Type() != cty.String {
				ds = append(ds, diag.Errorf("wrong-type", d.rng(p.Key.Range()), "Invalid map key",
					"Each key of %q is a name, written bare or quoted, such as SNOWFLAKE_ROLE.", attr.Name))
				continue
			}
			key = v.AsString()
		}
		v, problems := d.constant(p.Value)
		if problems == nil && v.Type() != cty.String {
			problems = diag.Diagnostics{diag.Errorf("wrong-type", d.rng(p.Value.Range()), "Incorrect map value",
				"Each value of %q is a quoted string; this one is %s.", attr.Name, ast.Describe(v))}
		}
		ds = append(ds, problems...)
		if problems == nil {
			out.Entries = append(out.Entries, ast.MapEntry{Key: key, KeyRange: d.rng(p.Key.Range()),
				Value: ast.String{V: v.AsString(), Set: true, Range: d.rng(p.Value.Range())}})
		}
	}
	out.Bad = len(ds) > 0
	return out, ds
}
