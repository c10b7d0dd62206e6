// Package plan is the target-neutral form of a checked mesh: what every
// target compiles from. It holds resolved objects linked by pointers, names
// already mapped for one environment, tests already rendered to SQL, and
// products and steps already in a deterministic topological order.
//
// Targets import this package and nothing of lang or HCL. Every node keeps
// the source range of the .mesh.hcl text it came from, so that a target can
// report a problem (a name too long for Airflow, say) at the line that
// caused it.
package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/lang/diag"
)

// Plan is a checked mesh, for one environment.
type Plan struct {
	Name        string
	Description string
	Owner       string     // the mesh's: the platform team, who owns what no domain does
	OwnerRange  diag.Range // its owner attribute; the mesh block without one
	Layers      []string   // lowest first
	Environment *Environment
	Defaults    Defaults
	Domains     []*Domain  // by name
	Sources     []*Source  // by ID
	Products    []*Product // topological: every product after its upstreams, ties broken by ID
	Runners     []*Runner  // by name
	Secrets     []*Secret  // by ID
	Targets     map[string]*Target
	Files       []string // the user's mesh files, sorted
	// KindFiles names the file of each test kind the mesh declares (not
	// the standard library's), by name: generated files that carry a
	// test's SQL name it among their sources.
	KindFiles map[string]string
	// Prefix starts every file name in Files and in ranges: the mesh
	// folder as the user named it, such as "examples/pharma/". Generated
	// files name their sources without it (see Rel), so that they do not
	// depend on where meshc was run from.
	Prefix string
	// Root is the mesh's folder, for the targets that copy a step's file
	// into what they generate: an Airflow task or a Snowflake task runs
	// where the repository is not, so it carries a SQL file's content.
	// Each file is read once, with CRLF line endings as LF (ReadOnce).
	Root  fs.FS
	Range diag.Range // the mesh block
}

// Rel returns a mesh file's name relative to the mesh root.
func (p *Plan) Rel(file string) string { return strings.TrimPrefix(file, p.Prefix) }

// Environment says how names map in one deployment (prod, dev, ...).
type Environment struct {
	Name         string
	Description  string
	Database     string
	SchemaPrefix string
	Warehouse    string
	Role         string
	Connection   string // the orchestrator's connection id, such as an Airflow conn_id
	DbtTarget    string // the target of the dbt project's profile that dbt steps build, "" for its default
	Range        diag.Range
}

// Defaults are the mesh-wide settings from the defaults block, filled in.
type Defaults struct {
	Timezone   string        // IANA name; "UTC" unless set
	Retries    int           // retries of a failed step
	RetriesAt  diag.Range    // where retries was set; zero when it was not
	RetryDelay time.Duration // wait between retries
	StartDate  string        // YYYY-MM-DD: the first date schedules apply from
}

// Domain is a team's area of ownership.
type Domain struct {
	Name        string
	Owner       string
	OwnerRange  diag.Range // its owner attribute, or its blueprint's; the domain block without one
	Description string
	Layer       string
	LayerIndex  int    // position in Plan.Layers; -1 without a layer
	Schema      string // the schema its ports go to by default, before the environment's prefix
	Dir         string // its folder, relative to the mesh root
	Products    []*Product
	Sources     []*Source
	// Files are the files that hold the domain block and the domain's
	// sources, secrets, policies and waivers, each once, sorted: what its
	// owner answers for, whatever products of other owners they hold too
	// (CODEOWNERS).
	Files []string
	// BlueprintFiles are the files of the blueprints it extends, nearest
	// first, each once, by their names in ranges: what it inherits keeps
	// no range here, and generated files name them among their sources.
	// Objects of one blueprint share the slice.
	BlueprintFiles []string
	Range          diag.Range
}

// ObjectName is a Snowflake object's fully qualified name, unquoted; quote
// it with internal/snowsql when writing SQL.
type ObjectName struct {
	Database string
	Schema   string
	Name     string
}

// String renders the name for people: DATABASE.SCHEMA.NAME.
func (n ObjectName) String() string {
	s := n.Name
	if n.Schema != "" {
		s = n.Schema + "." + s
	}
	if n.Database != "" {
		s = n.Database + "." + s
	}
	return s
}

