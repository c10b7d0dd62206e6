// Package cli implements meshc's command line: one function per
// subcommand, each parsing its own flags with pflag. cmd/meshc calls Main;
// the testscript tests call it too, in-process.
//
// Exit codes: 0 success (warnings allowed), 1 the mesh has errors, 2 the
// command line is wrong.
package cli

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/spf13/pflag"
)

// Exit codes.
const (
	exitOK    = 0
	exitMesh  = 1
	exitUsage = 2
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3";
// otherwise it comes from the module's build information.
var Version = ""

type command struct {
	name    string
	summary string
	run     func(env *env, args []string) int
}

// env is what a command writes to.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// The command's flags and its arguments as given (parse), for a
	// message to repeat the command (asGiven).
	flags *pflag.FlagSet
	args  []string
}

var commands []*command

func init() {
	commands = []*command{
		{"check", "Type-check a mesh and report every problem", runCheck},
		{"build", "Compile the mesh to GitLab CI pipelines, Airflow DAGs or Snowflake task graphs", runBuild},
		{"diff", "Compare the mesh with a base revision: changes, breaking changes, products to run", runDiff},
		{"manifest", "Write a JSON catalog of the mesh", runManifest},
		{"codeowners", "Write a GitLab CODEOWNERS file that follows domain ownership", runCodeowners},
		{"fmt", "Rewrite .mesh.hcl files in canonical format", runFmt},
		{"graph", "Print the mesh's lineage as DOT, Mermaid or JSON", runGraph},
		{"explain", "Print the checked plan, with every test's rendered SQL", runExplain},
		{"version", "Print meshc's version", runVersion},
		{"help", "Show help for meshc or one of its commands", runHelp},
	}
}

// Main runs meshc with the given arguments (without the program name) and
// returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help":
		usage(stdout)
		return exitOK
	case "-v", "--version":
		return runVersion(e, nil)
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "meshc: unknown command %q.%s Run 'meshc help' for the list.\n", args[0], nearestCommand(args[0]))
	return exitUsage
}

// synonyms are the names other tools give what a command does, which no
// spelling of the command is near.
var synonyms = map[string]string{
	"lineage":  "graph",
	"dag":      "graph",
	"validate": "check",
	"lint":     "check",
	"compile":  "build",
	"generate": "build",
	"format":   "fmt",
	"catalog":  "manifest",
}

// nearestCommand is " Did you mean ...?" for an unknown command name, with
// what the command does when it is named by a synonym, or "".
func nearestCommand(name string) string {
	if want, ok := synonyms[strings.ToLower(name)]; ok {
		for _, c := range commands {
			if c.name == want {
				return fmt.Sprintf(" Did you mean %q? (%s.)", want, c.summary)
			}
		}
	}
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return suggest.DidYouMean(name, names)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `meshc type-checks a data mesh described in .mesh.hcl files: every reference,
column contract, cycle, layer, schedule and credential, before anything runs.
It compiles the checked mesh to GitLab CI pipelines, Airflow DAGs or Snowflake
task graphs, and compares two revisions of it for code review.

Usage:
  meshc <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'meshc help <command>' or 'meshc <command> --help' for a command's flags.
Exit codes: 0 ok (warnings allowed), 1 the mesh has errors (or files out of date,
unformatted or not writable, or a breaking change with --fail-on-breaking), 2 usage errors.
`)
}

// flagSet makes a command's flag set, with a usage text printed by --help.
func flagSet(e *env, name, synopsis, description string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: meshc %s\n\n%s\n", synopsis, description)
		if fs.HasFlags() {
			fmt.Fprintf(e.stdout, "\nFlags:\n%s", fs.FlagUsages())
		}
	}
	return fs
}

// parse parses a command's flags. It returns done when the command should
// stop at once, with the exit code to return.
func parse(e *env, fs *pflag.FlagSet, args []string) (code int, done bool) {
	e.flags, e.args = fs, args
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		return exitOK, true
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "meshc %s: %s\nRun 'meshc %s --help' for usage.\n", fs.Name(), flagError(err), fs.Name())
		return exitUsage, true
	}
	return exitOK, false
}

