package shell

import (
	"strings"
	"testing"
)

// FuzzScript checks that no value can change how the shell reads a
// script meshc accepts: rendered with any value, every line leaves the
// quotes, comments, arithmetic and here-documents as the same line does
// with a plain word in each placeholder.
func FuzzScript(f *testing.F) {
	for _, seed := range []string{
		"dbt build --select {{select}} {{--project-dir project_dir}}",
		"# it's a comment\nrun {{x}} # it's\necho $(( 1 << 2 )) $'a\\'b'",
		"cat <<'EOF' > f\nbody\nEOF\nrun {{x}}",
		"echo \"a\" 'b' `c` \\\nrun {{x}}",
	} {
		f.Add(seed, "it's; $(id)\n# x")
	}
	f.Fuzz(func(t *testing.T, script, value string) {
		lines := strings.Split(script, "\n")
		templates, errs := ParseScript(lines)
		for _, err := range errs {
			if err != nil {
				return
			}
		}
		var plain, hostile quoteState
		for i, tmpl := range templates {
			values := map[string]Value{}
			for _, name := range tmpl.Names() {
				values[name] = Words(value)
			}
			got, err := tmpl.Render(values)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range tmpl.Names() {
				values[name] = Words("word")
			}
			want, _ := tmpl.Render(values)
			if i > 0 {
				plain.scan("\n")
				hostile.scan("\n")
			}
			plain.scan(want)
			hostile.scan(got)
			if plain.inside != hostile.inside || plain.heredoc != hostile.heredoc || plain.comment != hostile.comment || plain.arith != hostile.arith {
				t.Fatalf("line %d %q rendered with %q as %q leaves the shell in another state: %+v, not %+v", i, lines[i], value, got, hostile, plain)
			}
		}
	})
}
