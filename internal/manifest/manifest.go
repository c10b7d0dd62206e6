// Package manifest builds the catalog of a checked mesh that meshc
// manifest writes as JSON: its domains, sources and products, with each
// product's ports and their schemas, owners, lineage, tests, schedule,
// SLA and generated files, and the governance policies with what they
// found. Data catalogs load it, and it answers the seeds' "domain query"
// (what does this domain publish, who reads it, who owns it) without
// parsing HCL.
//
// The format is versioned: Version changes when a field is removed or
// changes meaning, and docs/manifest.schema.json describes it.
package manifest

import (
	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/targets/airflow"
	"github.com/meshc/meshc/targets/gitlab"
	"github.com/meshc/meshc/targets/snowflake"
)

// Version is the manifest format's version.
const Version = 1

// SchemaID identifies the JSON Schema of this version.
const SchemaID = "https://meshc.dev/schemas/manifest/v1.json"

// Manifest is the catalog.
type Manifest struct {
	Schema          string     `json:"$schema"`
	ManifestVersion int        `json:"manifest_version"`
	GeneratedBy     string     `json:"generated_by"`
	Mesh            Mesh       `json:"mesh"`
	Domains         []Domain   `json:"domains"`
	Sources         []Source   `json:"sources"`
	Products        []Product  `json:"products"`
	Policies        []Policy   `json:"policies"`
	Generated       Generation `json:"generated"`
}

// Mesh describes the mesh and the environment names are mapped for.
type Mesh struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Owner       string   `json:"owner,omitempty"` // the platform team, who owns the shared files
	Environment string   `json:"environment"`
	Database    string   `json:"database,omitempty"`
	Layers      []string `json:"layers"`
}

// Domain is a team's area.
type Domain struct {
	Name        string   `json:"name"`
	Owner       string   `json:"owner"`
	Description string   `json:"description,omitempty"`
	Layer       string   `json:"layer,omitempty"`
	Schema      string   `json:"schema"`
	Folder      string   `json:"folder"`
	Products    []string `json:"products"`
	Sources     []string `json:"sources"`
}

// Source is raw data a domain reads.
type Source struct {
	ID             string   `json:"id"`
	Domain         string   `json:"domain"`
	Description    string   `json:"description,omitempty"`
	Cadence        string   `json:"cadence"` // as Schedule's
	Table          string   `json:"table"`
	Classification string   `json:"classification,omitempty"`
	Columns        []Column `json:"columns"`
	Readers        []string `json:"readers"`
}

// Column is a column of a port or a source.
type Column struct {
	Name           string `json:"name"`
	Type           string `json:"type"`
	Nullable       bool   `json:"nullable"`
	Classification string `json:"classification,omitempty"`
	Masking        string `json:"masking,omitempty"`
	Description    string `json:"description,omitempty"`
}

// Product is a data product.
type Product struct {
	ID          string       `json:"id"`
	Domain      string       `json:"domain"`
	Name        string       `json:"name"`
	Version     string       `json:"version"`
	Owner       string       `json:"owner"`
	Description string       `json:"description,omitempty"`
	Tags        []string     `json:"tags"`
	File        string       `json:"file"`
	Schedule    Schedule     `json:"schedule"`
	SLA         *SLA         `json:"sla"`
	Deprecation *Deprecation `json:"deprecation"`
	Inputs      []Input      `json:"inputs"`
	Ports       []Port       `json:"ports"`
	Steps       []Step       `json:"steps"`
	Tests       []Test       `json:"tests"`
	Upstreams   []string     `json:"upstreams"`
	Downstreams []string     `json:"downstreams"`
	Generated   Files        `json:"generated"`
}

// Schedule is when a product runs. Cadence is plan.Cadence's String: the
// keyword, or "cron 0 6 * * 1-5" for a cron expression, a prefix that
// tells the two apart in sources' cadences too, which have no Cron. Cron
// is the expression alone, a keyword's equivalent for a keyword, for
// tools that schedule by cron.
type Schedule struct {
	Cadence  string `json:"cadence,omitempty"`
	Cron     string `json:"cron,omitempty"`
	OnInputs bool   `json:"on_inputs"`
	Timezone string `json:"timezone"`
}

// SLA is a product's freshness promise.
type SLA struct {
	Freshness        string `json:"freshness"` // such as 2d
	FreshnessSeconds int64  `json:"freshness_seconds"`
}

// Deprecation announces a product's end.
type Deprecation struct {
	Date    string `json:"date"`
	Message string `json:"message"`
}

// Input is what a product reads.
type Input struct {
	Name    string   `json:"name"`
	Source  string   `json:"source,omitempty"`
	Port    string   `json:"port,omitempty"`
	Columns []string `json:"columns"`
}

