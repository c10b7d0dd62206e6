package meshdiff

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/jsonout"
	"github.com/meshc/meshc/lang/diag"
)

// marks show a change's kind at the start of a text line.
var marks = map[string]string{"added": "+", "removed": "-", "changed": "~"}

// Summary says in one line what the report holds.
func (r *Report) Summary() string {
	if len(r.Changes) == 0 {
		return "no changes"
	}
	domains := map[string]bool{}
	unexcused := 0
	for _, c := range r.Changes {
		domains[c.Domain] = true
		if c.Unexcused() {
			unexcused++
		}
	}
	s := fmt.Sprintf("%s in %s, %s", plural(len(r.Changes), "change"), plural(len(domains), "area"), plural(len(r.Breaking()), "breaking change"))
	if unexcused > 0 {
		s += fmt.Sprintf(" (%d without a major version bump)", unexcused)
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// area names a change's domain, or says it is mesh-wide.
func area(domain string) string {
	if domain == "" {
		return "mesh-wide"
	}
	return domain
}

// line describes a change on one line.
func (c *Change) line() string {
	s := fmt.Sprintf("%s %s %s", c.Change, c.Kind, c.ID)
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	if c.Breaking {
		s += "; breaks " + strings.Join(c.Consumers, ", ")
		if c.Kind == "product" && c.Change == "removed" {
			return s
		}
		if c.MajorBump {
			s += " (the major version was bumped)"
		} else {
			s += " without a major version bump of " + c.Product
		}
	}
	return s
}

// WriteText writes the report for a terminal: the changes by domain, a
// breaking one marked with !, then a summary line. The mesh's words (an
// owner, a policy's message) are shown as diagnostics show them
// (diag.Printable), so that they cannot send the terminal escape
// sequences, move its cursor or reorder what it shows.
func (r *Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	domain := "\x00"
	for _, c := range r.Changes {
		if c.Domain != domain {
			if domain != "\x00" {
				b.WriteByte('\n')
			}
			domain = c.Domain
			fmt.Fprintln(&b, area(domain))
		}
		mark := marks[c.Change]
		if c.Breaking {
			mark = "!"
		}
		// A change is one line: a line break in the mesh's text would
		// let it pass for another change or the summary.
		fmt.Fprintf(&b, "  %s %s\n", mark, diag.OneLine(c.line()))
	}
	if len(r.Changes) > 0 {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "meshc diff: %s\n", r.Summary())
	_, err := w.Write(diag.Printable(b.Bytes()))
	return err
}

// WriteJSON writes the report as JSON, with every control character
// escaped (jsonout.Indented), so that it can be printed to a terminal or
// a CI log as safely as the text.
func (r *Report) WriteJSON(w io.Writer) error {
	if r.Changes == nil {
		r.Changes = []*Change{}
	}
	if r.Affected == nil {
		r.Affected = []string{}
	}
	data, err := jsonout.Indented(r, false)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// WriteMarkdown writes the report as a merge-request comment: a summary
// table per domain, the breaking changes, a Mermaid graph of the changed
// products and their consumers, and each domain's changes in a collapsed
// section. Text from the mesh is escaped, so that it cannot add markup.
func (r *Report) WriteMarkdown(w io.Writer, head *plan.Plan) {
	fmt.Fprintf(w, "### meshc diff: %s\n\n", md(r.Summary()))
	if len(r.Changes) == 0 {
		return
	}
	type counts struct{ added, removed, changed, breaking int }
	byDomain := map[string]*counts{}
	var domains []string
	changesIn := map[string][]*Change{} // in the report's order
	for _, c := range r.Changes {
		changesIn[c.Domain] = append(changesIn[c.Domain], c)
		n := byDomain[c.Domain]
		if n == nil {
			n = &counts{}
			byDomain[c.Domain] = n
			domains = append(domains, c.Domain)
		}
		switch c.Change {
		case "added":
			n.added++
		case "removed":
			n.removed++
		default:
			n.changed++
		}
		if c.Breaking {
			n.breaking++
		}
	}
	fmt.Fprintln(w, "| domain | added | removed | changed | breaking |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, d := range domains {
		n := byDomain[d]
		breaking := fmt.Sprint(n.breaking)
		if n.breaking > 0 {
			breaking = "**" + breaking + "**"
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %s |\n", md(area(d)), n.added, n.removed, n.changed, breaking)
	}

	if breaking := r.Breaking(); len(breaking) > 0 {
		fmt.Fprintln(w, "\n#### Breaking changes")
		fmt.Fprintln(w)
		for _, c := range breaking {
			verdict := "**no major version bump** of `" + c.Product + "`"
			switch {
			case c.Kind == "product" && c.Change == "removed":
				verdict = "the product is gone"
			case c.MajorBump:
				verdict = "major version bumped"
			}
			fmt.Fprintf(w, "- %s %s `%s`%s: breaks %s; %s\n", c.Change, c.Kind, c.ID, detail(c), codeList(c.Consumers), verdict)
		}
	}

	if g := r.mermaid(head); g != "" {
		fmt.Fprintln(w, "\n#### Changed products and their consumers")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "```mermaid")
		fmt.Fprint(w, g)
		fmt.Fprintln(w, "```")
	}

	fmt.Fprintln(w)
	for _, d := range domains {
		fmt.Fprintf(w, "<details><summary>%s: %s</summary>\n\n", htmlText(area(d)), plural(len(changesIn[d]), "change"))
		for _, c := range changesIn[d] {
			mark := ""
			if c.Breaking {
				mark = " (breaking)"
			}
			fmt.Fprintf(w, "- %s %s `%s`%s%s\n", c.Change, c.Kind, c.ID, detail(c), mark)
		}
		fmt.Fprintln(w, "\n</details>")
	}
}

func detail(c *Change) string {
	if c.Detail == "" {
		return ""
	}
	return ": " + md(c.Detail)
}

func codeList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "`" + id + "`"
	}
	return strings.Join(out, ", ")
}

// md escapes text for Markdown: HTML, the characters that start markup in
// a table cell or a list item, GitLab's references (@user, #issue,
// ~label), which would notify people or link unrelated items, and control
// characters. Line breaks and tabs become spaces and the other controls
// are shown as diagnostics show them (diag.Printable: a carriage return as
// ␍, the C1 controls and bidirectional overrides as �): CommonMark ends a
// line at a lone carriage return too, which would let the text close the
// list item and start a heading or a code block.
func md(s string) string {
	return mdEscaper.Replace(string(diag.Printable([]byte(s))))
}

// htmlText escapes s for the text of an HTML element, such as a
// <summary>: Markdown's backslash escapes are not read inside HTML, where
// md's market\_access would show its backslash. Entities are, so @ and #
// are kept from mentioning or linking as md keeps them.
func htmlText(s string) string {
	return htmlEscaper.Replace(string(diag.Printable([]byte(s))))
}

var htmlEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "@", "&#64;", "#", "&#35;", "~", "&#126;", "\n", " ", "\t", " ",
)

