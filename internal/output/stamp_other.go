//go:build !unix

package output

// Stamps are read on Linux and macOS (stampOf); elsewhere there is no
// index (OpenIndex), and every comparison reads the file.
const haveStamps = false

func lstatStamp(string) stamp { return stamp{} }

func folderStamp(string) stamp { return stamp{} }
