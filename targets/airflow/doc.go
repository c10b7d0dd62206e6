package airflow

import (
	"fmt"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
)

// docMD is a DAG's documentation, which Airflow shows as Markdown on the
// DAG's page: the product's description, owner, schedule, service level,
// and the ports it reads and publishes.
func (b *builder) docMD(d *dag) string {
	p := d.product
	var w strings.Builder
	if p.Description != "" {
		w.WriteString(markdownText(strings.TrimSpace(p.Description)) + "\n\n")
	}
	item := func(name, format string, args ...any) {
		fmt.Fprintf(&w, "- **%s:** %s\n", name, fmt.Sprintf(format, args...))
	}
	item("Product", "`%s`, version %s", p.ID, markdownText(p.Version))
	if p.Owner != "" {
		item("Owner", "%s", markdownText(p.Owner))
	}
	item("Schedule", "%s", b.describeSchedule(d.schedule))
	if p.SLA != nil {
		item("Freshness", "published data is at most %s old", plan.FormatDuration(p.SLA.Freshness))
	}
	if p.Deprecation != nil {
		item("Deprecated", "stops on %s. %s", p.Deprecation.Date, markdownText(p.Deprecation.Message))
	}
	if len(p.Inputs) > 0 {
		w.WriteString("\nReads:\n\n")
		for _, in := range p.Inputs {
			if in.Source != nil {
				fmt.Fprintf(&w, "- source `%s` (%s)\n", in.Source.ID, markdownText(in.Source.Table.String()))
			} else {
				fmt.Fprintf(&w, "- port `%s` (%s)\n", in.Port.ID, markdownText(in.Port.Object.String()))
			}
		}
	}
	if len(p.Ports) > 0 {
		w.WriteString("\nPublishes:\n\n")
		for _, port := range p.Ports {
			fmt.Fprintf(&w, "- port `%s`: %s %s, %s\n", port.ID, port.Kind, markdownText(port.Object.String()), port.Visibility)
		}
	}
	return w.String()
}

func (b *builder) describeSchedule(s schedule) string {
	var parts []string
	if s.cadence != nil {
		when := fmt.Sprintf("`%s` (%s)", s.cadence.Cron, s.timezone)
		if s.from != "" {
			when += ", " + s.from
		}
		parts = append(parts, when)
	}
	if len(s.ports) > 0 {
		parts = append(parts, "when every port it reads has been published")
	}
	if len(parts) == 0 {
		return "only when triggered"
	}
	return strings.Join(parts, ", or ")
}

// markdownText keeps text from the mesh as text in Airflow's Markdown:
// HTML is escaped, so that a description cannot add markup to the page.
func markdownText(s string) string { return htmlEscaper.Replace(s) }

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
