package shell

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileValues are values that run touch MARKER wherever the shell reads
// them as anything but one quoted word: as a command, an expansion, or an
// arithmetic expression, whose array subscripts run commands.
var hostileValues = []string{
	"$(touch MARKER)",
	"`touch MARKER`",
	"a[$(touch MARKER)]",
	"x\ntouch MARKER\n",
	"'; touch MARKER; '",
	"\\'; touch MARKER; #",
	"\"; touch MARKER; \"",
	"EOF\ntouch MARKER\nEOF",
	"n=a[$(touch MARKER)]", // for export {{x}} once n is an integer
}

// injects reports whether the script's lines, rendered with value in
// every placeholder, make bash touch MARKER in a folder of their own. The
// scripts are made of harmless commands only (echo, printf, cat, let,
// declare), and bash is given no input and two seconds.
func injects(t *testing.T, templates []*Template, value string) bool {
	t.Helper()
	var lines []string
	for _, tmpl := range templates {
		values := map[string]Value{}
		for _, name := range tmpl.Names() {
			values[name] = Words(value)
		}
		line, err := tmpl.Render(values)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	return touchesMarker(t, lines)
}

// touchesMarker reports whether bash, running the lines in a folder of
// their own, makes MARKER there.
func touchesMarker(t *testing.T, lines []string) bool {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", strings.Join(lines, "\n"))
	cmd.Dir = dir
	_ = cmd.Run() // a script may fail: what matters is what it ran
	_, err := os.Stat(filepath.Join(dir, "MARKER"))
	return err == nil
}

// checkNoInjection parses a script and, when meshc accepts it, runs it
// with each hostile value.
func checkNoInjection(t *testing.T, script []string) {
	templates, errs := ParseScript(script)
	for _, err := range errs {
		if err != nil {
			return // refused: nothing is rendered
		}
	}
	for _, value := range hostileValues {
		if injects(t, templates, value) {
			t.Fatalf("script %q, accepted, runs a command of the value %q", script, value)
		}
	}
}

// TestNoInjectionInBash runs scripts with placeholders where bash does not
// read a quoted word as one, and others where it does: whichever meshc
// accepts must run none of the values' commands.
func TestNoInjectionInBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, script := range [][]string{
		{"# first comment", "# run {{x}}"},
		{"echo hi # c", "# old: run {{x}}"},
		{"echo ${a[{{x}}]}"},
		{"echo ${s:{{x}}}"},
		{"echo $[ {{x}} + 1 ]"},
		{"[[ {{x}} -eq 1 ]] && echo one"},
		{"let n={{x}}+1"},
		{"a[{{x}}]=1"},
		{"declare -i n", "n={{x}}"},
		{"declare -i n={{x}}"},
		{"echo $\\", "{{x}}"},
		{"echo $(( {{x}} ))"},
		{"cat <<EOF", "{{x}}", "EOF"},
		{"echo '{{x}}'"},
		{"printf '[%s]' {{x}} # it's", "(( n = 1 << 2 )); echo $'it\\'s' {{x}}"},
		{"[ {{x}} = y ] && echo ok"},
		{"n={{x}}", "echo \"$n\""},
		{"cat <<A <<B", "A", "B", "echo {{x}}"},
		{"export DBT_PROFILES_DIR={{x}}", "readonly TARGET={{x}}", "export {{x}}", "echo \"$DBT_PROFILES_DIR\" \"$TARGET\""},
		{"a=(1)", "export {{x}}", "readonly {{x}}", "export n={{x}}"},
		{"read -r line <<< {{x}}", "printf -v out '%s' {{x}}", "echo \"$line\" \"$out\""},
		{"declare -i n; export n={{x}}"},
		{"declare -i n; export {{x}}"},
		{"declare -n r; r={{x}}; echo $r"},
		{"a=([{{x}}]=1)"},
		{"l\\et n={{x}}"},
		{"let 2>&1 n={{x}}"},
		{"eval echo {{x}}"},
		{"n={{x}}; [[ -n $n ]] && [ \"$n\" -gt 0 ]", "for i in 1 2; do echo {{x}}; echo $((i * 10)); done"},
		{"n={{x}}; echo $(( n ))"},
		{"T={{x}}", `echo ${T:-none} ${T:+--target "$T"} "${T:0:2}"`, "k=$T"},
		{"c=let", "$c n={{x}}"},
		{"c=let", "a=($c {{x}}); echo $(echo let) {{x}} $c; X=$c echo {{x}}"},
	} {
		checkNoInjection(t, script)
	}
}

