//go:build !unix

package output

// Stamps are read on Linux and macOS (stampOf); elsewhere every file is
// unknown, and every comparison reads the file.
func lstatStamp(string) stamp { return stamp{} }

func folderStamp(string) stamp { return stamp{} }