// Source is raw data a domain reads, arriving on its own cadence.
type Source struct {
	ID             string // domain.name
	Domain         *Domain
	Name           string
	Description    string
	Cadence        Cadence
	Table          ObjectName
	Classification string
	Columns        []*Column
	Range          diag.Range
}

// Cadence is how often something runs or arrives.
type Cadence struct {
	Keyword string // hourly, daily, weekly or monthly; empty for a cron expression
	Cron    string // the five-field cron expression; for keywords, the equivalent one
	// CronSundayZero is Cron with a day of week of 7 written 0 (1-7 as
	// 0-6), for Snowflake, whose cron takes days of week up to 6 only.
	CronSundayZero string
	Period         time.Duration // the longest gap between two runs
	Range          diag.Range
}

// String renders the cadence as written.
func (c Cadence) String() string {
	if c.Keyword != "" {
		return c.Keyword
	}
	return "cron " + c.Cron
}

// Column is a column of a source or a port.
type Column struct {
	Name        string
	Type        Type
	Nullable    bool
	Description string
	// Governed holds the column's classification and masking, nil when
	// it has neither, as most columns: a large mesh holds millions of
	// columns, and the two were 32 of a column's 112 bytes.
	Governed *ColumnGovernance
	Range    diag.Range
}

// ColumnGovernance is how sensitive a column's data is, and how it is
// masked from those who may not see it.
type ColumnGovernance struct {
	Classification string
	Masking        string
}

// Classification is the column's classification, "" for none.
func (c *Column) Classification() string {
	if c.Governed == nil {
		return ""
	}
	return c.Governed.Classification
}

// Masking is the column's masking method, "" for none.
func (c *Column) Masking() string {
	if c.Governed == nil {
		return ""
	}
	return c.Governed.Masking
}

// Product is a data product, the unit every target builds.
type Product struct {
	ID          string // domain.name
	Domain      *Domain
	Name        string
	Owner       string
	OwnerRange  diag.Range // its owner attribute, or its blueprint's; its domain's when it takes that owner
	Description string
	Version     string
	Tags        []string
	Inputs      []*Input // by name
	Ports       []*Port  // by name
	Steps       []*Step  // topological: every step after those it runs after, ties broken by name
	Tests       []*Test  // by ID
	Schedule    Schedule
	SLA         *SLA
	Deprecation *Deprecation
	Upstreams   []*Product // products it reads, through inputs or tests, by ID
	Downstreams []*Product // products that read it, by ID
	// BlueprintFiles are the files of the blueprints it extends, as a
	// domain's are.
	BlueprintFiles []string
	Range          diag.Range
}

// Input is what a product reads: a source, or a port of another product.
type Input struct {
	Name     string
	Source   *Source  // set when the input reads a source
	Producer *Product // set with Port when the input reads a product
	Port     *Port
	Columns  []*Column // the producer's columns that are read, in the order written
	// Expected is the type the reader declares for each of Columns
	// (columns = { id = integer }), the zero Type where it declares
	// none; nil when it declares none at all, as most inputs.
	Expected []Type
	Range    diag.Range
}

// ExpectedType returns the type the input expects of a column it reads:
// the one it declares, else the column's own; false when it does not
// read the column.
func (in *Input) ExpectedType(col *Column) (Type, bool) {
	if t, ok := in.DeclaredType(col); ok {
		return t, true
	}
	return col.Type, slices.Contains(in.Columns, col)
}

// DeclaredType returns the type the input declares for a column it reads
// (columns = { id = integer }); false when it declares none for it.
func (in *Input) DeclaredType(col *Column) (Type, bool) {
	if i := slices.Index(in.Columns, col); i >= 0 && in.Expected != nil && in.Expected[i].Name != "" {
		return in.Expected[i], true
	}
	return Type{}, false
}

// Table is the table or view the input reads, named for the plan's
// environment: its port's object, or its source's table.
func (in *Input) Table() ObjectName {
	if in.Port != nil {
		return in.Port.Object
	}
	return in.Source.Table
}

