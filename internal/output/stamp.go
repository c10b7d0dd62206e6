package output

// A stamp is what a file's metadata says of its contents, as git's index
// keeps it: a file whose stamp is as it was has not been written since.
// Every write moves a file's change time, which no one but the clock can
// set, so a file edited, replaced, or checked out again has another
// stamp. The zero stamp is unknown (ino 0 is no file's).
type stamp struct {
	dev, ino, size uint64
	mtime, ctime   int64 // nanoseconds since 1970
}

func (s stamp) known() bool { return s.ino != 0 }
