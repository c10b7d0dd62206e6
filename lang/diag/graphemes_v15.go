//go:build !go1.27

package diag

import "github.com/apparentlymart/go-textseg/v15/textseg"

// scanGraphemeClusters is the Unicode version HCL counts columns with for
// this Go release (Unicode 15 before Go 1.27), so that columns agree. HCL's
// internal/unicodeutil picks it by the same build tags: check them when
// HCL is upgraded.
var scanGraphemeClusters = textseg.ScanGraphemeClusters
