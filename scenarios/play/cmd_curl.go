package play

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// curlResult is what curl's --write-out variables read.
type curlResult struct {
	url      string
	status   int
	ip       string
	port     int
	size     int
	connects int
	total    time.Duration
}

var (
	curlExit     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^curl: \((\d+)\) (.*)$`) })
	curlExitLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^curl: \(\d+\) .*\n`) })
)

// curlWriteVar matches a --write-out variable.
var curlWriteVar = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`%\{([a-z_]+)\}`) })

// curlFinish turns what a request printed into what curl shows with the
// options given: -s hides the error line (unless -S), -o adds the
// progress meter, -w appends its format with the variables filled in.
func curlFinish(out string, o curlOpts, r *curlResult) string {
	exit, errmsg := 0, ""
	if m := curlExit().FindStringSubmatch(out); m != nil {
		exit, _ = strconv.Atoi(m[1])
		errmsg = m[2]
	}
	if o.silent && !o.showError {
		out = curlExitLine().ReplaceAllString(out, "")
	}
	if o.output != "" && !o.silent {
		pct := 0
		if exit == 0 {
			pct = 100
		}
		speed := 0
		if secs := r.total.Seconds(); secs > 0 {
			speed = int(float64(r.size) / secs)
		}
		meter := fmt.Sprintf("  %% Total    %% Received %% Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n")
		line := fmt.Sprintf("%3d %5d  %3d %5d    0     0  %5s      0 --:--:-- --:--:-- --:--:-- %5s\n", pct, r.size, pct, r.size, curlSize(speed), curlSize(speed))
		out = meter + line + out
	}
	if o.writeOut != "" {
		out += curlWriteOut(o.writeOut, r, exit, errmsg)
	}
	return out
}

// curlSize is curl's 5-column size: 41, 8200, 20.0k, 1.2M.
func curlSize(n int) string {
	switch {
	case n < 100000:
		return strconv.Itoa(n)
	case n < 10*1024*1024:
		return fmt.Sprintf("%dk", n/1024)
	}
	return fmt.Sprintf("%dM", n/1024/1024)
}

func curlWriteOut(format string, r *curlResult, exit int, errmsg string) string {
	secs := func(d time.Duration) string { return fmt.Sprintf("%.6f", d.Seconds()) }
	var unknown []string
	out := curlWriteVar().ReplaceAllStringFunc(format, func(v string) string {
		name := v[2 : len(v)-1]
		switch name {
		case "http_code", "response_code":
			return fmt.Sprintf("%03d", r.status)
		case "remote_ip":
			return r.ip
		case "remote_port":
			if r.port == 0 {
				return "0"
			}
			return strconv.Itoa(r.port)
		case "size_download":
			return strconv.Itoa(r.size)
		case "num_connects":
			return strconv.Itoa(r.connects)
		case "url_effective", "url":
			return r.url
		case "exitcode":
			return strconv.Itoa(exit)
		case "errormsg":
			return errmsg
		case "time_total", "time_starttransfer":
			return secs(r.total)
		case "time_namelookup":
			return secs(min(r.total, 4*time.Millisecond))
		case "time_connect", "time_appconnect", "time_pretransfer":
			return secs(min(r.total, 28*time.Millisecond))
		case "ssl_verify_result":
			return "0"
		}
		unknown = append(unknown, name)
		return ""
	})
	out = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\r`, "").Replace(out)
	for _, u := range unknown {
		out = fmt.Sprintf("curl: unknown --write-out variable: '%s'\n", u) + out
	}
	return out
}

// writeFile keeps a file curl -o wrote on the current host; cat reads it.
func (s *Shell) writeFile(path, body string) {
	if path == "/dev/null" || path == "-" {
		return
	}
	if s.written == nil {
		s.written = map[string]map[string]string{}
	}
	if s.written[s.Host()] == nil {
		s.written[s.Host()] = map[string]string{}
	}
	if !strings.HasPrefix(path, "/") {
		path = "/home/ec2-user/" + path
	}
	s.written[s.Host()][path] = body
}