// flagError says what is wrong with a flag's value in a user's words
// rather than Go's: pflag passes on strconv's own message ("strconv.
// ParseInt: parsing "2.9": invalid syntax").
func flagError(err error) string {
	var bad *pflag.InvalidValueError
	var num *strconv.NumError
	if !errors.As(err, &bad) || !errors.As(err, &num) {
		return err.Error()
	}
	what := "a whole number"
	switch {
	case bad.GetFlag().Value.Type() == "bool":
		what = "true or false"
	case num.Err == strconv.ErrRange:
		what = "a whole number of a size meshc can read"
	}
	f := bad.GetFlag()
	return fmt.Sprintf("--%s is %s, not %q: %s", f.Name, what, bad.GetValue(), f.Usage)
}

func usageError(e *env, cmd, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "meshc %s: %s\nRun 'meshc %s --help' for usage.\n", cmd, fmt.Sprintf(format, args...), cmd)
	return exitUsage
}

// plainPaths refuses, as a usage error, a path flag whose value holds a
// control character, naming the first such flag of names. A line break
// in --out would end the comment of a header that names it (CODEOWNERS's)
// or a line of CODEOWNERS, and reach GitLab's include paths; and no folder
// worth building into has one, so meshc does not try to write it safely.
func plainPaths(e *env, fs *pflag.FlagSet, names ...string) bool {
	for _, name := range names {
		v := fs.Lookup(name).Value.String()
		if r, bad := firstControl(v); bad {
			usageError(e, fs.Name(), "--%s %q holds a control character (U+%04X); choose a path without line breaks, tabs or other control characters", name, v, r)
			return false
		}
	}
	return true
}

// firstControl returns the first control character of a path, which
// meshc refuses in the paths it writes to or names: a line break would end
// a header's comment or a CODEOWNERS line.
func firstControl(p string) (rune, bool) {
	if i := strings.IndexFunc(p, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(p[i:])
		return r, true
	}
	return 0, false
}

// oneDir returns the single folder argument of a command, "." by default.
func oneDir(e *env, cmd string, args []string) (string, bool) {
	switch len(args) {
	case 0:
		return ".", true
	case 1:
		return args[0], true
	}
	usageError(e, cmd, "expected at most one mesh folder, got %d arguments: %s", len(args), strings.Join(args, " "))
	return "", false
}

// asGiven is the command cmd as the user gave it, as shell words, with
// its folder argument (the one argument that is no flag's value) replaced
// by dir, or dir added when it named none: the same command, with the
// same flags, run on another folder.
func (e *env) asGiven(cmd, dir string) string {
	folder := -1 // the folder argument's index in e.args
	for i := 0; i < len(e.args) && folder < 0; i++ {
		arg := e.args[i]
		switch {
		case arg == "--":
			// Everything after it is an argument, and so is a folder
			// added after it.
			folder = i + 1
		case strings.HasPrefix(arg, "--"):
			if name, _, inline := strings.Cut(arg[2:], "="); !inline && takesValue(e.flags.Lookup(name)) {
				i++
			}
		case strings.HasPrefix(arg, "-") && arg != "-":
			// Shorthands may run together (-ab); the first that takes a
			// value takes the rest of the word, or the next argument.
			for j := 1; j < len(arg); j++ {
				if takesValue(e.flags.ShorthandLookup(arg[j : j+1])) {
					if j == len(arg)-1 {
						i++
					}
					break
				}
			}
		default:
			folder = i
		}
	}
	words := []string{"meshc", cmd}
	for i, arg := range e.args {
		if i == folder {
			arg = dir
		}
		words = append(words, shell.Quote(arg))
	}
	if folder < 0 || folder == len(e.args) {
		words = append(words, shell.Quote(dir))
	}
	return strings.Join(words, " ")
}

// takesValue reports whether a flag reads the next argument as its value
// when none follows an = (a bool flag does not).
func takesValue(f *pflag.Flag) bool {
	return f != nil && f.NoOptDefVal == ""
}

func runVersion(e *env, args []string) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintln(e.stdout, "Usage: meshc version\n\nPrints meshc's version.")
			return exitOK
		}
		return usageError(e, "version", "takes no arguments")
	}
	fmt.Fprintf(e.stdout, "meshc %s\n", version())
	return exitOK
}

func version() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

func runHelp(e *env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(e, []string{"--help"})
		}
	}
	return usageError(e, "help", "unknown command %q.%s", args[0], nearestCommand(args[0]))
}
