package shell

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	_ "github.com/meshc/meshc/internal/golden"
)

func TestQuoteRoundTripsThroughSh(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	hostile := []string{
		"", "plain", "two words", "it's", `"dq"`, "$HOME", "${HOME}", "`id`", "$(id)",
		"a;b", "a|b", "a&&b", "x > /tmp/f", "*", "?", "~root", "#c", "\\", "new\nline",
		"tab\tx", "-n", "--flag=x", "'", "''", "ünï", "a'b'c",
	}
	for _, s := range hostile {
		out, err := exec.Command("sh", "-c", "printf %s "+Quote(s)).Output()
		if err != nil {
			t.Fatalf("sh on %q: %v", s, err)
		}
		if string(out) != s {
			t.Errorf("Quote(%q) = %s; sh printed %q", s, Quote(s), out)
		}
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		line   string
		values map[string]Value
		want   string
	}{
		{"dbt build --select {{select}} {{--project-dir project_dir}}",
			map[string]Value{"select": Words("tag:x+"), "project_dir": nil},
			"dbt build --select tag:x+"},
		{"a {{x}} {{y}} b", map[string]Value{"x": nil, "y": Words("1")}, "a 1 b"},
		{"{{x}} b", map[string]Value{"x": nil}, "b"},
		{"a{{x}}b", map[string]Value{"x": nil}, "ab"},
		{"x={{a}} y", map[string]Value{"a": nil}, "x= y"},
		{"cmd --out={{a}} --verbose", map[string]Value{"a": nil}, "cmd --out= --verbose"},
		{"a {{a}}{{b}} c", map[string]Value{"a": nil, "b": Words("1")}, "a 1 c"},
		{"a {{a}} {{b}}", map[string]Value{"a": nil, "b": nil}, "a"},
		{"dbt build --select {{select}} {{--project-dir project_dir}}",
			map[string]Value{"select": Words("a b"), "project_dir": Words("dbt/my proj")},
			"dbt build --select 'a b' --project-dir 'dbt/my proj'"},
		{"python {{script}} {{args}}",
			map[string]Value{"script": Words("x.py"), "args": Words("--in", "it's")},
			`python x.py --in 'it'\''s'`},
		{"run --token={{token}}",
			map[string]Value{"token": {{Text: "MESHC_SECRET_T", Variable: true}}},
			`run --token="$MESHC_SECRET_T"`},
		{"no placeholders", nil, "no placeholders"},
	}
	for _, tt := range tests {
		tmpl, err := parseLine(tt.line)
		if err != nil {
			t.Fatalf("parseLine(%q): %v", tt.line, err)
		}
		got, err := tmpl.Render(tt.values)
		if err != nil || got != tt.want {
			t.Errorf("Render(%q) = %q, %v; want %q", tt.line, got, err, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, line := range []string{"{{}}", "{{a b c}}", "{{Select}}", "{{x", "y}}", "{{'-f' x}}", "{{-f\" x}}",
		"echo '{{x}}'", `echo "{{x}}"`, "echo `{{x}}`", `echo \{{x}}`, `echo "a \" {{x}}"`, "cat <<EOF\n{{x}}\nEOF", "cat <<'EOF'\n{{x}}\nEOF"} {
		if _, err := parseLine(line); err == nil {
			t.Errorf("parseLine(%q) succeeded", line)
		}
	}
	tmpl, _ := parseLine("a {{x}} {{-f y}} {{x}}")
	if got := strings.Join(tmpl.Names(), ","); got != "x,y" {
		t.Errorf("Names = %s", got)
	}
	if _, err := parseLine("python - {{x}} <<'PY'\nprint(1)\nPY"); err != nil {
		t.Errorf("a placeholder before a here-document: %v", err)
	}
	for line, glued := range map[string]bool{
		"a {{x}} b": false, "{{x}}": false, "a;{{x}}|b": false, "X={{x}} cmd": true, "a {{x}}b": true, "{{y}}{{x}}": true,
	} {
		tmpl, err := parseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		if got := tmpl.Glued("x"); got != glued {
			t.Errorf("Glued(%q) = %v, want %v", line, got, glued)
		}
	}
}

// TestBare checks the loop against the rule it implements.
func TestBare(t *testing.T) {
	rule := regexp.MustCompile(`^[A-Za-z0-9_./,:=+@%-]+$`)
	for c := range 256 {
		for _, s := range []string{string(rune(c)), "a" + string(rune(c)), string([]byte{byte(c)}), "x" + string([]byte{byte(c)}) + "y"} {
			if got, want := bare(s), rule.MatchString(s); got != want {
				t.Errorf("bare(%q) = %v, want %v", s, got, want)
			}
		}
	}
	if bare("") {
		t.Error(`bare("") = true`)
	}
}

// TestParseScript checks that a quote or here-document one line of a
// script leaves open holds the lines after it, as Airflow runs them as one
// command: a placeholder there is refused, on the line it is on, and one
// after the here-document's end is not.
func TestParseScript(t *testing.T) {
	for _, tt := range []struct {
		lines []string
		bad   int // the line refused, -1 for none
	}{
		{[]string{"cat <<EOF", "{{x}}", "EOF"}, 1},
		{[]string{`echo "`, "{{x}}", `"`}, 1},
		{[]string{"echo '", "{{x}}", "'"}, 1},
		{[]string{`echo \`, "{{x}}"}, -1}, // a backslash before a line break joins the lines, outside quotes
		{[]string{"cat <<$END", "{{x}}", "$END"}, 1},
		{[]string{"cat <<{{x}}", "{{x}}"}, 1},
		{[]string{"cat <<EOF > f\nbody\nEOF", "run {{x}}"}, -1},
		{[]string{"cat <<-EOF > f\n\tbody\n\tEOF", "run {{x}}"}, -1},
		{[]string{"cat <<'EOF' > f", "body", "EOF", "run {{x}}"}, -1},
		{[]string{`cat <<"EOF" > f`, "EOF not yet", "EOF", "run {{x}}"}, -1},
		{[]string{"cat <<EOF > f", "EOFX", "run {{x}}"}, 2},
		{[]string{"cat <<< word", "run {{x}}"}, -1},
		{[]string{"run {{x}}", "cat <<EOF", "body {{y}}", "EOF"}, 2},
		{[]string{"sh -c '{{x}}'", "run {{x}}"}, 0},
		{[]string{"echo {{x", "run {{x}}"}, 0},
		{[]string{"cat <<A 3<<B", "B", "{{x}}", "A", "B"}, 2},
		{[]string{"cat <<EOF{{y}} > f", "EOF", "echo {{x}}"}, 2},
		{[]string{"cat <<EOF", "note \\", "EOF", "{{x}}", "EOF"}, 3},
		// Comments: a quote in one holds nothing; a placeholder in one is
		// refused, as a value's line break would end it.
		{[]string{"# it's a comment", "run {{x}}"}, -1},
		{[]string{"run {{x}} # it's the last word", "run {{y}}"}, -1},
		{[]string{"echo a#'b", "{{x}}"}, 1},
		{[]string{"echo {{x}}#'b", "{{y}}'"}, 1},
		{[]string{"# run {{x}}"}, 0},
		{[]string{`echo \`, "# {{x}}"}, 1},
		{[]string{"cat <<EOF # it's here", "body", "EOF", "run {{x}}"}, -1},
		{[]string{"cat <<EOF # it's here", "{{x}}", "EOF"}, 1},
		// Arithmetic: << is a shift, and a placeholder is refused.
		{[]string{"echo $(( 1 << 2 ))", "run {{x}}"}, -1},
		{[]string{"(( n <<= 1 ))", "run {{x}}"}, -1},
		{[]string{"echo $(( $((1 << 2)) + 1 )) <<EOF", "{{x}}", "EOF"}, 1},
		{[]string{"echo $(( {{x}} + 1 ))"}, 0},
		// bash's $'...': a backslash escapes the quote.
		{[]string{`echo $'it\'s'`, "run {{x}}"}, -1},
		{[]string{"echo $'{{x}}'"}, 0},
		{[]string{"echo ${{x}}"}, 0},
		{[]string{"echo $\\", "{{x}}"}, 1},
		// A comment's line break ends it: a # at the next line's start
		// starts another.
		{[]string{"# first comment", "# run {{x}}"}, 1},
		{[]string{"echo hi # c", "# old: run {{x}}"}, 1},
		{[]string{"# c", "(( n <<= 1 ))", "run {{x}}"}, -1},
		// and ends the command: the next line's first word is a command's
		// name.
		{[]string{"# c", "let n={{x}}"}, 1},
		{[]string{"echo # c", `"let" n={{x}}`}, 1},
		{[]string{"let # c", "run {{x}}"}, -1},
		// Where bash reads a value as an arithmetic expression.
		{[]string{"echo ${a[{{x}}]}"}, 0},
		{[]string{"echo ${s:{{x}}}"}, 0},
		{[]string{"echo ${x:-{{x}}}"}, 0},
		{[]string{"echo $[ {{x}} + 1 ]"}, 0},
		{[]string{"[[ {{x}} -eq 1 ]] && echo one"}, 0},
		{[]string{"[[ -n $a ]] && echo {{x}}"}, -1},
		{[]string{"let n={{x}}+1"}, 0},
		{[]string{"a[{{x}}]=1"}, 0},
		{[]string{"declare -i n", "n={{x}}"}, 1},
		{[]string{"local v={{x}}"}, 0},
		{[]string{"if true; then let n={{x}}; fi"}, 0},
		{[]string{"X=1 declare -i n={{x}}"}, 0},
		{[]string{"dbt build --target local --select {{x}}"}, -1},
		{[]string{"echo let {{x}}", "echo declare -i n", "n={{x}}"}, -1},
		{[]string{"let n=1; echo {{x}}"}, -1},
		{[]string{"declare -a list", "n={{x}}"}, -1},
		{[]string{"[ {{x}} = y ] && echo ok", "ls file[0-9] {{x}}"}, -1},
		{[]string{"echo ${HOME} {{x}}", "echo ${#list[@]} {{x}}"}, -1},
		// Several here-documents on a line: their bodies follow it in turn.
		{[]string{"cat <<A <<B", "A", "B", "echo {{x}}"}, -1},
		{[]string{"cat <<A <<B", "A", "{{x}}", "B"}, 2},
		{[]string{"cat <<A <<B", "B", "A", "{{x}}", "B"}, 3},
		{[]string{"cat <<A <<-'B' > f", "A", "\tB", "run {{x}}"}, -1},
		{[]string{"cat <<A <<$B", "A", "$B", "{{x}}"}, 3},
		{[]string{"cat <<A; cat <<B", "A", "B", "run {{x}}"}, -1},
		{[]string{"cat <<A <<B{{y}}", "A", "B", "{{x}}"}, 3},
		// A [ right before a placeholder is no test command: the word goes
		// on, and may be a subscript, as in a=([i]=v).
		{[]string{"a=([{{x}}]=1)"}, 0},
		{[]string{"echo [{{x}}]"}, 0},
		// export and readonly assign words, which only an integer or a
		// nameref reads as more; a declare -i or -n anywhere refuses every
		// placeholder, as a value reaches a variable in many ways.
		{[]string{"export DBT_PROFILES_DIR={{dir}}", "readonly TARGET={{x}}", "export {{x}}"}, -1},
		{[]string{"declare -i n; export n={{x}}"}, 0},
		{[]string{"declare -i n; readonly {{x}}"}, 0},
		{[]string{"declare -i n; read n <<< {{x}}"}, 0},
		{[]string{"n={{x}}", "declare -i n"}, 0},
		{[]string{`declare "-i" n`, "n={{x}}"}, 1},
		{[]string{`declare \-i n`, "n={{x}}"}, 1},
		{[]string{"declare $opts n", "n={{x}}"}, 1},
		{[]string{"f() { local -n r=$1; }", "r={{x}}"}, 1},
		{[]string{"declare -n r", "for r in {{x}}; do echo $r; done"}, 1},
		{[]string{"declare -x v=1 -r w=2", "f() { local v=$1; }", "run {{x}}"}, -1},
		// The command's name as bash finds it: its quotes removed, after
		// builtin, command or time, and past a redirection.
		{[]string{`l\et n={{x}}`}, 0},
		{[]string{`"let" n={{x}}`}, 0},
		{[]string{`$"let" {{x}}`}, 0},
		{[]string{`$'let' {{x}}`}, 0},
		{[]string{"builtin let n={{x}}"}, 0},
		{[]string{"command -p let n={{x}}"}, 0},
		{[]string{"time -p let n={{x}}"}, 0},
		{[]string{"let 2>&1 n={{x}}"}, 0},
		{[]string{"let &>/dev/null n={{x}}"}, 0},
		{[]string{"run {{x}} 2>&1 | tee {{y}}", "run >| {{y}} {{x}}"}, -1},
		{[]string{">f let n={{x}}"}, 0},
		{[]string{"2>/dev/null let n={{x}}"}, 0},
		{[]string{"function f { let n={{x}}; }"}, 0},
		{[]string{"coproc let n={{x}}"}, 0},
		// A variable's name, whose array subscript is arithmetic.
		{[]string{"printf -v {{x}} %s 1"}, 0},
		{[]string{"printf -v{{x}} 1"}, 0},
		{[]string{"[ -v {{x}} ]"}, 0},
		{[]string{"test -v {{x}}"}, 0},
		{[]string{"read {{x}} <<< 1"}, 0},
		{[]string{"unset {{x}}"}, 0},
		{[]string{"read -r line <<< {{x}}", "read -r line < {{x}}", "printf -v out '%s' {{x}}"}, -1},
		// A variable a placeholder assigns to, named in arithmetic anywhere
		// in the script: bash reads its value as an expression.
		{[]string{"export N={{x}}", "echo $(( N + 1 ))"}, 0},
		{[]string{"(( n > 0 ))", "run {{y}}", "n={{x}}"}, 2},
		{[]string{"RETRIES={{x}}", "for (( i = 0; i < RETRIES; i++ )); do run; done"}, 0},
		{[]string{"for i in {{x}}; do sleep $((i * 10)); done"}, 0},
		{[]string{"read -r a b <<< {{x}}", "echo $[a + 1]"}, 0},
		{[]string{"printf -v out %s {{x}}", "let m=out+1"}, 0},
		{[]string{"n={{x}}; [[ $n -gt 0 ]]"}, 0},
		{[]string{"n={{x}}; echo ${a[n]}"}, 0},
		{[]string{"n={{x}}; a[$n]=1"}, 0},
		{[]string{"N={{x}}", "echo ${s:N} ${s: -1:N}"}, 0},
		{[]string{"n={{x}}", `m="$n"`, "(( m ))"}, 0},
		{[]string{"(( k ))", "k=${m}", "export m=$n", "n={{x}}"}, 3},
		{[]string{"T={{x}}", `echo ${T:-none} ${T:+--target "$T"}`, "k=$T"}, -1},
		{[]string{"n={{x}}; [[ -n $n ]] && [ \"$n\" -gt 0 ]"}, -1},
		{[]string{"for i in 1 2 3; do run {{x}} && break; sleep $((i * 10)); done"}, -1},
		{[]string{"echo $(( 0x1f + 16#ff )); x={{x}}; ff={{x}}"}, -1},
		// Shell code.
		{[]string{"eval echo {{x}}"}, 0},
		{[]string{"trap {{x}} EXIT"}, 0},
		{[]string{`eval "$(tool init -)"`, "trap 'rm -f f' EXIT", "run {{x}}"}, -1},
		// A command's name that is an expansion may be let or eval: the
		// script is refused as with declare -i. An expansion that is an
		// argument, an assignment's value or a file's name is a word.
		{[]string{"c=let", "$c n={{x}}"}, 1},
		{[]string{"run {{x}}", `"$c" -v`}, 0},
		{[]string{"run {{x}}", "if true; then ${c:-:} arg; fi"}, 0},
		{[]string{"run {{x}}", "X=1 $(which tool) arg"}, 0},
		{[]string{"run {{x}}", "`which tool` arg"}, 0},
		{[]string{"run {{x}}", "echo ok && $c"}, 0},
		{[]string{"c={{x}}", "$c"}, 0},
		{[]string{"run {{x}}", "echo $(date) $c", "a=($c $d) b=1", "X=$c run", "run 2>$log <<< $c", "cat <$f"}, -1},
		{[]string{"(( $n > 0 )) && [[ -n $a && $b == c ]] && run {{x}}", "echo $(( $n + 1 )) $[ $n ]"}, -1},
	} {
		_, errs := ParseScript(tt.lines)
		for i, err := range errs {
			if (err != nil) != (i == tt.bad) {
				t.Errorf("ParseScript(%q): line %d: %v; want the error on line %d", tt.lines, i, err, tt.bad)
			}
		}
	}
}

// parseLine parses a script of one line.
func parseLine(line string) (*Template, error) {
	ts, errs := ParseScript([]string{line})
	return ts[0], errs[0]
}

// TestScriptsRunInBash renders scripts that ParseScript accepts with
// hostile values and runs them with bash: each value must reach printf as
// the one word it is, whatever the comments, arithmetic and $'...' quotes
// around its placeholder.
func TestScriptsRunInBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script := []string{
		"# it's a comment, with a quote",
		`printf '[%s]' {{x}} # it's the last word`,
		`(( n = 1 << 2 )); printf '[%s]' "$n" $(( n << 1 )) $'it\'s' {{x}}`,
	}
	templates, errs := ParseScript(script)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
	}
	for _, value := range []string{"plain", "it's", "new\nline; id", "$(id)", "#c", "a b"} {
		var lines []string
		for _, tmpl := range templates {
			line, err := tmpl.Render(map[string]Value{"x": Words(value)})
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, line)
		}
		out, err := exec.Command("bash", "-c", strings.Join(lines, "\n")).Output()
		if err != nil {
			t.Fatalf("bash on %q: %v", lines, err)
		}
		if want := "[" + value + "][4][8][it's][" + value + "]"; string(out) != want {
			t.Errorf("value %q: bash printed %q, want %q", value, out, want)
		}
	}
}

// BenchmarkParseScriptCopies parses a script that copies a placeholder's
// value along a chain of 2,000 variables (v1=$v0, v2=$v1, ...) and names
// some of them in 300 arithmetic expressions: in the script's order, and
// reversed, where each copy reads a variable that a later line assigns.
func BenchmarkParseScriptCopies(b *testing.B) {
	const copies, uses = 2000, 300
	var chain []string
	for k := 1; k <= copies; k++ {
		chain = append(chain, fmt.Sprintf("v%d=$v%d", k, k-1))
	}
	var arithmetic []string
	for k := range uses {
		arithmetic = append(arithmetic, fmt.Sprintf("(( v%d > 0 ))", k*copies/uses))
	}
	inOrder := slices.Concat([]string{"v0={{x}}"}, chain, arithmetic)
	slices.Reverse(chain)
	reversed := slices.Concat(chain, []string{"v0={{x}}"}, arithmetic)
	for _, bb := range []struct {
		name   string
		script []string
	}{{"in-order", inOrder}, {"reversed", reversed}} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if _, errs := ParseScript(bb.script); errs[slices.Index(bb.script, "v0={{x}}")] == nil {
					b.Fatal("the placeholder's line is accepted")
				}
			}
		})
	}
}

