package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/simnet/capture"
	"github.com/pathlab/pathlab/tracer"
	"github.com/spf13/cobra"
)

func init() { register("trace", newTraceCmd) }

func newTraceCmd(e *env) *cobra.Command {
	var worldFile, from string
	var asJSON, packets bool
	var pcapFile, captureAt string
	cmd := &cobra.Command{
		Use:   "trace [--world FILE] [--from NAME] [--json] [TARGET]",
		Short: "Trace a request through a simulated world and explain every hop",
		Long: `Trace follows a request through a simulated world: DNS (the resolver's walk
from the root), then the TCP connection hop by hop (route tables, internet and
NAT gateways, network ACLs, security groups, host firewalls, the socket),
then TLS and HTTP, balancers and their health checks included, and the way
back. Every hop names the resource and the rule that decided.

TARGET is a URL (https://shop.example.com/, http://...) or tcp://HOST:PORT,
udp://HOST:PORT; HOST is a name or an address. Without TARGET, the world's
headline request. Without --world, the built-in shop world.

When the path breaks, the trace goes on as if each block had let the packet
through, so that one run names every blocker a fix must change.

Exit status: 0 delivered, 1 broken, 2 bad input.`,
		Example: `  pathlab trace
  pathlab trace https://shop.example.com/
  pathlab trace --from app-1 tcp://db.internal.shop:5432
  pathlab trace --world my.yaml --from browser --json https://www.example.org/`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, target, err := loadRequest(worldFile, args)
			if err != nil {
				return err
			}
			// A simulated trace takes microseconds: Ctrl-C's default, ending
			// the process, is all it needs, and catching the signal would
			// start two threads for nothing.
			ctx := context.Background()
			if err := writeCapture(e, w, from, target, pcapFile, captureAt); err != nil {
				return err
			}
			trace := w.TraceFollow // redirects are followed, as curl -L does
			if packets {
				trace = w.TracePackets // builds each hop's packet with gopacket: only when asked
			}
			r, err := trace(ctx, from, target)
			if err != nil {
				return fromErr(err)
			}
			if asJSON {
				if err := r.WriteJSON(e.stdout); err != nil {
					return err
				}
			} else if err := r.WriteText(e.stdout, tracer.TextOptions{Color: e.color(e.stdout), Packets: packets}); err != nil {
				return err
			} else {
				writeAddresses(e.stdout, w, r) // an imported world: each name's Terraform address
			}
			return exitCode(r.ExitCode())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&worldFile, "world", "w", "", "world file (or builtin:NAME); default: the built-in shop world")
	f.StringVar(&from, "from", "", "vantage point: a client, server or instance name (default: the world's first client)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON (the trace contract of WORLD-FORMAT.md)")
	f.StringVar(&pcapFile, "pcap", "", "also write the simulated conversation to `FILE` as a pcap (tcpdump -r, tshark, Wireshark)")
	f.StringVar(&captureAt, "capture-at", "", "with --pcap: capture at this `NAME` (an instance, balancer, NAT gateway, resolver) instead of the client")
	f.BoolVar(&packets, "packets", false, "show under each hop the packet as it is there: addresses, TTL, TCP flags and sequence numbers, DNS question and answer")
	return cmd
}

// writeCapture writes --pcap FILE: the conversation as a capture at
// --capture-at (the client by default) sees it. Bad flags are usage errors,
// and nothing is written then.
func writeCapture(e *env, w *simnet.World, from string, target tracer.Target, file, at string) error {
	if file == "" {
		if at != "" {
			return usageErr("--capture-at %s needs --pcap FILE to say where the capture goes", at)
		}
		return nil
	}
	if at != "" && !slices.Contains(w.CapturePoints(), at) {
		return usageErr("--capture-at: nothing to capture at is named %q in world %s; use one of: %s", at, w.Name, strings.Join(w.CapturePoints(), ", "))
	}
	c, err := capture.Take(context.Background(), w, from, target, at)
	if err != nil {
		if errors.Is(err, simnet.ErrUnknownName) {
			return usageErr("--from: %v", err)
		}
		return err
	}
	var buf bytes.Buffer
	if err := c.WritePcap(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return usageErr("--pcap %s: %v; give a file in a directory you can write to", file, err)
	}
	fmt.Fprintf(e.stderr, "wrote %d packets to %s: what a capture at %s sees (read it with tcpdump -nn -r %s)\n", len(c.Packets), file, c.At, file)
	for _, n := range c.Notes {
		fmt.Fprintf(e.stderr, "note: %s\n", n)
	}
	return nil
}
