// Package meshdiff compares two revisions of a checked mesh and says what
// the change does to the mesh and to its consumers: which domains,
// products, ports, columns, inputs, steps, tests, schedules, SLAs,
// policies, waivers, secrets and settings were added, removed or changed,
// and which changes break a product that reads the changed data.
//
// A change is breaking when a consumer reads what it removes or changes in
// an incompatible way: a public port or product removed, a port made
// internal or moved to another table, a column removed, retyped or made
// nullable. The consumers are those of the base revision, since the
// change is what breaks them (in the head revision they no longer read it,
// or the mesh would not check). A breaking change is excused when the
// producer's major version goes up with it.
package meshdiff

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// Revision is one side of a comparison: a checked plan, and the policies
// and waivers of its mesh.
type Revision struct {
	Plan     *plan.Plan
	Policies []Policy
	Waivers  []Waiver
	// Files, when set, is what the steps' files and folders are read from
	// instead of the plan's Root: a work tree without the files git
	// ignores, to compare with a commit, which holds none of them.
	Files fs.FS
}

func (r *Revision) files() fs.FS {
	if r.Files != nil {
		return r.Files
	}
	return r.Plan.Root
}

// Policy is what a diff compares of a policy.
type Policy struct {
	Name, Domain, Enforcement, On string
	Active                        bool
	Rule                          Rule
}

// Rule is what a policy says beyond its enforcement and kind: its
// expressions as written, compared by sameCode and shown by oneLine.
type Rule struct {
	Description, Set, Domains, When, Assert, Message string
}

// sameCode reports whether two expressions' texts differ only in spaces
// and line breaks outside their strings, so that reformatting a policy
// (meshc fmt, or an expression broken over lines) is not a change.
func sameCode(a, b string) bool { return unspaced(a) == unspaced(b) }

// unspaced drops the spaces of an expression's text outside its quoted
// strings, but for one between two characters of names or numbers.
func unspaced(s string) string {
	word := func(c byte) bool {
		return c == '_' || c == '.' || '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' || c >= 0x80
	}
	return respaced(s, func(before, after byte) bool { return word(before) && word(after) })
}

// oneLine shows an expression's text on one line: each run of spaces and
// line breaks outside its quoted strings made one space. Spaces in strings
// are kept, so that a change made of them (which sameCode reports) shows.
func oneLine(s string) string {
	return respaced(s, func(before, _ byte) bool { return before != 0 })
}

// respaced writes an expression's text with each run of spaces and line
// breaks outside its quoted strings made one space where keep says so,
// given the characters before and after it (0 at the start), and nothing
// elsewhere.
func respaced(s string, keep func(before, after byte) bool) string {
	var b strings.Builder
	quoted, escaped, space := false, false, false
	var last byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted:
			quoted = escaped || c != '"'
			escaped = !escaped && c == '\\'
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			continue
		case c == '"':
			quoted = true
		}
		if space && keep(last, c) {
			b.WriteByte(' ')
		}
		space, last = false, c
		b.WriteByte(c)
	}
	return b.String()
}

// PolicyKey identifies a policy among a mesh's: its domain's and its name.
func PolicyKey(domain, name string) string { return domain + "\x00" + name }

// RulesOf reads the rules of a mesh's policies, by PolicyKey; text returns
// the source text of an expression's range.
func RulesOf(m *ast.Mesh, text func(diag.Range) string) map[string]Rule {
	out := map[string]Rule{}
	if m == nil {
		return out
	}
	expr := func(e ast.Expr) string {
		if e == nil {
			return ""
		}
		return text(e.Range())
	}
	add := func(domain string, ps []*ast.Policy) {
		for _, p := range ps {
			out[PolicyKey(domain, p.Name)] = Rule{
				Description: p.Description.V, Set: p.Set.V, Domains: strings.Join(p.Domains.Values(), ", "),
				When: expr(p.When), Assert: expr(p.Assert), Message: expr(p.Message),
			}
		}
	}
	add("", m.Policies)
	for _, d := range m.Domains {
		add(d.Name, d.Policies)
	}
	return out
}

// Waiver is what a diff compares of a waiver.
type Waiver struct {
	Name, Domain, Policy, Expires, Approver, Reason string
	Objects                                         []string
}

// WaiversOf lists a mesh's waivers, central and per domain.
func WaiversOf(m *ast.Mesh) []Waiver {
	var out []Waiver
	add := func(domain string, ws []*ast.Waiver) {
		for _, w := range ws {
			policy := ""
			if w.Policy != nil {
				policy = w.Policy.String()
			}
			out = append(out, Waiver{Name: w.Name, Domain: domain, Policy: policy, Expires: w.Expires.V, Approver: w.Approver.V, Reason: w.Reason.V, Objects: w.Objects.Values()})
		}
	}
	if m == nil {
		return nil
	}
	add("", m.Waivers)
	for _, d := range m.Domains {
		add(d.Name, d.Waivers)
	}
	return out
}

// Change is one difference between the revisions.
type Change struct {
	Domain string `json:"domain,omitempty"` // the domain it is in; empty for central policies and waivers
	Kind   string `json:"kind"`             // domain, source, product, port, column, input, step, test, schedule, sla, policy, waiver, target (a setting), runner, environment, mesh, default or secret
	ID     string `json:"id"`
	Change string `json:"change"` // added, removed or changed
	Detail string `json:"detail,omitempty"`
	// Breaking is true when a consumer reads what the change removes or
	// changes incompatibly; Consumers names them.
	Breaking  bool     `json:"breaking"`
	Consumers []string `json:"consumers,omitempty"`
	// Product is the product the change belongs to, if any, and
	// MajorBump whether that product's major version went up. JSON has
	// major_bump on a breaking change only (MarshalJSON), where it says
	// whether the break is excused, false as well as true.
	Product   string `json:"product,omitempty"`
	MajorBump bool   `json:"major_bump,omitempty"`
}

