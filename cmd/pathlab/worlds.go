package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
	"github.com/spf13/cobra"
)

func init() {
	register("worlds", newWorldsCmd)
	register("codes", newCodesCmd)
}

func newWorldsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "worlds",
		Short: "List the built-in worlds",
		Long: `Worlds lists the worlds built into pathlab, with their headline requests.
Use one with --world builtin:NAME (or just --world NAME).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			type row struct {
				Name        string `json:"name"`
				Headline    string `json:"headline"`
				From        string `json:"from"`
				Description string `json:"description"`
			}
			var rows []row
			for _, name := range simnet.BuiltinNames() {
				w, err := simnet.LoadBuiltin(name)
				if err != nil {
					return fmt.Errorf("built-in world %s: %w", name, err)
				}
				desc := w.Description
				if _, rest, ok := strings.Cut(desc, "\n"); ok && strings.HasPrefix(desc, "headline:") {
					desc = rest
				}
				rows = append(rows, row{name, w.Headline(), w.DefaultFrom(), strings.Join(strings.Fields(desc), " ")})
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tFROM\tHEADLINE\tDESCRIPTION")
			for _, r := range rows {
				d := r.Description
				if len(d) > 70 {
					d = d[:67] + "..."
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.From, r.Headline, d)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.AddCommand(newWorldsGenerateCmd(e))
	return cmd
}

func newCodesCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "codes [CODE]",
		Short: "List the codes a trace reports when a request breaks, and what each means",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			codes := tracer.Codes()
			for _, c := range []tracer.Code{tracer.DNSRefused, tracer.TLSUntrusted, tracer.TLSHandshakeFailed, tracer.HTTPError,
				tracer.TCPFiltered, tracer.TCPTimeout, tracer.ICMPAdminProhibited, tracer.ICMPHostUnreachable, tracer.ICMPNetUnreachable,
				tracer.ICMPPortUnreachable, tracer.HostUnresponsive,
				// What only live probes show (issue 12).
				tracer.TCPLost, tracer.HostUnreachable, tracer.HTTPBodyStalled, tracer.DNSMismatch, tracer.DNSTruncated,
				tracer.DNSFormErr, tracer.DNSNotImp, tracer.DNSRcode, tracer.DNSDanglingCNAME, tracer.Interrupted} {
				codes = append(codes, c)
			}
			codes = append(codes, tracer.CloudCodes()...)
			codes = append(codes, tracer.RuleCodes()...)
			codes = append(codes, tracer.LinuxCodes()...)
			if len(args) == 1 {
				c := tracer.Code(strings.ToUpper(args[0]))
				if c.Explain() == "" {
					return usageErr("unknown code %q; 'pathlab codes' lists them", args[0])
				}
				codes = []tracer.Code{c}
			}
			type row struct {
				Code    tracer.Code `json:"code"`
				Meaning string      `json:"meaning"`
			}
			var rows []row
			for _, c := range codes {
				rows = append(rows, row{c, c.Explain()})
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\n", r.Code, r.Meaning)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
