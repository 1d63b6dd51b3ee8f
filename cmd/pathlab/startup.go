package main

// commandOf returns the subcommand that args name first, as in `pathlab
// trace ...`, or "" when they name none (no arguments, flags first, help,
// a word that is no command). run then builds that subcommand alone:
// building all of them, each with its flags, was a tenth of a short
// command's work. Whatever names no subcommand gets the whole tree, so
// help, suggestions and errors are as before.
func commandOf(args []string) string {
	if len(args) > 0 {
		if _, ok := commands[args[0]]; ok {
			return args[0]
		}
	}
	return ""
}
