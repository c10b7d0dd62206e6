package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/meshc/meshc/lang/load"
)

// indexFolder is where builds keep their indexes of output folders
// (docs/cli.md, "Cache"): meshc in the user's cache folder, even when
// MESHC_CACHE names another, since an index describes this machine's files
// and CI shares MESHC_CACHE between machines, where the index would only
// be uploaded for nothing; "" with MESHC_CACHE=off, or without a user
// cache folder.
func indexFolder() string {
	if strings.EqualFold(os.Getenv("MESHC_CACHE"), "off") {
		return ""
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "meshc")
}

// openCache opens the cache of decoded files that every command compiling
// a mesh uses (docs/cli.md, "Cache"): the folder MESHC_CACHE names, or
// meshc in the user's cache folder; MESHC_CACHE=off turns it off. A
// default folder that cannot be created means no cache, silently; a folder
// the user named that cannot be, a warning.
func openCache(e *env) *load.Cache {
	dir := os.Getenv("MESHC_CACHE")
	named := dir != ""
	switch {
	case strings.EqualFold(dir, "off"):
		return nil
	case !named:
		base, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		dir = filepath.Join(base, "meshc")
	}
	identity, err := identity()
	if err == nil {
		var c *load.Cache
		if c, err = load.OpenCache(dir, identity); err == nil {
			return c
		}
	}
	if named {
		fmt.Fprintf(e.stderr, "meshc: warning: not using the cache in %s: %v\n", dir, err)
	}
	return nil
}

// identity tells this meshc's cache entries from another's: the version
// and commit it was built from, or, for a build from modified sources, a
// hash of the executable itself.
func identity() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if ok {
		var rev, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			return "meshc " + version() + " " + rev, nil
		}
		if v := info.Main.Version; v != "" && v != "(devel)" && rev == "" {
			return "meshc " + v, nil // go install module@version
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "meshc " + version() + " " + hex.EncodeToString(h.Sum(nil)), nil
}

// cacheWarning is what went wrong with the cache so far, if anything.
func cacheWarning(c *load.Cache) string {
	if c == nil {
		return ""
	}
	_, _, warning := c.Report()
	return warning
}