// Port is a published table or view.
type Port struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Table       string   `json:"table"`
	Visibility  string   `json:"visibility"`
	Description string   `json:"description,omitempty"`
	Columns     []Column `json:"columns"`
	Consumers   []string `json:"consumers"`
}

// Step is a unit of work building a product.
type Step struct {
	Name   string   `json:"name"`
	Runner string   `json:"runner"`
	After  []string `json:"after"`
}

// Test is a data test.
type Test struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Severity    string `json:"severity"`
	Port        string `json:"port,omitempty"`
	Column      string `json:"column,omitempty"`
	Description string `json:"description,omitempty"`
}

// Files are where each target writes a product, relative to the target's
// output folder.
type Files struct {
	GitLab    string       `json:"gitlab"`    // the child pipeline
	Airflow   AirflowDAG   `json:"airflow"`   // the DAG
	Snowflake SnowflakeDAG `json:"snowflake"` // the task graph
}

// AirflowDAG locates a product's DAG.
type AirflowDAG struct {
	File  string `json:"file"`
	DagID string `json:"dag_id"`
}

// SnowflakeDAG locates a product's task graph.
type SnowflakeDAG struct {
	File     string `json:"file"`
	RootTask string `json:"root_task"`
}

// Generation says which output folders the generated paths are relative
// to.
type Generation struct {
	GitLab    string `json:"gitlab"`
	Airflow   string `json:"airflow"`
	Snowflake string `json:"snowflake"`
}

// Policy is a governance policy and what it found. A waiver that names an
// object without exempting it is not listed: a mesh with errors has no
// manifest, and every such waiver but one is an error of its own (refused,
// expired, of a hard-mandatory policy); the one left, a waiver of an
// advisory policy (the warning waiver-level), changes nothing a catalog
// shows, its object being among the violations all the same. What a
// catalog shows is what is in force; waivers written in vain are for the
// mesh's authors, whom meshc check tells.
type Policy struct {
	Name        string   `json:"name"`
	Domain      string   `json:"domain,omitempty"`
	Set         string   `json:"set,omitempty"`
	Enforcement string   `json:"enforcement"`
	On          string   `json:"on"`
	Active      bool     `json:"active"`
	Applied     int      `json:"applied"`
	Violations  []string `json:"violations"`
	Waived      []Waived `json:"waived"`
}

// Waived is an object a waiver exempts from a policy. Expiring is true
// when the waiver lapses within the notice of the warning waiver-expiring
// (14 days after today, or --today), after which the object's violation
// fails the check: a catalog can flag the exemption as about to end by
// meshc's own rule, without a date computation of its own.
type Waived struct {
	Object   string `json:"object"`
	Waiver   string `json:"waiver"`
	Approver string `json:"approver"`
	Expires  string `json:"expires"`
	Expiring bool   `json:"expiring"`
}

// Options are where the targets write, relative to the mesh root, and the
// build's settings that decide file names.
type Options struct {
	Version string // meshc's version, for generated_by
	// Granularity is the gitlab build's --granularity, which names its
	// child pipelines; "" for the mesh's granularity setting.
	Granularity string
	Out         Generation
}

