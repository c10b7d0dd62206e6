package compiler

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// defaultClassifications apply when the mesh block does not list its own.
var defaultClassifications = []string{"public", "internal", "confidential", "restricted", "pii", "phi"}

// settings reads the mesh block, the defaults and the chosen environment.
func (c *compiler) settings() {
	m := c.mesh
	p := c.plan
	c.layers = map[string]int{}
	c.classifications = map[string]bool{}
	if m.Root != nil {
		p.Name, p.Description, p.Owner, p.Range = m.Root.Name, m.Root.Description.V, m.Root.Owner.V, m.Root.DeclRange
		p.OwnerRange = ownerRange(m.Root.Owner, m.Root.DeclRange)
		c.checkName("mesh", m.Root.Name, m.Root.NameRange)
		if m.Root.Owner.Set && strings.TrimSpace(m.Root.Owner.V) == "" {
			c.errorf("invalid-value", m.Root.Owner.Range, "Empty owner", "The mesh's owner is the platform team, who owns mesh.hcl, the shared folders and the files generated for the whole mesh: a team's e-mail address or handle. Give one, or remove owner.")
		}
		if m.Root.Layers.Set && len(m.Root.Layers.V) == 0 {
			c.errorf("invalid-value", m.Root.Layers.Range, "Empty list of layers", "List the layers, lowest first, such as [\"raw\", \"mastered\", \"integrated\", \"self_service\"], or remove layers if the mesh has none.")
		}
		for i, l := range m.Root.Layers.V {
			if j, dup := c.layers[l.V]; dup {
				c.errorf("duplicate-name", l.Range, "Duplicate layer", "The layer %q is listed twice (positions %d and %d). Each layer appears once, lowest first.", l.V, j+1, i+1)
				continue
			}
			c.checkName("layer", l.V, l.Range)
			c.layers[l.V] = i
			p.Layers = append(p.Layers, l.V)
		}
		for _, cl := range m.Root.Classifications.V {
			if c.classifications[cl.V] {
				c.errorf("duplicate-name", cl.Range, "Duplicate classification", "The classification %q is listed twice; remove one.", cl.V)
				continue
			}
			c.checkName("classification", cl.V, cl.Range)
			c.classifications[cl.V] = true
		}
	} else if mf := c.rootFileRange(); !mf.IsZero() && m.RootBlocks == 0 {
		c.errorf("missing-block", mf, "Missing mesh block",
			"mesh.hcl must declare the mesh, such as mesh \"pharma\" { layers = [\"raw\", \"mastered\", \"integrated\", \"self_service\"] }.")
	}
	if len(c.classifications) == 0 {
		for _, cl := range defaultClassifications {
			c.classifications[cl] = true
		}
	}
	c.classificationNames = sortedKeys(c.classifications)
	c.defaults()
	c.environment()
}

// rootFileRange points at the start of mesh.hcl, for problems with the file
// as a whole.
func (c *compiler) rootFileRange() diag.Range {
	for _, f := range c.mesh.Files {
		if f.Name == c.tree.Prefix+"mesh.hcl" {
			return f.Range(0, 0)
		}
	}
	return diag.Range{}
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (c *compiler) defaults() {
	d := plan.Defaults{Timezone: "UTC", Retries: 0, StartDate: "2024-01-01"}
	if df := c.mesh.Defaults; df != nil {
		if df.Timezone.Set {
			d.Timezone = c.timezone(df.Timezone)
		}
		if df.Retries.Set {
			if df.Retries.V < 0 || df.Retries.V > 100 {
				c.errorf("invalid-value", df.Retries.Range, "Retries out of range", "retries is how often a failed step is tried again: a whole number from 0 to 100.")
			} else {
				d.Retries, d.RetriesAt = int(df.Retries.V), df.Retries.Range
			}
		}
		if df.RetryDelay.Set {
			d.RetryDelay, _ = c.duration(df.RetryDelay)
		}
		if df.StartDate.Set {
			if _, ok := c.date(df.StartDate); ok {
				d.StartDate = df.StartDate.V
			}
		}
	}
	c.plan.Defaults = d
}

// timezone checks an IANA time zone name against a fixed list, so that a
// mesh that checks on one machine checks on all.
func (c *compiler) timezone(s ast.String) string {
	if ianaZones[s.V] {
		if clock := fixedOffsetZones[s.V]; clock != "" {
			c.warnf("timezone-fixed-offset", s.Range, "Time zone without daylight saving time",
				"%q is a fixed offset from UTC all year, though the clocks it is named after change: a schedule read in it runs an hour off their local time for most of the year. Write %s for the local clock, or \"UTC\" for a fixed time.",
				s.V, clock)
		}
		return s.V
	}
	zones := sortedKeys(ianaZones)
	hint := suggest.DidYouMean(s.V, zones)
	for _, name := range zones {
		if strings.EqualFold(name, s.V) {
			hint = fmt.Sprintf(" Did you mean %q?", name)
		}
	}
	if zone := zoneAbbreviations[strings.ToUpper(s.V)]; zone != "" {
		// A near miss among the zones' names would be another place:
		// PST is one letter from EST, CST three from CET.
		hint = fmt.Sprintf(" %s is an abbreviation of a clock, and abbreviations are ambiguous; did you mean %q?", s.V, zone)
	}
	c.errorf("invalid-value", s.Range, "Unknown time zone", "%q is not an IANA time zone name.%s Use a name such as \"UTC\", \"Europe/Zurich\" or \"America/New_York\".", s.V, hint)
	return "UTC"
}

// date checks a YYYY-MM-DD date.
func (c *compiler) date(s ast.String) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s.V)
	if err != nil || !datePattern.MatchString(s.V) {
		c.errorf("invalid-value", s.Range, "Invalid date", "%q is not a date; write dates as YYYY-MM-DD, for example \"2027-01-31\".", s.V)
		return time.Time{}, false
	}
	return t, true
}

