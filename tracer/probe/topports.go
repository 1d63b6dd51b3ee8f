package probe

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// NmapServices is where Debian's nmap-common keeps nmap's port list with
// each port's open frequency.
const NmapServices = "/usr/share/nmap/nmap-services"

// TopPorts returns the n TCP ports nmap finds open most often, as a
// PORTS list (22,80,...), read from nmap's services file.
func TopPorts(n int) (string, error) {
	data, err := os.ReadFile(NmapServices)
	if err != nil {
		return "", fmt.Errorf("nmap's port list %s is missing (Debian package nmap-common): %v", NmapServices, err)
	}
	ports := ParseTopPorts(data, n)
	if len(ports) == 0 {
		return "", fmt.Errorf("no TCP ports with frequencies in %s", NmapServices)
	}
	ss := make([]string, len(ports))
	for i, p := range ports {
		ss[i] = strconv.Itoa(int(p))
	}
	return strings.Join(ss, ","), nil
}

// ParseTopPorts reads nmap-services lines ("http 80/tcp 0.484143 # ...")
// and returns the n TCP ports of highest frequency, in nmap's order (by
// frequency, then by port). It never panics.
func ParseTopPorts(data []byte, n int) []uint16 {
	type pf struct {
		port uint16
		freq float64
	}
	var all []pf
	seen := map[uint16]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		ps, proto, ok := strings.Cut(f[1], "/")
		if !ok || proto != "tcp" {
			continue
		}
		p, err1 := strconv.ParseUint(ps, 10, 16)
		freq, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || p == 0 || seen[uint16(p)] {
			continue
		}
		seen[uint16(p)] = true
		all = append(all, pf{uint16(p), freq})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].freq != all[j].freq {
			return all[i].freq > all[j].freq
		}
		return all[i].port < all[j].port
	})
	out := make([]uint16, 0, min(n, len(all)))
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].port)
	}
	return out
}
