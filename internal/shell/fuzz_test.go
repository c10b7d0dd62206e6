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
	} {
		checkNoInjection(t, script)
	}
}

// scriptTokens are what FuzzScriptInBash makes scripts of: harmless
// commands, placeholders, and every piece of syntax the parser follows.
var scriptTokens = []string{
	"echo ", "printf '[%s]' ", "cat ", "{{x}}", " ", "\n", "'", "\"", "`", "\\", "#",
	"$", "$((", "((", "))", "(", ")", "$[", "[", "]", "[[ ", " ]]", "${", "{", "}",
	"a", "n", "=", "1", "-", ";", "|", "&&", ":", "/", "*", ",", "let ", "declare -i n\n",
	"local ", "<<EOF\n", "EOF\n", "<<'EOF'\n", "<<<", "$'", "-eq ", "+", "<<",
}

// FuzzScriptInBash makes scripts of scriptTokens, one byte a token, and
// checks with bash that none meshc accepts runs a value's command.
func FuzzScriptInBash(f *testing.F) {
	if _, err := exec.LookPath("bash"); err != nil {
		f.Skip("no bash")
	}
	f.Add([]byte{10, 3, 5, 10, 0, 3})       // # {{x}}, then # echo {{x}}
	f.Add([]byte{21, 3, 20, 4, 40, 3})      // [[ {{x}} ]] && {{x}}
	f.Add([]byte{43, 25, 27, 3, 5, 0, 3})   // declare -i n, n={{x}}
	f.Add([]byte{0, 22, 24, 17, 3, 18, 24}) // echo ${a[{{x}}]}
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
