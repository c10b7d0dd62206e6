package plan

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/meshc/meshc/lang/diag"
)

// Dump renders a plan as indented text, for golden tests and for reading
// what the compiler decided. Every line is stable: no pointers, no ranges
// other than file:line:col, no map order.
func Dump(p *Plan) []byte {
	var b bytes.Buffer
	w := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	w(0, "mesh %s", p.Name)
	w(1, "layers: %s", strings.Join(p.Layers, ", "))
	e := p.Environment
	w(1, "environment %s: database=%s schema_prefix=%q warehouse=%s role=%s connection=%s dbt_target=%s", e.Name, e.Database, e.SchemaPrefix, e.Warehouse, e.Role, e.Connection, e.DbtTarget)
	d := p.Defaults
	delay := "none"
	if d.RetryDelay > 0 {
		delay = FormatDuration(d.RetryDelay)
	}
	w(1, "defaults: timezone=%s retries=%d retry_delay=%s start_date=%s", d.Timezone, d.Retries, delay, d.StartDate)
	for _, dom := range p.Domains {
		// A folder's or a file's name may hold a line break or a tab:
		// shown as their symbols, each item stays on its line.
		w(1, "domain %s: layer=%s(%d) owner=%s schema=%s dir=%s", dom.Name, dom.Layer, dom.LayerIndex, dom.Owner, dom.Schema, diag.OneLine(dom.Dir))
	}
	for _, s := range p.Secrets {
		w(1, "secret %s: vault=%q name=%q", s.ID, s.Vault, s.Named)
	}
	for _, s := range p.Sources {
		w(1, "source %s: cadence=%s period=%s table=%s", s.ID, s.Cadence, FormatDuration(s.Cadence.Period), s.Table)
		for _, c := range s.Columns {
			w(2, "column %s", describeColumn(c))
		}
	}
	for _, pr := range p.Products {
		w(1, "product %s @ %s", pr.ID, diag.OneLine(pr.Range.String()))
		w(2, "version=%s owner=%s tags=[%s]", pr.Version, pr.Owner, strings.Join(pr.Tags, ", "))
		sched := "on_inputs"
		if pr.Schedule.Cadence != nil {
			sched = pr.Schedule.Cadence.String()
			if pr.Schedule.OnInputs {
				sched += " or on_inputs"
			}
		}
		w(2, "schedule: %s timezone=%s period=%s", sched, pr.Schedule.Timezone, FormatDuration(pr.Schedule.Period))
		if pr.SLA != nil {
			w(2, "sla: freshness=%s", FormatDuration(pr.SLA.Freshness))
		}
		if pr.Deprecation != nil {
			w(2, "deprecated: %s %q", pr.Deprecation.Date, pr.Deprecation.Message)
		}
		w(2, "upstreams: [%s] downstreams: [%s]", productIDs(pr.Upstreams), productIDs(pr.Downstreams))
		for _, in := range pr.Inputs {
			from := ""
			if in.Source != nil {
				from = "source " + in.Source.ID
			} else {
				from = "port " + in.Port.ID
			}
			var cols []string
			for _, c := range in.Columns {
				cols = append(cols, c.Name)
			}
			w(2, "input %s: %s [%s]", in.Name, from, strings.Join(cols, ", "))
		}
		for _, port := range pr.Ports {
			w(2, "port %s: %s %s %s consumers=[%s]", port.Name, port.Visibility, port.Kind, port.Object, productIDs(port.Consumers))
			for _, c := range port.Columns {
				w(3, "column %s", describeColumn(c))
			}
		}
		for _, s := range pr.Steps {
			var after []string
			for _, a := range s.After {
				after = append(after, a.Name)
			}
			w(2, "step %s: runner=%s after=[%s]", s.Name, s.Runner.Name, strings.Join(after, ", "))
			for _, a := range s.Args {
				w(3, "%s (%s) = %s", a.Name, a.Type, describeArg(a))
			}
		}
		for _, t := range pr.Tests {
			refs := ""
			for _, r := range t.References {
				refs += " reads=" + r.ID
			}
			w(2, "test %s: kind=%s severity=%s%s", t.ID, t.Kind, t.Severity, refs)
			for _, line := range strings.Split(t.SQL, "\n") {
				w(3, "| %s", line)
			}
		}
	}
	return b.Bytes()
}

func describeColumn(c *Column) string {
	s := c.Name + " " + c.Type.String()
	if !c.Nullable {
		s += " not null"
	}
	if c.Classification() != "" {
		s += " classification=" + c.Classification()
	}
	if c.Masking() != "" {
		s += " masking=" + c.Masking()
	}
	return s
}

func describeArg(a *Arg) string {
	switch a.Type {
	case "number":
		return fmt.Sprint(a.Number)
	case "bool":
		return fmt.Sprint(a.Bool)
	case "list(string)":
		return fmt.Sprintf("%q", a.List)
	case "secret":
		return "secret " + a.Secret.ID
	}
	return fmt.Sprintf("%q", a.String)
}

func productIDs(ps []*Product) string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return strings.Join(ids, ", ")
}
