package simnet

// worldNameOK reports whether name may be a world's name: a word, since it
// names files (the shell's edit writes NAME.yaml), never a path. It is
// ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$, checked by hand: compiling that
// regular expression was a tenth of the page faults of 'pathlab trace'.
func worldNameOK(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}
