// Package stamp reads what a file's metadata says of its contents, as
// git's index keeps it: a file whose stamp is as it was has not been
// written since. Every write moves a file's change time, which no one but
// the clock can set, so a file edited, replaced, or checked out again has
// another stamp. meshc's indexes of output folders (internal/output) and
// of mesh files (lang/load) trust a stamp they remember instead of reading
// the file again.
//
// Stamps are read on Linux and macOS (Supported); elsewhere every stamp is
// the zero Stamp, which is unknown.
package stamp

import (
	"encoding/binary"
	"io/fs"
	"time"
)

// A Stamp is a file's device, inode, size, and modification and change
// times. The zero Stamp is unknown (inode 0 is no file's).
type Stamp struct {
	Dev, Ino, Size uint64
	Mtime, Ctime   int64 // nanoseconds since 1970
}

// Known reports whether s is a file's stamp.
func (s Stamp) Known() bool { return s.Ino != 0 }

// Same reports whether s is a file's stamp, and t's: a record of the
// zero Stamp, which a file that is gone reads as, vouches for nothing.
func (s Stamp) Same(t Stamp) bool { return s.Known() && s == t }

// RacyFor is how much older than the run that reads a file its stamp must
// be for the run to remember it: more than the coarsest clock tick of a
// file system (a second or two on some), so that no write can share the
// tick of the read that vouched for the file. git treats its racily clean
// entries alike.
const RacyFor = 3 * time.Second

// Settled reports whether s may be remembered by a run that began at
// start (Unix nanoseconds, this machine's clock), allowing racy instead of
// RacyFor: whether s was known and that much older.
func (s Stamp) Settled(start, racy int64) bool {
	return s.Known() && max(s.Ctime, s.Mtime) <= start-racy
}

// EncodedLen is the length of a stamp as Append writes it.
const EncodedLen = 5 * 8

// Append appends s to b as the indexes keep it (stamp.WriteIndex): its
// device, inode, size, and modification and change times, each as eight
// bytes, little-endian.
func (s Stamp) Append(b []byte) []byte {
	for _, v := range [...]uint64{s.Dev, s.Ino, s.Size, uint64(s.Mtime), uint64(s.Ctime)} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// Decode reads the stamp Append wrote at the start of b, which holds at
// least EncodedLen bytes.
func Decode(b []byte) Stamp {
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(b[8*i:]) }
	return Stamp{Dev: u(0), Ino: u(1), Size: u(2), Mtime: int64(u(3)), Ctime: int64(u(4))}
}

// Of returns the stamp of the file that info describes, as os.Lstat,
// os.Stat or an os.File's Stat give it; the zero Stamp for other
// FileInfos.
func Of(info fs.FileInfo) Stamp { return of(info) }