func (c *compiler) environment() {
	envs := c.mesh.Environments
	seen := map[string]*ast.Environment{}
	for _, e := range envs {
		c.checkName("environment", e.Name, e.NameRange)
		if first, dup := seen[e.Name]; dup {
			c.duplicate("environment", e.Name, e.NameRange, first.DeclRange)
			continue
		}
		seen[e.Name] = e
		c.objectPart("database", e.Database)
		if e.SchemaPrefix.Set && e.SchemaPrefix.V != "" && !snowsql.IsIdentifier(e.SchemaPrefix.V) {
			c.errorf("invalid-name", e.SchemaPrefix.Range, "Invalid schema prefix", "%sA schema prefix is prepended to schema names, so it is a Snowflake identifier that needs no quotes: a letter or underscore, then letters, digits, underscores or $, for example \"DEV_\".", dollarsFault(e.SchemaPrefix.V))
		}
		c.sessionObject("warehouse", e.Warehouse, "TRANSFORM_WH")
		c.sessionObject("role", e.Role, "TRANSFORMER")
		if e.Connection.Set && !connectionID.MatchString(e.Connection.V) {
			c.errorf("invalid-value", e.Connection.Range, "Invalid connection", connectionIDRule, "connection")
		}
		if e.DbtTarget.Set && !dbtTargetName.MatchString(e.DbtTarget.V) {
			c.errorf("invalid-value", e.DbtTarget.Range, "Invalid dbt target", "dbt_target names a target of the dbt project's profile, which dbt steps then build with: a letter, digit or underscore, then letters, digits, underscores or hyphens, such as \"dev\".")
		}
	}
	if len(envs) == 0 {
		if r := c.rootFileRange(); !r.IsZero() {
			c.errorf("missing-block", r, "No environment",
				"A mesh declares at least one environment, which says where its tables live and how to connect, such as environment \"prod\" { database = \"PHARMA\" }, with its warehouse and connection.")
		}
		c.plan.Environment = &plan.Environment{Name: "none"}
		return
	}
	chosen := envs[0]
	for _, e := range envs {
		if e.Name == c.opts.Env {
			chosen = e
		}
	}
	c.plan.Environment = &plan.Environment{
		Name: chosen.Name, Description: chosen.Description.V, Database: chosen.Database.V,
		SchemaPrefix: chosen.SchemaPrefix.V, Warehouse: chosen.Warehouse.V, Role: chosen.Role.V,
		Connection: chosen.Connection.V, DbtTarget: chosen.DbtTarget.V, Range: chosen.DeclRange,
	}
}

// sessionObject checks an environment's warehouse or role. Snowflake
// names both by identifiers, as it names tables: the Snowflake target
// writes the warehouse into SQL, and GitLab and Airflow hand both to
// Snowflake's clients as written, which tools then write into USE
// statements. A name that needs no quotes means the same object in each;
// one that needs them ("Data Engineer", MY.WH) is another name quoted than
// unquoted, and unquoted is no name at all.
func (c *compiler) sessionObject(what string, s ast.String, example string) {
	if !s.Set {
		return
	}
	fault := identifierFault(s.V)
	if fault == "" {
		return
	}
	if strings.Contains(s.V, ".") && !strings.Contains(s.V, "$$") {
		fault = fmt.Sprintf("it holds a dot, but a %s is one name, not in a database or schema", what)
	}
	c.errorf("invalid-name", s.Range, fmt.Sprintf("Invalid %s name", what),
		"%q is not a %s name that needs no quotes: %s. Write the %s as one Snowflake identifier without quotes (a letter or underscore, then letters, digits, underscores or $), such as %q, which Snowflake resolves in upper case and every target passes on as written. A %s whose name needs quotes cannot be named here: rename it (ALTER %s ... RENAME TO), or use one named so.",
		clipName(s.V), what, fault, what, example, what, strings.ToUpper(what))
}

// connectionID is what an orchestrator's connection may be called: what
// Airflow allows a conn_id (RE_SANITIZE_CONN_ID and CONN_ID_MAX_LEN in
// airflow.models.connection), less the letters beyond ASCII, since one
// environment builds for every target.
var connectionID = regexp.MustCompile(`^[A-Za-z0-9_#!()\-.:/\\]{1,250}$`)

const connectionIDRule = "%s names an Airflow connection, and Airflow refuses a conn_id that is not 1 to 250 of the letters a-z and A-Z, digits and _ # ! ( ) - . : / \\, so the DAGs would never find it: write it as the connection is named in Airflow, such as \"snowflake_prod\"."

// dbtTargetName is what a dbt target may be called here: a profile's key,
// kept to names that need no quoting in a shell, YAML or SQL string.
var dbtTargetName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)