// MarshalJSON writes the change with major_bump when it is breaking.
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change // without this method
	out := struct {
		plain
		MajorBump *bool `json:"major_bump,omitempty"` // hides plain's
	}{plain: plain(c)}
	if c.Breaking {
		out.MajorBump = &c.MajorBump
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as WriteJSON: "->" stays as written
	err := enc.Encode(out)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// Unexcused reports whether the change breaks a consumer without a major
// version bump of its producer.
func (c *Change) Unexcused() bool { return c.Breaking && !c.MajorBump }

// Report is the result of a comparison.
type Report struct {
	Changes []*Change `json:"changes"` // by domain, then breaking first, then by id and kind
	// Affected are the products whose pipelines must run again: those
	// changed, and everything downstream of them, in the head revision, in
	// dependency order.
	Affected []string `json:"affected"`
}

// Breaking returns the breaking changes.
func (r *Report) Breaking() []*Change {
	var out []*Change
	for _, c := range r.Changes {
		if c.Breaking {
			out = append(out, c)
		}
	}
	return out
}

// Compare compares base with head.
func Compare(base, head *Revision) *Report {
	d := &differ{base: base.Plan, head: head.Plan, baseDigests: digests{root: base.files()}, headDigests: digests{root: head.files()}}
	d.changed = map[string]bool{}
	d.respellings = map[string][]string{}
	d.moves = d.portMoves()
	d.portMoved, d.schemaMoved = map[string]*Change{}, map[string]*Change{}
	d.domains()
	d.sources()
	d.products()
	d.targets()
	d.settings()
	d.foldRequeries()
	d.secrets()
	d.policies(base.Policies, head.Policies)
	d.waivers(base.Waivers, head.Waivers)
	slices.SortStableFunc(d.changes, func(a, b *Change) int {
		return cmp.Or(
			strings.Compare(a.Domain, b.Domain),
			boolOrder(a.Breaking, b.Breaking),
			strings.Compare(a.ID, b.ID),
			strings.Compare(a.Kind, b.Kind),
			strings.Compare(a.Detail, b.Detail),
		)
	})
	return &Report{Changes: d.changes, Affected: d.affected()}
}

// boolOrder puts true first.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

type differ struct {
	base, head *plan.Plan
	// baseDigests and headDigests hash the files and folders that steps
	// pass, read from each revision's files.
	baseDigests, headDigests digests
	changes                  []*Change
	changed                  map[string]bool // product ids with a change, in head
	// reads are the base's inputs that read a port, by port, listed when a
	// change first asks who reads one (readsOf).
	reads map[*plan.Port][]portRead
	// headProducts are the head's products by ID, listed when a change
	// first asks what a reader declares now (headExpects).
	headProducts map[string]*plan.Product
	// moves are the ports whose table moved, by the head's port ID, and
	// requeries the tests whose query changed only in those tables'
	// names: each is reported under the change that moved its table
	// (foldRequeries), as one schema changed moves every test of a
	// domain.
	moves     map[string]*move
	requeries []requery
	// respellings are the columns spelled in another case, both names
	// unquoted, upper-cased, by the head's port ID.
	respellings map[string][]string
	// The changes that move tables (movedBy): a port's own table line by
	// its head ID, a domain's schema line by its name, and the
	// environment's database and schema_prefix lines.
	portMoved         map[string]*Change
	schemaMoved       map[string]*Change
	databaseMoved     *Change
	schemaPrefixMoved *Change
}

// move is a port's table in the base and in the head.
type move struct {
	port     *plan.Port // the head's
	from, to plan.ObjectName
}

// requery is a test whose query changed only because a table it reads
// moved: by, the first such port, its own before those it references.
type requery struct {
	test *plan.Test
	by   *move
}

// portRead is an input that reads a port, and the product it is of.
type portRead struct {
	by *plan.Product
	in *plan.Input
}

// readsOf returns the base's inputs that read the port x. They are listed
// for all ports at once: looking through each consumer's inputs for each
// change took time in the square of a product's inputs, for a product
// reading thousands of ports whose columns changed.
func (d *differ) readsOf(x *plan.Port) []portRead {
	if d.reads == nil {
		d.reads = map[*plan.Port][]portRead{}
		for _, p := range d.base.Products {
			for _, in := range p.Inputs {
				if in.Port != nil {
					d.reads[in.Port] = append(d.reads[in.Port], portRead{p, in})
				}
			}
		}
	}
	return d.reads[x]
}

// headExpects returns the type that a base reader's input, as the head
// writes it, declares for a column of the head's port; false when the
// head has no such input reading the column or declares no type for it.
func (d *differ) headExpects(r portRead, port *plan.Port, col *plan.Column) (plan.Type, bool) {
	if d.headProducts == nil {
		d.headProducts = make(map[string]*plan.Product, len(d.head.Products))
		for _, p := range d.head.Products {
			d.headProducts[p.ID] = p
		}
	}
	p := d.headProducts[r.by.ID]
	if p == nil {
		return plan.Type{}, false
	}
	for _, in := range p.Inputs {
		if in.Name == r.in.Name && in.Port == port {
			return in.DeclaredType(col)
		}
	}
	return plan.Type{}, false
}

func (d *differ) add(c *Change) { d.changes = append(d.changes, c) }

func (d *differ) domains() {
	pair(d.base.Domains, d.head.Domains, domainName, func(name string, b, h *plan.Domain) {
		switch {
		case b == nil:
			d.add(&Change{Domain: name, Kind: "domain", ID: name, Change: "added"})
		case h == nil:
			d.add(&Change{Domain: name, Kind: "domain", ID: name, Change: "removed"})
		default:
			var details []string
			if b.Owner != h.Owner {
				details = append(details, fmt.Sprintf("owner %s -> %s", b.Owner, h.Owner))
			}
			if b.Layer != h.Layer {
				details = append(details, fmt.Sprintf("layer %s -> %s", orNone(b.Layer), orNone(h.Layer)))
			}
			if b.Schema != h.Schema {
				details = append(details, fmt.Sprintf("schema %s -> %s", b.Schema, h.Schema))
			}
			if details != nil {
				c := &Change{Domain: name, Kind: "domain", ID: name, Change: "changed", Detail: strings.Join(details, ", ")}
				d.add(c)
				if b.Schema != h.Schema {
					d.schemaMoved[name] = c
				}
			}
		}
	})
}

// settings compares the mesh's name and owner, the environment compiled
// for and the mesh's defaults. All but the owner are written into every
// product's files: the names are in every build's files (MESHC_BUILD,
// Snowflake's markers, the assets' URIs), and a revision that renames the
// environment is compiled in each side's own (meshc diff).
func (d *differ) settings() {
	changed := false
	compare := func(kind, id, x, y string) {
		if x != y {
			d.add(&Change{Kind: kind, ID: id, Change: "changed", Detail: orNone(x) + " -> " + orNone(y)})
			changed = true
		}
	}
	if d.base.Name != "" && d.head.Name != "" { // an empty side (emptyLike) has none
		compare("mesh", "mesh", d.base.Name, d.head.Name)
		// The owner changes who reviews the shared files (CODEOWNERS),
		// not a product's files.
		if b, h := d.base.Owner, d.head.Owner; b != h {
			d.add(&Change{Kind: "mesh", ID: d.head.Name, Change: "changed", Detail: "owner " + orNone(b) + " -> " + orNone(h)})
		}
	}
	if be, he := d.base.Environment, d.head.Environment; be != nil && he != nil {
		compare("environment", "environment", be.Name, he.Name)
		id := "environment." + he.Name + "."
		n := len(d.changes)
		compare("environment", id+"database", be.Database, he.Database)
		if len(d.changes) > n {
			d.databaseMoved = d.changes[n]
		}
		n = len(d.changes)
		compare("environment", id+"schema_prefix", be.SchemaPrefix, he.SchemaPrefix)
		if len(d.changes) > n {
			d.schemaPrefixMoved = d.changes[n]
		}
		compare("environment", id+"warehouse", be.Warehouse, he.Warehouse)
		compare("environment", id+"role", be.Role, he.Role)
		compare("environment", id+"connection", be.Connection, he.Connection)
		compare("environment", id+"dbt_target", be.DbtTarget, he.DbtTarget)
	} else if (be == nil) != (he == nil) {
		compare("environment", "environment", environmentName(be), environmentName(he))
	}
	bd, hd := d.base.Defaults, d.head.Defaults
	compare("default", "defaults.timezone", bd.Timezone, hd.Timezone)
	compare("default", "defaults.retries", strconv.Itoa(bd.Retries), strconv.Itoa(hd.Retries))
	compare("default", "defaults.retry_delay", durationText(bd.RetryDelay), durationText(hd.RetryDelay))
	compare("default", "defaults.start_date", bd.StartDate, hd.StartDate)
	if changed {
		for _, p := range d.head.Products {
			d.changed[p.ID] = true
		}
	}
}

func environmentName(e *plan.Environment) string {
	if e == nil {
		return ""
	}
	return e.Name
}

func durationText(t time.Duration) string {
	if t == 0 {
		return ""
	}
	return plan.FormatDuration(t)
}

// secrets compares where each secret is held: moving one changes how the
// products whose steps pass it fetch it.
func (d *differ) secrets() {
	pair(d.base.Secrets, d.head.Secrets, secretID, func(id string, b, h *plan.Secret) {
		c := &Change{Kind: "secret", ID: id}
		switch {
		case b == nil:
			c.Change = "added"
		case h == nil:
			c.Change = "removed"
		case secretPlace(b) != secretPlace(h):
			c.Change, c.Detail = "changed", secretPlace(b)+" -> "+secretPlace(h)
		default:
			return
		}
		if s := cmp.Or(h, b); s.Domain != nil {
			c.Domain = s.Domain.Name
		}
		d.add(c)
		if h == nil {
			return // its users are gone too, or the mesh would not check
		}
		for _, p := range d.head.Products {
			if slices.ContainsFunc(p.Steps, func(st *plan.Step) bool {
				return slices.ContainsFunc(st.Args, func(a *plan.Arg) bool { return a.Secret != nil && a.Secret.ID == id })
			}) {
				d.changed[p.ID] = true
			}
		}
	})
}

func secretID(s *plan.Secret) string { return s.ID }

// secretPlace is where a secret is held, for comparison and reports.
func secretPlace(s *plan.Secret) string {
	if s.Vault != "" {
		return "vault " + s.Vault
	}
	return "named " + s.Named
}

func (d *differ) sources() {
	changed := map[string]bool{} // the sources whose readers run again
	pair(d.base.Sources, d.head.Sources, sourceID, func(id string, b, h *plan.Source) {
		switch {
		case b == nil:
			d.add(&Change{Domain: h.Domain.Name, Kind: "source", ID: id, Change: "added"})
		case h == nil:
			d.add(&Change{Domain: b.Domain.Name, Kind: "source", ID: id, Change: "removed"})
		default:
			var what []string
			if b.Cadence.String() != h.Cadence.String() {
				what = append(what, fmt.Sprintf("cadence %s -> %s", b.Cadence, h.Cadence))
			}
			if b.Table != h.Table {
				what = append(what, fmt.Sprintf("table %s -> %s", b.Table, h.Table))
			}
			if !sameColumns(b.Columns, h.Columns) {
				what = append(what, fmt.Sprintf("columns (%s) -> (%s)", columnList(b.Columns), columnList(h.Columns)))
			}
			if len(what) > 0 {
				d.add(&Change{Domain: h.Domain.Name, Kind: "source", ID: id, Change: "changed", Detail: strings.Join(what, "; ")})
				changed[id] = true
			}
		}
	})
	// The readers of a changed source run again: their schedule or data
	// changed. One pass over the inputs, however many sources changed:
	// moving the raw database changes every source's table.
	if len(changed) == 0 {
		return
	}
	for _, p := range d.head.Products {
		for _, in := range p.Inputs {
			if in.Source != nil && changed[in.Source.ID] {
				d.changed[p.ID] = true
			}
		}
	}
}

func (d *differ) products() {
	pair(d.base.Products, d.head.Products, productID, func(id string, b, h *plan.Product) {
		switch {
		case b == nil:
			d.add(&Change{Domain: h.Domain.Name, Kind: "product", ID: id, Change: "added", Product: id, Detail: "version " + h.Version})
			d.changed[id] = true
		case h == nil:
			c := &Change{Domain: b.Domain.Name, Kind: "product", ID: id, Change: "removed", Product: id}
			for _, port := range b.Ports {
				if port.Visibility == "public" {
					c.Consumers = append(c.Consumers, productIDs(port.Consumers)...)
				}
			}
			c.Consumers = unique(c.Consumers)
			c.Breaking = len(c.Consumers) > 0
			d.add(c)
		default:
			n := len(d.changes)
			d.product(b, h)
			if len(d.changes) > n {
				d.changed[id] = true
				bump := major(h.Version) > major(b.Version)
				for _, c := range d.changes[n:] {
					c.MajorBump = bump
				}
			}
		}
	})
}

// product compares a product present on both sides.
func (d *differ) product(b, h *plan.Product) {
	c := func(kind, id, change, detail string) *Change {
		ch := &Change{Domain: h.Domain.Name, Kind: kind, ID: id, Change: change, Detail: detail, Product: h.ID}
		d.add(ch)
		return ch
	}
	if b.Version != h.Version {
		c("product", h.ID, "changed", fmt.Sprintf("version %s -> %s", b.Version, h.Version))
	}
	if b.Owner != h.Owner {
		c("product", h.ID, "changed", fmt.Sprintf("owner %s -> %s", b.Owner, h.Owner))
	}
	if sb, sh := scheduleText(b.Schedule), scheduleText(h.Schedule); sb != sh {
		c("schedule", h.ID, "changed", sb+" -> "+sh)
	}
	if sb, sh := slaText(b.SLA), slaText(h.SLA); sb != sh {
		c("sla", h.ID, "changed", sb+" -> "+sh)
	}
	if db, dh := deprecationText(b.Deprecation), deprecationText(h.Deprecation); db != dh {
		c("product", h.ID, "changed", "deprecation "+db+" -> "+dh)
	}

	renamed := renamedPorts(b, h)
	renames := map[string]*Change{} // by the head's port name
	respelled := map[*plan.Column]respelling{}
	pair(b.Ports, h.Ports, portKey(renamed), func(name string, x, y *plan.Port) {
		id := h.ID + "." + name
		switch {
		case x == nil:
			c("port", id, "added", fmt.Sprintf("%s %s, %s", y.Kind, y.Object, y.Visibility))
		case y == nil:
			ch := c("port", id, "removed", "")
			if x.Visibility == "public" {
				ch.Consumers = productIDs(x.Consumers)
				ch.Breaking = len(ch.Consumers) > 0
			}
		default:
			if x.Name != y.Name {
				renames[y.Name] = c("port", id, "changed", "renamed from "+x.ID)
			}
			maps.Copy(respelled, d.port(c, id, x, y))
		}
	})

	pair(b.Inputs, h.Inputs, func(x *plan.Input) string { return x.Name }, func(name string, x, y *plan.Input) {
		id := h.ID + "." + name
		switch {
		case x == nil:
			c("input", id, "added", "from "+inputFrom(y))
		case y == nil:
			c("input", id, "removed", "from "+inputFrom(x))
		// A column spelled in another case is the same column (Snowflake
		// upper-cases unquoted names), and an input names its port's
		// columns as the port spells them: respelling one changes no
		// reader (the port's own change says "spelled").
		case inputFrom(x) != inputFrom(y) || !sameColumnsRead(x, y):
			c("input", id, "changed", fmt.Sprintf("%s (%s) -> %s (%s)", inputFrom(x), inputColumns(x), inputFrom(y), inputColumns(y)))
		}
	})

	pair(b.Steps, h.Steps, func(x *plan.Step) string { return x.Name }, func(name string, x, y *plan.Step) {
		id := h.ID + "." + name
		switch {
		case x == nil:
			c("step", id, "added", "runner "+y.Runner.Name)
		case y == nil:
			c("step", id, "removed", "")
		default:
			if what := d.stepChanges(x, y); what != "" {
				c("step", id, "changed", what)
			}
		}
	})

	// A renamed port's tests, and a respelled column's, are the same
	// tests under new IDs: counted on its line rather than each removed
	// and added.
	reIDs := map[string]int{}        // by the head's port name
	columnReIDs := map[*Change]int{} // by the column's line
	pair(b.Tests, h.Tests, testKey(renamed, respelled), func(tid string, x, y *plan.Test) {
		id := h.ID + "." + tid
		switch {
		case x == nil:
			c("test", id, "added", y.Kind+", severity "+y.Severity)
		case y == nil:
			c("test", id, "removed", x.Kind+", severity "+x.Severity)
		default:
			r, respelt := respelled[x.Column]
			switch {
			case x.ID == y.ID:
			case x.Port != nil && y.Port != nil && x.Port.Name != y.Port.Name:
				reIDs[y.Port.Name]++
			case respelt:
				columnReIDs[r.line]++
			}
			var what []string
			if x.Severity != y.Severity {
				what = append(what, "severity "+x.Severity+" -> "+y.Severity)
			}
			// A query that differs only in the case of the columns it
			// names is the same query to Snowflake; its text in the
			// generated files changes all the same.
			if x.SQL != y.SQL {
				d.changed[h.ID] = true
				sql, by := d.moved(x.SQL, y)
				switch {
				case d.respelt(sql, y) != d.respelt(y.SQL, y):
					what = append(what, "its query")
				case by != nil:
					d.requeries = append(d.requeries, requery{y, by})
				}
			}
			if len(what) > 0 {
				c("test", id, "changed", strings.Join(what, "; "))
			}
		}
	})
	for name, ch := range renames {
		ch.Detail += renameEffects(reIDs[name])
	}
	for ch, n := range columnReIDs {
		ch.Detail += fmt.Sprintf(", the same column to Snowflake; the IDs of its %s (GitLab jobs, Airflow and Snowflake tasks) take the new spelling", plural(n, "test"))
	}
}

// renamedPorts finds the ports of a product renamed in place: a port of
// the base whose name the head lacks, and one of the head whose name the
// base lacks, that publish the same table (whatever its case, the same
// to Snowflake). It returns the head's names by the base's.
func renamedPorts(b, h *plan.Product) map[string]string {
	had := map[string]bool{}
	for _, x := range b.Ports {
		had[x.Name] = true
	}
	added := map[string]*plan.Port{} // by their tables, upper-cased
	for _, y := range h.Ports {
		if !had[y.Name] {
			added[strings.ToUpper(y.Object.String())] = y
		}
	}
	out := map[string]string{}
	if len(added) == 0 {
		return out
	}
	has := map[string]bool{}
	for _, y := range h.Ports {
		has[y.Name] = true
	}
	for _, x := range b.Ports {
		if y := added[strings.ToUpper(x.Object.String())]; y != nil && !has[x.Name] {
			out[x.Name] = y.Name
		}
	}
	return out
}

// portKey pairs a base's port with the head's by the head's name.
func portKey(renamed map[string]string) func(*plan.Port) string {
	return func(x *plan.Port) string { return cmp.Or(renamed[x.Name], x.Name) }
}

// testKey pairs a base's test with the head's by the ID it has in the
// head: a renamed port's name in place of its old one, and a respelled
// column's new spelling.
func testKey(renamed map[string]string, respelled map[*plan.Column]respelling) func(*plan.Test) string {
	return func(t *plan.Test) string {
		if t.Port == nil {
			return t.ID
		}
		port := cmp.Or(renamed[t.Port.Name], t.Port.Name)
		if t.Column != nil {
			column := cmp.Or(respelled[t.Column].name, t.Column.Name)
			if rest, ok := strings.CutPrefix(t.ID, t.Port.Name+"."+t.Column.Name+"."); ok {
				return port + "." + column + "." + rest
			}
		}
		if rest, ok := strings.CutPrefix(t.ID, t.Port.Name+"."); ok {
			return port + "." + rest
		}
		return t.ID
	}
}

// renameEffects says what renaming a port changes, for its line: not
// what SQL reads, as the table stays, but the names meshc gives it and
// its tests in what it generates. A reader that breaks is on other
// lines (a table moved, a column removed).
func renameEffects(tests int) string {
	s := ", the same table: SQL readers see no change; meshc's references, its Airflow asset"
	if tests > 0 {
		s += fmt.Sprintf(" and the IDs of its %s (GitLab jobs, Airflow and Snowflake tasks)", plural(tests, "test"))
	}
	return s + " take the new name"
}

// portMoves lists the ports whose table moved, among those of products
// on both sides, a renamed port with its new name, and notes their
// respelled columns (respellings).
func (d *differ) portMoves() map[string]*move {
	out := map[string]*move{}
	base := byKey(d.base.Products, productID)
	for _, h := range d.head.Products {
		b := base[h.ID]
		if b == nil {
			continue
		}
		ports := byKey(b.Ports, portKey(renamedPorts(b, h)))
		for _, y := range h.Ports {
			x := ports[y.Name]
			if x == nil {
				continue
			}
			if x.Object != y.Object {
				out[y.ID] = &move{port: y, from: x.Object, to: y.Object}
			}
			columns := byKey(x.Columns, columnKey)
			for _, b := range y.Columns {
				if a := columns[columnKey(b)]; a != nil && a.Name != b.Name && snowsql.IsIdentifier(a.Name) && snowsql.IsIdentifier(b.Name) {
					d.respellings[y.ID] = append(d.respellings[y.ID], columnKey(b))
				}
			}
		}
	}
	return out
}

// respelt returns a test's query, of either side, with the columns that
// the head spells in another case, of the ports the head's test reads,
// upper-cased wherever they are named unquoted, whichever table they are
// of: Snowflake reads an unquoted name in any case, so that the two
// queries are compared as it reads them. A string's text is left as it
// is, as Snowflake compares strings case-sensitively.
func (d *differ) respelt(sql string, y *plan.Test) string {
	names := map[string]string{}
	for _, p := range append([]*plan.Port{y.Port}, y.References...) {
		if p == nil {
			continue
		}
		for _, name := range d.respellings[p.ID] {
			names[name] = name // upper-cased by columnKey
		}
	}
	return replaceNames(sql, names, true)
}

// moved returns a base test's query with the old names of the moved
// tables that the head's test reads, its own port's and those it
// references, replaced by their new ones, and the first of those moves,
// which explains the change when the head's query is the result.
func (d *differ) moved(sql string, y *plan.Test) (string, *move) {
	var first *move
	names := map[string]string{}
	for _, p := range append([]*plan.Port{y.Port}, y.References...) {
		if p == nil || d.moves[p.ID] == nil {
			continue
		}
		m := d.moves[p.ID]
		names[snowsql.QualifiedName(m.from.Database, m.from.Schema, m.from.Name)] = snowsql.QualifiedName(m.to.Database, m.to.Schema, m.to.Name)
		if first == nil {
			first = m
		}
	}
	return replaceNames(sql, names, false), first
}

// replaceNames replaces the names in SQL that are keys of names by their
// values, in one pass, so that a table moved where another was (a chain,
// a swap) is not moved twice. A name is replaced where it is a whole
// name: not part of a longer one before or after it, but for a column
// qualified with it. Nothing in a string or comment is a name, nor in a
// quoted identifier but for a table's name's quoted parts. A column's
// name (column) is upper-case in names, found in any case, and after a
// table's name or alias and a dot; quoted, it would keep its case.
func replaceNames(sql string, names map[string]string, column bool) string {
	if len(names) == 0 {
		return sql
	}
	part := func(c byte) bool {
		return c == '_' || c == '$' || c == '"' || c == '.' || '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' || c >= 0x80
	}
	olds := slices.Sorted(maps.Keys(names))
	find := sql
	if column { // ASCII only, so that the offsets stay those of sql
		find = asciiUpper(sql)
	}
	var b strings.Builder
	for i := 0; i < len(sql); {
		if i == 0 || !part(sql[i-1]) || column && sql[i-1] == '.' {
			if old := wholeNameAt(find, i, olds, part); old != "" {
				b.WriteString(names[old])
				i += len(old)
				continue
			}
		}
		end := snowsql.SkipQuoted(sql, i)
		switch {
		case end > i: // a table's name that starts quoted was matched above
		case part(sql[i]) && sql[i] != '"' && sql[i] != '.':
			// The rest of a word: a "--" or "$$" in it starts nothing.
			for end = i + 1; end < len(sql) && part(sql[end]) && sql[end] != '"' && sql[end] != '.'; end++ {
			}
		default:
			end = i + 1
		}
		b.WriteString(sql[i:end])
		i = end
	}
	return b.String()
}

// wholeNameAt returns the one of olds that the text at i starts with and
// that is not followed by more of a name, or "".
func wholeNameAt(text string, i int, olds []string, part func(byte) bool) string {
	for _, old := range olds {
		end := i + len(old)
		if strings.HasPrefix(text[i:], old) && (end == len(text) || !part(text[end]) || text[end] == '.') {
			return old
		}
	}
	return ""
}

// asciiUpper upper-cases the ASCII letters of s, byte by byte, as
// Snowflake does an unquoted name's.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// foldRequeries counts each test whose query changed only because a
// table moved under the change that moved it: the domain's schema, the
// environment's database or schema prefix, or else the port's own table
// (movedBy), with the products whose tables the first three move. The
// tests' products have changed all the same.
func (d *differ) foldRequeries() {
	type effect struct {
		products map[string]bool
		tests    int
	}
	effects := map[*Change]*effect{}
	var order []*Change
	of := func(ch *Change) *effect {
		if effects[ch] == nil {
			effects[ch] = &effect{products: map[string]bool{}}
			order = append(order, ch)
		}
		return effects[ch]
	}
	for _, id := range slices.Sorted(maps.Keys(d.moves)) {
		m := d.moves[id]
		if ch := d.movedBy(m); ch != nil && ch != d.portMoved[id] {
			of(ch).products[m.port.Product.ID] = true
		}
	}
	for _, r := range d.requeries {
		if ch := d.movedBy(r.by); ch != nil { // a moved port always has its line
			of(ch).tests++
		}
	}
	for _, ch := range order {
		e := effects[ch]
		var what []string
		if len(e.products) > 0 {
			what = append(what, "moves the tables of "+plural(len(e.products), "product"))
		}
		if e.tests > 0 {
			what = append(what, "re-queries "+plural(e.tests, "test"))
		}
		ch.Detail += " (" + strings.Join(what, "; ") + ")"
	}
}

// movedBy returns the change that moved a port's table: its domain's
// schema when the table's schema changed with it, the environment's
// database or schema prefix when only that part changed, else the port's
// own line.
func (d *differ) movedBy(m *move) *Change {
	from, to := m.from, m.to
	sameName := strings.EqualFold(from.Name, to.Name)
	if ch := d.schemaMoved[m.port.Product.Domain.Name]; ch != nil && sameName && from.Schema != to.Schema {
		return ch
	}
	if d.databaseMoved != nil && sameName && from.Database != to.Database && from.Schema == to.Schema {
		return d.databaseMoved
	}
	if d.schemaPrefixMoved != nil && sameName && from.Database == to.Database && from.Schema != to.Schema {
		return d.schemaPrefixMoved
	}
	return d.portMoved[m.port.ID]
}

// port compares a port present on both sides, and its columns.
//
// It returns the base's columns spelled in another case, with their lines,
// whose tests take the new spelling in their IDs.
func (d *differ) port(c func(kind, id, change, detail string) *Change, id string, x, y *plan.Port) map[*plan.Column]respelling {
	respelled := map[*plan.Column]respelling{}
	// readers returns the products that read a column of the port, or
	// the port itself when col is "".
	readers := func(col string) []*plan.Product {
		var out []*plan.Product
		for _, r := range d.readsOf(x) {
			if col == "" || slices.ContainsFunc(r.in.Columns, func(c *plan.Column) bool { return columnKey(c) == col }) {
				out = append(out, r.by)
			}
		}
		return out
	}
	// Only a public port is a contract: an internal one is read by its own
	// domain, which changes with it.
	breaks := func(ch *Change, broken []*plan.Product) {
		if x.Visibility == "public" && len(broken) > 0 {
			ch.Consumers, ch.Breaking = unique(productIDs(broken)), true
		}
	}
	breaking := func(ch *Change, col string) { breaks(ch, readers(col)) }
	if x.Visibility != y.Visibility {
		ch := c("port", id, "changed", "visibility "+x.Visibility+" -> "+y.Visibility)
		if y.Visibility == "internal" {
			breaking(ch, "")
		}
	}
	switch {
	case x.Object == y.Object:
	case strings.EqualFold(x.Object.String(), y.Object.String()):
		// The same table to Snowflake, which upper-cases unquoted names,
		// as to check, which refuses two ports publishing it.
		d.portMoved[y.ID] = c("port", id, "changed", fmt.Sprintf("table spelled %s -> %s", x.Object, y.Object))
	default:
		ch := c("port", id, "changed", fmt.Sprintf("table %s -> %s", x.Object, y.Object))
		breaking(ch, "")
		d.portMoved[y.ID] = ch
	}
	if x.Kind != y.Kind {
		c("port", id, "changed", "kind "+x.Kind+" -> "+y.Kind)
	}
	pair(x.Columns, y.Columns, columnKey, func(name string, a, b *plan.Column) {
		switch {
		case a == nil:
			c("column", id+"."+b.Name, "added", b.Type.String())
		case b == nil:
			breaking(c("column", id+"."+a.Name, "removed", a.Type.String()), name)
		default:
			cid := id + "." + b.Name
			if a.Name != b.Name {
				// The same column to Snowflake, which upper-cases
				// unquoted names, and to the readers, which meshc
				// matches the same way.
				respelled[a] = respelling{b.Name, c("column", cid, "changed", "spelled "+a.Name+" -> "+b.Name)}
			}
			if !a.Type.Equal(b.Type) { // string and string(16777216) are one type
				ch := c("column", cid, "changed", "type "+a.Type.String()+" -> "+b.Type.String())
				// A reader is broken when the new type is not one it
				// accepts: the type it declares, or else the old one. A
				// reader that declares the new type in the head has
				// followed the change in the same revision.
				var broken []*plan.Product
				for _, r := range d.readsOf(x) {
					want, reads := r.in.ExpectedType(a)
					if now, ok := d.headExpects(r, y, b); ok {
						want = now
					}
					if reads && !b.Type.AcceptedBy(want) {
						broken = append(broken, r.by)
					}
				}
				breaks(ch, broken)
			}
			if !a.Nullable && b.Nullable {
				breaking(c("column", cid, "changed", "made nullable"), name)
			} else if a.Nullable && !b.Nullable {
				c("column", cid, "changed", "made not nullable")
			}
			if a.Classification() != b.Classification() {
				c("column", cid, "changed", fmt.Sprintf("classification %s -> %s", orNone(a.Classification()), orNone(b.Classification())))
			}
			if a.Masking() != b.Masking() {
				c("column", cid, "changed", fmt.Sprintf("masking %s -> %s", orNone(a.Masking()), orNone(b.Masking())))
			}
		}
	})
	return respelled
}

// respelling is a column's name in the head, spelled in another case,
// and the line that says so.
type respelling struct {
	name string
	line *Change
}

// targets compares the target blocks: their settings (which change every
// product's files), how they run each runner (which changes the products
// whose steps use it) and their tests (which changes every tested
// product).
func (d *differ) targets() {
	names := map[string]bool{}
	for name := range d.base.Targets {
		names[name] = true
	}
	for name := range d.head.Targets {
		names[name] = true
	}
	mark := func(uses func(p *plan.Product) bool) {
		for _, p := range d.head.Products {
			if uses(p) {
				d.changed[p.ID] = true
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		bt, ht := d.base.Targets[name], d.head.Targets[name]
		if bt == nil || ht == nil {
			continue // the standard library declares every target
		}
		for _, opt := range keys(bt.Options, ht.Options) {
			if x, y := optionText(bt.Options[opt]), optionText(ht.Options[opt]); x != y {
				d.add(&Change{Kind: "target", ID: name + "." + opt, Change: "changed", Detail: x + " -> " + y})
				mark(func(*plan.Product) bool { return true })
			}
		}
		for _, runner := range keys(bt.Jobs, ht.Jobs) {
			if templateText(bt.Jobs[runner]) != templateText(ht.Jobs[runner]) {
				d.add(&Change{Kind: "runner", ID: name + ".runner." + runner, Change: "changed", Detail: "how the " + name + " target runs it"})
				mark(func(p *plan.Product) bool {
					return slices.ContainsFunc(p.Steps, func(s *plan.Step) bool { return s.Runner.Name == runner })
				})
			}
		}
		if templateText(bt.Test) != templateText(ht.Test) {
			d.add(&Change{Kind: "runner", ID: name + ".test", Change: "changed", Detail: "how the " + name + " target runs tests"})
			mark(func(p *plan.Product) bool { return len(p.Tests) > 0 })
		}
	}
}

// optionText renders a target setting for comparison and reports.
func optionText(o *plan.Option) string {
	switch {
	case o == nil:
		return "unset"
	case o.Duration != 0:
		return plan.FormatDuration(o.Duration)
	case o.Strings != nil:
		return "[" + strings.Join(o.Strings, ", ") + "]"
	case o.String != "":
		return o.String
	}
	return strconv.FormatInt(o.Number, 10)
}

// templateText renders a job template for comparison.
func templateText(j *plan.JobTemplate) string {
	if j == nil {
		return ""
	}
	var vars []string
	for _, v := range j.Variables {
		vars = append(vars, v.Name+"="+v.Value)
	}
	return strings.Join([]string{j.Image, j.Operator, j.Kind, j.SQL, strings.Join(j.Script, "\n"), strings.Join(vars, "\n")}, "\x00")
}

func (d *differ) policies(base, head []Policy) {
	pair(base, head, func(p Policy) string { return policyID(p.Domain, p.Name) }, func(id string, x, y Policy) {
		switch {
		case x.Name == "":
			d.add(&Change{Domain: y.Domain, Kind: "policy", ID: id, Change: "added", Detail: fmt.Sprintf("%s, on %s%s", y.Enforcement, y.On, inactive(y))})
		case y.Name == "":
			d.add(&Change{Domain: x.Domain, Kind: "policy", ID: id, Change: "removed", Detail: x.Enforcement})
		default:
			var what []string
			if x.Enforcement != y.Enforcement {
				what = append(what, "enforcement "+x.Enforcement+" -> "+y.Enforcement)
			}
			if x.Active != y.Active {
				what = append(what, fmt.Sprintf("active %t -> %t", x.Active, y.Active))
			}
			if x.On != y.On {
				what = append(what, "on "+x.On+" -> "+y.On)
			}
			for _, f := range []struct{ name, x, y string }{
				{"set", x.Rule.Set, y.Rule.Set},
				{"domains", x.Rule.Domains, y.Rule.Domains},
				{"when", x.Rule.When, y.Rule.When},
				{"assert", x.Rule.Assert, y.Rule.Assert},
				{"message", x.Rule.Message, y.Rule.Message},
			} {
				if !sameCode(f.x, f.y) {
					what = append(what, f.name+" "+orNone(oneLine(f.x))+" -> "+orNone(oneLine(f.y)))
				}
			}
			if x.Rule.Description != y.Rule.Description {
				what = append(what, "new description") // prose, too long to quote
			}
			if len(what) > 0 {
				d.add(&Change{Domain: y.Domain, Kind: "policy", ID: id, Change: "changed", Detail: strings.Join(what, "; ")})
			}
		}
	})
}

func inactive(p Policy) string {
	if !p.Active {
		return " (in a set the mesh does not use)"
	}
	return ""
}

func (d *differ) waivers(base, head []Waiver) {
	pair(base, head, func(w Waiver) string { return policyID(w.Domain, w.Name) }, func(id string, x, y Waiver) {
		switch {
		case x.Name == "":
			d.add(&Change{Domain: y.Domain, Kind: "waiver", ID: id, Change: "added", Detail: fmt.Sprintf("of %s for %s, until %s, approved by %s", y.Policy, strings.Join(y.Objects, ", "), y.Expires, y.Approver)})
		case y.Name == "":
			d.add(&Change{Domain: x.Domain, Kind: "waiver", ID: id, Change: "removed", Detail: "of " + x.Policy})
		default:
			var what []string
			if x.Expires != y.Expires {
				what = append(what, "expires "+x.Expires+" -> "+y.Expires)
			}
			if ob, oh := strings.Join(x.Objects, ", "), strings.Join(y.Objects, ", "); ob != oh {
				what = append(what, "objects "+ob+" -> "+oh)
			}
			if x.Approver != y.Approver {
				what = append(what, "approver "+x.Approver+" -> "+y.Approver)
			}
			if x.Policy != y.Policy {
				what = append(what, "policy "+x.Policy+" -> "+y.Policy)
			}
			if x.Reason != y.Reason {
				what = append(what, "new reason") // prose, too long to quote
			}
			if len(what) > 0 {
				d.add(&Change{Domain: y.Domain, Kind: "waiver", ID: id, Change: "changed", Detail: strings.Join(what, "; ")})
			}
		}
	})
}

func policyID(domain, name string) string {
	if domain == "" {
		return name
	}
	return domain + "." + name
}

// affected lists the changed products of head and everything downstream
// of them, in head's dependency order. A removed product's consumers are
// changed too (their inputs changed), so they are listed through that.
func (d *differ) affected() []string {
	run := map[*plan.Product]bool{}
	var mark func(p *plan.Product)
	mark = func(p *plan.Product) {
		if run[p] {
			return
		}
		run[p] = true
		for _, down := range p.Downstreams {
			mark(down)
		}
	}
	for _, p := range d.head.Products {
		if d.changed[p.ID] {
			mark(p)
		}
	}
	var out []string
	for _, p := range d.head.Products {
		if run[p] {
			out = append(out, p.ID)
		}
	}
	return out
}

// pair matches the items of the two revisions by key and calls f for each
// key, sorted, with the base's item and the head's (the zero value on the
// side that lacks it).
func pair[T any](base, head []T, key func(T) string, f func(key string, x, y T)) {
	b, h := byKey(base, key), byKey(head, key)
	for _, k := range keys(b, h) {
		f(k, b[k], h[k])
	}
}

func byKey[T any](items []T, key func(T) string) map[string]T {
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[key(it)] = it
	}
	return m
}

// keys returns the keys of both maps, sorted.
func keys[T any](a, b map[string]T) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func domainName(d *plan.Domain) string { return d.Name }

// columnKey is a column's name as Snowflake and meshc's checker tell
// columns apart: unquoted, with its ASCII letters upper-cased.
func columnKey(c *plan.Column) string  { return asciiUpper(c.Name) }
func sourceID(s *plan.Source) string   { return s.ID }
func productID(p *plan.Product) string { return p.ID }
func productIDs(ps []*plan.Product) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func unique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// major returns a version's major number, or -1; check refuses numbers
// beyond int64, so they are read as such on every platform.
func major(v string) int64 {
	n, err := strconv.ParseInt(strings.SplitN(strings.TrimPrefix(v, "v"), ".", 2)[0], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func columnList(cols []*plan.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + " " + c.Type.String()
	}
	return strings.Join(parts, ", ")
}

// inputColumns lists the columns an input reads, each with the type the
// reader declares for it, if any: a reader that now expects another type
// has changed what it relies on, though it reads the same columns.
func inputColumns(in *plan.Input) string {
	parts := make([]string, len(in.Columns))
	for i, c := range in.Columns {
		parts[i] = c.Name
		if in.Expected != nil && in.Expected[i].Name != "" {
			parts[i] += " " + in.Expected[i].String()
		}
	}
	return strings.Join(parts, ", ")
}

// sameColumns reports whether two lists of columns have the same names,
// in the same order, of equal types: a source's column rewritten from
// string to string(16777216) is the same column.
func sameColumns(a, b []*plan.Column) bool {
	return slices.EqualFunc(a, b, func(x, y *plan.Column) bool { return x.Name == y.Name && x.Type.Equal(y.Type) })
}

// sameColumnsRead reports whether two inputs read the same columns, in
// the same order, whatever the case of their names, each expecting an
// equal type or none: a reader that now writes string(16777216) for
// string still expects the same column.
func sameColumnsRead(x, y *plan.Input) bool {
	if len(x.Columns) != len(y.Columns) {
		return false
	}
	expected := func(in *plan.Input, i int) plan.Type {
		if in.Expected == nil {
			return plan.Type{}
		}
		return in.Expected[i]
	}
	for i := range x.Columns {
		if !strings.EqualFold(x.Columns[i].Name, y.Columns[i].Name) || !expected(x, i).Equal(expected(y, i)) {
			return false
		}
	}
	return true
}

func inputFrom(in *plan.Input) string {
	if in.Source != nil {
		return "source " + in.Source.ID
	}
	return "port " + in.Port.ID
}

func scheduleText(s plan.Schedule) string {
	var parts []string
	if s.Cadence != nil {
		parts = append(parts, s.Cadence.String())
	}
	if s.OnInputs {
		parts = append(parts, "on its inputs")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " and ") + " (" + s.Timezone + ")"
}

func slaText(s *plan.SLA) string {
	if s == nil {
		return "none"
	}
	return "freshness " + plan.FormatDuration(s.Freshness)
}

func deprecationText(dep *plan.Deprecation) string {
	if dep == nil {
		return "none"
	}
	return dep.Date
}

// stepChanges says what differs between two versions of a step: its
// runner, what it runs after, and which arguments, including the content
// of the files and folders it passes (an edited .sql file changes the
// step). A dbt step without project_dir builds the project in the mesh's
// root folder (the runner's default), whose files are its argument too.
func (d *differ) stepChanges(x, y *plan.Step) string {
	var what []string
	if x.Runner.Name != y.Runner.Name {
		what = append(what, "runner "+x.Runner.Name+" -> "+y.Runner.Name)
	}
	after := func(s *plan.Step) string {
		var names []string
		for _, a := range s.After {
			names = append(names, a.Name)
		}
		return "[" + strings.Join(names, ", ") + "]"
	}
	if ax, ay := after(x), after(y); ax != ay {
		what = append(what, "after "+ax+" -> "+ay)
	}
	args := func(files *digests, s *plan.Step) map[string]string {
		m := map[string]string{}
		for _, a := range s.Args {
			v := a.Type + "\x00" + strings.Join(a.Words(), "\x00")
			if a.Type == "file" || a.Type == "dir" {
				v += files.of(a.String)
			}
			m[a.Name] = v
		}
		if _, set := m["project_dir"]; !set && s.Runner.Stdlib && s.Runner.Name == "dbt" {
			m["project_dir"] = "default\x00" + files.of(".")
		}
		return m
	}
	ax, ay := args(&d.baseDigests, x), args(&d.headDigests, y)
	var changed []string
	for _, name := range keys(ax, ay) {
		if ax[name] != ay[name] {
			changed = append(changed, name)
		}
	}
	if len(changed) > 0 {
		what = append(what, "arguments "+strings.Join(changed, ", "))
	}
	return strings.Join(what, "; ")
}

// digests hashes the files and folders of one revision that steps pass,
// each once: every dbt step without project_dir passes the whole mesh.
type digests struct {
	root fs.FS // nil when the mesh has no files to read
	done map[string]string
}

func (f *digests) of(name string) string {
	if h, ok := f.done[name]; ok {
		return h
	}
	if f.done == nil {
		f.done = map[string]string{}
	}
	f.done[name] = digest(f.root, name)
	return f.done[name]
}

// digest hashes a file, or a folder's files and their names, of a mesh;
// "" when the mesh has no files to read. A folder's .git is left out: a
// repository's own files (or, in a submodule, the file that points to
// them), which no commit holds, so that a work tree and a commit of it
// hash alike. So are its mesh files, which the diff compares for what
// they declare, and the files meshc generated from them (gen/, when it
// is committed): a dbt project in the mesh's root folder (the dbt
// runner's default) does not change with every edit to the mesh.
func digest(root fs.FS, name string) string {
	if root == nil {
		return ""
	}
	h := sha256.New()
	_ = fs.WalkDir(root, name, func(p string, e fs.DirEntry, err error) error {
		switch {
		case e == nil || p == name:
		case e.Name() == ".git" && e.IsDir():
			return fs.SkipDir
		case e.Name() == ".git", e.Name() == "mesh.hcl", strings.HasSuffix(e.Name(), ".mesh.hcl"):
			return nil
		}
		if err != nil || e.IsDir() {
			return nil
		}
		data, err := fs.ReadFile(root, p)
		if err != nil || p != name && output.IsGenerated(data) {
			return nil
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
		h.Write(data)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}