// FillPlaceholders returns SQL of the product's (a step's, or a test's)
// with each {{ input.NAME }} replaced by the table that its input NAME
// reads in the plan's environment, and each {{ port.NAME }} by the table
// or view of its own port NAME there, quoted as Snowflake reads them
// (snowsql.Placeholders). The compiler checked the placeholders, so an
// error is a file changed since, or a target's mistake.
func (p *Product) FillPlaceholders(sql string) (string, error) {
	return snowsql.Fill(sql, func(kind, name string) (string, bool) {
		var t ObjectName
		switch kind {
		case "input":
			in := p.Input(name)
			if in == nil {
				return "", false
			}
			t = in.Table()
		default: // port
			port := p.Port(name)
			if port == nil {
				return "", false
			}
			t = port.Object
		}
		return snowsql.QualifiedName(t.Database, t.Schema, t.Name), true
	})
}

// Port returns the product's port called name, or nil.
func (p *Product) Port(name string) *Port {
	for _, port := range p.Ports {
		if port.Name == name {
			return port
		}
	}
	return nil
}

// Input returns the product's input called name, or nil.
func (p *Product) Input(name string) *Input {
	for _, in := range p.Inputs {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// Port is a published table or view with its column contract.
type Port struct {
	ID          string // domain.product.port
	Product     *Product
	Name        string
	Kind        string // "table" or "view"
	Object      ObjectName
	ObjectRange diag.Range // where table names Object
	Visibility  string     // "public" or "internal"
	Description string
	Columns     []*Column
	Consumers   []*Product // products that read it, by ID
	Range       diag.Range
}

// Step is one unit of work building a product.
type Step struct {
	Name        string
	Runner      *Runner
	Args        []*Arg // by name
	After       []*Step
	Description string
	Range       diag.Range
}

// Arg is a runner argument of a step. Exactly one of the value fields is
// meaningful, according to Type.
type Arg struct {
	Name   string
	Type   string   // string, number, bool, list(string), file, dir or secret
	String string   // string and file (a path relative to the mesh root)
	Number float64  // number
	Bool   bool     // bool
	List   []string // list
	Secret *Secret  // secret
	Range  diag.Range
}

// Runner is a kind of step.
type Runner struct {
	Name        string
	Description string
	Params      []*Param
	Stdlib      bool
	Range       diag.Range
}

// Param is a runner parameter.
type Param struct {
	Name        string
	Type        string
	Optional    bool
	Description string
}

// Test is a data test of a product, rendered to one Snowflake query that
// returns the failing rows.
type Test struct {
	ID          string // unique in the product: port.column.name, port.name or name
	Name        string
	Kind        string
	Severity    string  // "error" or "warn"
	Port        *Port   // nil for tests of the whole product
	Column      *Column // nil unless the test is about one column
	References  []*Port // other ports the test reads, such as a relationships test's parent
	SQL         string
	Description string
	Range       diag.Range
}

// Schedule is when a product runs.
type Schedule struct {
	Cadence  *Cadence // nil when the product runs only when its inputs publish
	OnInputs bool     // run when all inputs have published
	Timezone string
	// Period is the longest expected gap between two runs: the cadence's, or
	// for a product that runs on its inputs, its slowest input's.
	Period time.Duration
	Range  diag.Range
}

// SLA is a product's service level.
type SLA struct {
	Freshness time.Duration
	Range     diag.Range
}

// Deprecation announces that a product will stop.
type Deprecation struct {
	Date    string // YYYY-MM-DD
	Message string
	Range   diag.Range
}

// Secret is a reference to a credential held elsewhere.
type Secret struct {
	ID          string // domain.name, or name for mesh-wide secrets
	Name        string
	Domain      *Domain // nil for mesh-wide secrets
	Description string
	Vault       string // a vault path, such as kv/data/talend#token
	Named       string // or a name in the orchestrator's own secret store
	Range       diag.Range
}

// FormatDuration renders a duration in the largest of days, hours and
// minutes that divides it: 7d rather than 1w, as people write SLAs.
func FormatDuration(d time.Duration) string {
	for _, u := range []struct {
		s string
		d time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}} {
		if d%u.d == 0 {
			return fmt.Sprintf("%d%s", d/u.d, u.s)
		}
	}
	return d.String()
}

// Producers returns the products p reads through its inputs (tests'
// references aside), in the order of its inputs, each once.
func (p *Product) Producers() []*Product {
	var out []*Product
	for _, in := range p.Inputs {
		if in.Producer != nil && !slices.Contains(out, in.Producer) {
			out = append(out, in.Producer)
		}
	}
	return out
}

// FastestSource returns the source p reads that arrives most often (ties
// broken by ID), or nil when it reads none: the cadence a product that
// runs on its inputs follows when those inputs are only sources, which
// publish nothing an orchestrator can wait on.
func (p *Product) FastestSource() *Source {
	var best *Source
	for _, in := range p.Inputs {
		s := in.Source
		if s != nil && (best == nil || s.Cadence.Period < best.Cadence.Period || s.Cadence.Period == best.Cadence.Period && s.ID < best.ID) {
			best = s
		}
	}
	return best
}

// Key is the secret's ID as one upper-case identifier, such as
// PHYSICIAN__TALEND_CLOUD: mesh names are snake_case, so "__" stands for
// the dot without ambiguity. Targets name variables and objects after it.
func (s *Secret) Key() string { return strings.ToUpper(strings.ReplaceAll(s.ID, ".", "__")) }

// Words returns the argument's value as the words of a command line: one
// for text, a path, a number or a boolean, one per element for a list, and
// the secret's ID for a secret (targets pass secrets their own way, and
// map paths, relative to the mesh root, to where their jobs run).
func (a *Arg) Words() []string {
	switch a.Type {
	case "number":
		return []string{strconv.FormatFloat(a.Number, 'f', -1, 64)}
	case "bool":
		return []string{strconv.FormatBool(a.Bool)}
	case "list(string)":
		return a.List
	case "secret":
		return []string{a.Secret.ID}
	}
	return []string{a.String}
}

// LastSteps returns the steps no other step of p runs after, in p's order:
// the ones a product's tests, or its publication, wait for.
func (p *Product) LastSteps() []*Step {
	ranAfter := map[*Step]bool{}
	for _, s := range p.Steps {
		for _, a := range s.After {
			ranAfter[a] = true
		}
	}
	var out []*Step
	for _, s := range p.Steps {
		if !ranAfter[s] {
			out = append(out, s)
		}
	}
	return out
}

// SQLReadError is what the checker and every target report of a step of
// p whose SQL file cannot be read, at its file argument: the checker reads
// the file for its placeholders, and the targets carry it, or a
// copy with its placeholders filled, into what they build, so none of
// them can go on without it.
func (p *Product) SQLReadError(s *Step, at *Arg, err error) *diag.Diagnostic {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return diag.Errorf("read-error", at.Range, "Cannot read the step's SQL",
		"Step %s of %s runs the SQL of %s, which meshc reads to check its placeholders and to build the step, but reading it failed: %v. Make it a regular file that the user running meshc can read, then run meshc again.", s.Name, p.ID, at.String, err)
}

// SQL returns the SQL a step runs on a runner with an sql or a file
// parameter: its sql argument, or the content of its file read from root
// (Plan.Root, which reads CRLF line endings as LF: ReadOnce), for targets
// that carry the SQL into what they generate. The error, when the file
// cannot be read, comes with the argument that names it; ok is false when
// the step has neither argument.
func (s *Step) SQL(root fs.FS) (sql string, ok bool, at *Arg, err error) {
	for _, a := range s.Args {
		switch {
		case a.Name == "sql" && a.Type == "string":
			return a.String, true, a, nil
		case a.Name == "file" && a.Type == "file":
			if root == nil {
				return "", true, a, fmt.Errorf("the mesh's files are not available")
			}
			data, err := fs.ReadFile(root, a.String)
			return string(data), true, a, err
		}
	}
	return "", false, nil, nil
}