var mdEscaper = strings.NewReplacer(
	"\\", "\\\\", "&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
	"@", "&#64;", "#", "&#35;", "~", "&#126;", "\n", " ", "\t", " ",
)

// mermaid draws the affected products of head, changed ones highlighted,
// with the edges from each to the products that read it.
func (r *Report) mermaid(head *plan.Plan) string {
	if head == nil || len(r.Affected) == 0 {
		return ""
	}
	changed := map[string]bool{}
	breaking := map[string]bool{}
	for _, c := range r.Changes {
		if c.Product != "" {
			changed[c.Product] = true
			if c.Breaking {
				breaking[c.Product] = true
			}
		}
	}
	affected := map[string]bool{}
	for _, id := range r.Affected {
		affected[id] = true
	}
	node := func(id string) string { return "p_" + strings.ReplaceAll(id, ".", "__") }
	var b strings.Builder
	b.WriteString("graph LR\n")
	for _, p := range head.Products {
		if !affected[p.ID] {
			continue
		}
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", node(p.ID), p.ID)
	}
	for _, p := range head.Products {
		if !affected[p.ID] {
			continue
		}
		var downs []string
		for _, d := range p.Downstreams {
			if affected[d.ID] {
				downs = append(downs, d.ID)
			}
		}
		slices.Sort(downs)
		for _, d := range downs {
			fmt.Fprintf(&b, "  %s --> %s\n", node(p.ID), node(d))
		}
	}
	var changedIDs, breakingIDs []string
	for _, p := range head.Products {
		switch {
		case breaking[p.ID]:
			breakingIDs = append(breakingIDs, node(p.ID))
		case changed[p.ID] && affected[p.ID]:
			changedIDs = append(changedIDs, node(p.ID))
		}
	}
	if len(changedIDs) > 0 {
		fmt.Fprintf(&b, "  classDef changed fill:#fff3bf,stroke:#f08c00\n  class %s changed\n", strings.Join(changedIDs, ","))
	}
	if len(breakingIDs) > 0 {
		fmt.Fprintf(&b, "  classDef breaking fill:#ffe3e3,stroke:#e03131\n  class %s breaking\n", strings.Join(breakingIDs, ","))
	}
	return b.String()
}