// Build makes the manifest of a checked mesh.
func Build(res *compiler.Result, o Options) *Manifest {
	p := res.Plan
	m := &Manifest{
		Schema:          SchemaID,
		ManifestVersion: Version,
		GeneratedBy:     "meshc " + o.Version,
		Mesh: Mesh{Name: p.Name, Description: p.Description, Owner: p.Owner, Environment: p.Environment.Name,
			Database: p.Environment.Database, Layers: nonNil(p.Layers)},
		Generated: o.Out,
		Domains:   []Domain{}, Sources: []Source{}, Products: []Product{},
	}
	for _, d := range p.Domains {
		md := Domain{Name: d.Name, Owner: d.Owner, Description: d.Description, Layer: d.Layer,
			Schema: p.Environment.SchemaPrefix + d.Schema, Folder: d.Dir, Products: []string{}, Sources: []string{}}
		for _, pr := range d.Products {
			md.Products = append(md.Products, pr.ID)
		}
		for _, s := range d.Sources {
			md.Sources = append(md.Sources, s.ID)
		}
		m.Domains = append(m.Domains, md)
	}
	readers := map[*plan.Source][]string{}
	for _, pr := range p.Products {
		for _, in := range pr.Inputs {
			if in.Source != nil {
				readers[in.Source] = append(readers[in.Source], pr.ID)
			}
		}
	}
	for _, s := range p.Sources {
		m.Sources = append(m.Sources, Source{ID: s.ID, Domain: s.Domain.Name, Description: s.Description, Cadence: s.Cadence.String(),
			Table: s.Table.String(), Classification: s.Classification, Columns: columns(s.Columns), Readers: nonNil(readers[s])})
	}
	// A child pipeline's file is named from the output folder, wherever
	// the folder and the mesh are in the repository, which the manifest
	// does not say (its folders are from the mesh root): placed at the
	// root, where nothing stops a build from writing them, they are named
	// as anywhere else.
	gitlabFiles := gitlab.ProductFiles(p, gitlab.Options{OutDir: ".", MeshDir: ".", Granularity: o.Granularity})
	for _, pr := range p.Products {
		m.Products = append(m.Products, product(p, pr, gitlabFiles[pr.ID]))
	}
	for _, po := range res.Policies {
		mp := Policy{Name: po.Name, Domain: po.Domain, Set: po.Set, Enforcement: po.Enforcement, On: po.On, Active: po.Active,
			Applied: po.Applied, Violations: []string{}, Waived: []Waived{}}
		for _, v := range po.Violations {
			mp.Violations = append(mp.Violations, v.ID)
		}
		for _, w := range po.Waived {
			mp.Waived = append(mp.Waived, Waived{Object: w.ID, Waiver: w.Waiver, Approver: w.Approver, Expires: w.Expires, Expiring: w.Expiring})
		}
		m.Policies = append(m.Policies, mp)
	}
	if m.Policies == nil {
		m.Policies = []Policy{}
	}
	return m
}

func product(p *plan.Plan, pr *plan.Product, gitlabFile string) Product {
	mp := Product{ID: pr.ID, Domain: pr.Domain.Name, Name: pr.Name, Version: pr.Version, Owner: pr.Owner,
		Description: pr.Description, Tags: nonNil(pr.Tags), File: p.Rel(pr.Range.Filename()),
		Schedule: Schedule{OnInputs: pr.Schedule.OnInputs, Timezone: pr.Schedule.Timezone},
		Inputs:   []Input{}, Ports: []Port{}, Steps: []Step{}, Tests: []Test{},
		Upstreams: ids(pr.Upstreams), Downstreams: ids(pr.Downstreams)}
	if c := pr.Schedule.Cadence; c != nil {
		mp.Schedule.Cadence, mp.Schedule.Cron = c.String(), c.Cron
	}
	if pr.SLA != nil {
		mp.SLA = &SLA{Freshness: plan.FormatDuration(pr.SLA.Freshness), FreshnessSeconds: int64(pr.SLA.Freshness.Seconds())}
	}
	if d := pr.Deprecation; d != nil {
		mp.Deprecation = &Deprecation{Date: d.Date, Message: d.Message}
	}
	for _, in := range pr.Inputs {
		mi := Input{Name: in.Name, Columns: []string{}}
		if in.Source != nil {
			mi.Source = in.Source.ID
		} else {
			mi.Port = in.Port.ID
		}
		for _, c := range in.Columns {
			mi.Columns = append(mi.Columns, c.Name)
		}
		mp.Inputs = append(mp.Inputs, mi)
	}
	for _, port := range pr.Ports {
		mp.Ports = append(mp.Ports, Port{ID: port.ID, Name: port.Name, Kind: port.Kind, Table: port.Object.String(), Visibility: port.Visibility,
			Description: port.Description, Columns: columns(port.Columns), Consumers: ids(port.Consumers)})
	}
	for _, s := range pr.Steps {
		ms := Step{Name: s.Name, Runner: s.Runner.Name, After: []string{}}
		for _, a := range s.After {
			ms.After = append(ms.After, a.Name)
		}
		mp.Steps = append(mp.Steps, ms)
	}
	for _, t := range pr.Tests {
		mt := Test{ID: t.ID, Kind: t.Kind, Severity: t.Severity, Description: t.Description}
		if t.Port != nil {
			mt.Port = t.Port.ID
		}
		if t.Column != nil {
			mt.Column = t.Column.Name
		}
		mp.Tests = append(mp.Tests, mt)
	}
	mp.Generated.GitLab = gitlabFile
	mp.Generated.Airflow.File, mp.Generated.Airflow.DagID = airflow.DAG(pr)
	mp.Generated.Snowflake.File, mp.Generated.Snowflake.RootTask = snowflake.Graph(p, pr)
	return mp
}

func columns(cols []*plan.Column) []Column {
	out := []Column{}
	for _, c := range cols {
		out = append(out, Column{Name: c.Name, Type: c.Type.String(), Nullable: c.Nullable, Classification: c.Classification(), Masking: c.Masking(), Description: c.Description})
	}
	return out
}

func ids(ps []*plan.Product) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