// TestRefusedScriptsInjectInBash checks that refusing these scripts is
// not needless strictness: each, its placeholder filled in as meshc would
// fill it, runs a value's command in bash.
func TestRefusedScriptsInjectInBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, script := range []string{
		"declare -i n; export n={{x}}",
		"declare -i n; readonly n={{x}}",
		"declare -i n; export {{x}}",
		"declare -i n; read n <<< {{x}}",
		"declare -i n; printf -v n %s {{x}}",
		"declare -i n; for n in {{x}}; do :; done",
		"declare -i n; n=$(echo {{x}})",
		"n={{x}}; declare -i m; m=$n",
		`declare "-i" n; n={{x}}`,
		`declare \-i n; n={{x}}`,
		"f() { local -i n; n={{x}}; }; f",
		"declare -n r; r={{x}}; echo $r",
		"declare -n r; for r in {{x}}; do echo $r; done",
		"declare -n r; export r={{x}}; echo $r",
		"a=([{{x}}]=1)",
		`l\et n={{x}}`,
		`"let" n={{x}}`,
		"builtin let n={{x}}",
		"command -p let n={{x}}",
		`$"let" {{x}}`,
		`$'let' {{x}}`,
		"let 2>&1 n={{x}}",
		">f let n={{x}}",
		"2>/dev/null let n={{x}}",
		"function f { let n={{x}}; }; f",
		"coproc let n={{x}}; wait",
		"printf -v {{x}} %s 1",
		"[ -v {{x}} ]",
		"read {{x}} <<< 1",
		"a=(1); unset {{x}}",
		"eval echo {{x}}",
		"trap {{x}} EXIT",
		"n={{x}}; echo $(( n ))",
		"(( n > 0 )); n={{x}}; (( n > 0 ))",
		"export N={{x}}; for (( i = 0; i < N; i++ )); do :; done",
		"for i in {{x}}; do echo $((i * 10)); done",
		"read -r a <<< {{x}}; echo $[a + 1]",
		"printf -v out %s {{x}}; let m=out+1",
		"n={{x}}; [[ $n -gt 0 ]]",
		"a=(1 2); n={{x}}; echo ${a[n]}",
		"a=(1 2); n={{x}}; a[$n]=1",
		"s=abc; N={{x}}; echo ${s:N}",
		"s=abc; N={{x}}; echo ${s:1:N}",
		"n={{x}}; m=$n; (( m ))",
		"# c\nlet n={{x}}",
		"echo # c\n\"let\" n={{x}}",
		"c=let; $c n={{x}}",
		`c=eval; "$c" echo {{x}}`,
		"c=let; X=1 ${c} n={{x}}",
		"c=let; if true; then $c n={{x}}; fi",
		"$(echo let) n={{x}}",
		"`echo let` n={{x}}",
		`$'l\x65t' n={{x}}`,
	} {
		if _, errs := ParseScript([]string{script}); errs[0] == nil {
			t.Errorf("%q is accepted", script)
		}
		injected := false
		for _, value := range hostileValues {
			if touchesMarker(t, []string{strings.ReplaceAll(script, "{{x}}", Quote(value))}) {
				injected = true
				break
			}
		}
		if !injected {
			t.Errorf("%q, refused, runs none of the values' commands in bash", script)
		}
	}
}

// scriptTokens are what FuzzScriptInBash makes scripts of: harmless
// commands, placeholders, and every piece of syntax the parser follows.
var scriptTokens = []string{
	"echo ", "printf '[%s]' ", "cat ", "{{x}}", " ", "\n", "'", "\"", "`", "\\", "#",
	"$", "$((", "((", "))", "(", ")", "$[", "[", "]", "[[ ", " ]]", "${", "{", "}",
	"a", "n", "=", "1", "-", ";", "|", "&&", ":", "/", "*", ",", "let ", "declare -i n\n",
	"local ", "<<EOF\n", "EOF\n", "<<'EOF'\n", "<<<", "$'", "-eq ", "+", "<<",
	"export ", "readonly ", "declare -n r\n", "r", "read ", "printf -v ", "eval ", "builtin ",
	"\"let\" ", "<<A <<B\n", "A\n", "B\n", "2>&1 ", "test -v ", "unset ", "a=(1)\n",
	"for n in ", "; do ", "done", "export n=", "$n", "i",
}

// FuzzScriptInBash makes scripts of scriptTokens, one byte a token, and
// checks with bash that none meshc accepts runs a value's command.
func FuzzScriptInBash(f *testing.F) {
	if _, err := exec.LookPath("bash"); err != nil {
		f.Skip("no bash")
	}
	f.Add([]byte{10, 3, 5, 10, 0, 3})           // # {{x}}, then # echo {{x}}
	f.Add([]byte{20, 3, 21, 4, 32, 4, 3})       // [[ {{x}} ]] && {{x}}
	f.Add([]byte{38, 26, 27, 3})                // declare -i n, n={{x}}
	f.Add([]byte{0, 22, 25, 18, 3, 19, 24})     // echo ${a[{{x}}]}
	f.Add([]byte{2, 57, 58, 59, 0, 3})          // cat <<A <<B, A, B, echo {{x}}
	f.Add([]byte{38, 48, 26, 27, 3})            // declare -i n, export n={{x}}
	f.Add([]byte{50, 51, 27, 3, 30, 0, 11, 51}) // declare -n r, r={{x}}; echo $r
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 40 {
			return
		}
		var b strings.Builder
		for _, d := range data {
			b.WriteString(scriptTokens[int(d)%len(scriptTokens)])
		}
		checkNoInjection(t, strings.Split(b.String(), "\n"))
	})
}