// TestFollowCopiesAsPasses checks followCopies against what it stands
// for: passes over the copies in order, repeated until one adds nothing,
// on random scripts of few variables, so that copies meet in every order.
func TestFollowCopiesAsPasses(t *testing.T) {
	passes := func(direct []valued, copies []varCopy) []valued {
		all := slices.Clone(direct)
		for copied := true; copied; {
			copied = false
			for _, c := range copies {
				i := slices.IndexFunc(all, func(v valued) bool { return v.name == c.from })
				if i >= 0 && !slices.ContainsFunc(all, func(v valued) bool { return v.name == c.to }) {
					all = append(all, valued{c.to, all[i].line, all[i].ph})
					copied = true
				}
			}
		}
		return all
	}
	r := rand.New(rand.NewPCG(1, 2))
	name := func() string { return string(rune('a' + r.IntN(8))) }
	for range 20000 {
		var direct []valued
		for i := range r.IntN(4) {
			direct = append(direct, valued{name(), r.IntN(3), fmt.Sprintf("{{p%d}}", i)})
		}
		var copies []varCopy
		for range r.IntN(12) {
			copies = append(copies, varCopy{name(), name()})
		}
		if got, want := followCopies(direct, copies), passes(direct, copies); !slices.Equal(got, want) {
			t.Fatalf("followCopies(%v, %v) = %v, want %v", direct, copies, got, want)
		}
	}
}
