package play

import (
	"strings"
	"testing"
)

// rootNameLines are the shell lines of issue 16 that printed "internal
// error": the root name "." as a host or a record value. They are FuzzExec
// seeds too.
var rootNameLines = []string{
	"dig .",
	"dig +trace .",
	"nc -zv . 80",
	"ping .",
	"traceroute .",
	"dns example.com set shop CNAME .",
}

func TestRootNameLines(t *testing.T) {
	want := map[string]string{
		"dig .":                            "status: NOERROR",
		"dig +trace .":                     "a.root-servers.net.",
		"nc -zv . 80":                      "Name or service not known",
		"ping .":                           "Name or service not known",
		"traceroute .":                     "Name or service not known",
		"dns example.com set shop CNAME .": `refused: the world would not be valid`,
	}
	for _, line := range rootNameLines {
		t.Run(line, func(t *testing.T) {
			_, out := session(t, adHoc(t), []string{line, "check"}, Options{})
			if strings.Contains(out, "internal error") {
				t.Fatalf("%q crashed:\n%s", line, out)
			}
			if !strings.Contains(out, want[line]) {
				t.Errorf("%q: the transcript lacks %q:\n%s", line, want[line], out)
			}
		})
	}
}
