package zones

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLinksAreCopies checks links against the tz database Go embeds: a
// link's file there is a copy of its zone's, so two names name one zone
// exactly when their files are the same bytes. Another Go release may
// bring another tz database; then regenerate links from its Link lines.
func TestLinksAreCopies(t *testing.T) {
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	zr, err := zip.OpenReader(filepath.Join(strings.TrimSpace(string(root)), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		if os.IsNotExist(err) {
			t.Skipf("no tz database beside Go: %v", err)
		}
		t.Fatal(err)
	}
	defer zr.Close()
	byData := map[string][]string{} // a zone file's bytes -> the names that have them
	names := map[string]bool{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		byData[string(data)] = append(byData[string(data)], f.Name)
		names[f.Name] = true
	}
	for link, zone := range links {
		if !names[link] || !names[zone] {
			t.Errorf("%s -> %s: not both in Go's tz database", link, zone)
		}
		if _, ok := links[zone]; ok {
			t.Errorf("%s -> %s, itself a link", link, zone)
		}
	}
	for _, same := range byData {
		for _, name := range same {
			if Of(name) != Of(same[0]) {
				t.Errorf("%s and %s are the same zone in Go's tz database, but Of gives %s and %s", name, same[0], Of(name), Of(same[0]))
			}
		}
	}
	if len(byData)+len(links) != len(names) {
		t.Errorf("Go's tz database has %d names in %d zones, but links has %d links: some zones are told apart that are one", len(names), len(byData), len(links))
	}
}

func TestOf(t *testing.T) {
	for name, want := range map[string]string{
		"US/Eastern":       "America/New_York",
		"America/New_York": "America/New_York",
		"UTC":              "Etc/UTC",
		"Etc/UTC":          "Etc/UTC",
		"GB":               "Europe/London",
		"Europe/Zurich":    "Europe/Zurich",
		"Europe/Oslo":      "Europe/Oslo", // a zone of its own with backzone, though tzdata's main data links it to Berlin
		"EST":              "America/Panama",
	} {
		if got := Of(name); got != want {
			t.Errorf("Of(%q) = %q, want %q", name, got, want)
		}
	}
}
