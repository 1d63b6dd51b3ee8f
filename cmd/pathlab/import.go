package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pathlab/pathlab/diff"
	"github.com/pathlab/pathlab/importer"
	"github.com/pathlab/pathlab/simnet"
	"github.com/pathlab/pathlab/tracer"
	"github.com/spf13/cobra"
)

func init() {
	register("import", newImportCmd)
	worldImporter = importWorld
}

// importLog holds where --world's import notes go: the running command's
// standard error, set when the commands are built for a run (atomically:
// tests run commands in parallel).
var importLog atomic.Value // logWriter

type logWriter struct{ io.Writer }

func importNotes() io.Writer {
	if w, ok := importLog.Load().(logWriter); ok {
		return w.Writer
	}
	return os.Stderr
}

func newImportCmd(e *env) *cobra.Command {
	importLog.Store(logWriter{e.stderr})
	cmd := &cobra.Command{
		Use:   "import terraform|aws ...",
		Short: "Make a world from Terraform plans and states, or from AWS CLI output",
		Long: `Import writes a world file from the infrastructure you already describe:
the JSON of 'terraform show -json' (a plan or a state), a raw terraform.tfstate
(version 4), or the JSON the AWS CLI prints. The world goes to standard output
(or -o FILE), the import report to standard error.

Every resource is imported, with its address in a comment beside the world
element it became ('# aws_security_group.app'), or listed in the report as
unsupported with its address and type. What the files do not say (which
services listen, the internet client, addresses AWS picks) is assumed, and
each assumption is marked '# assumed: ...' in the world and in the report.

Exit status: 0 imported, 2 bad input (the message names what is wrong).`,
		Example: `  terraform show -json tfplan > plan.json && pathlab import terraform plan.json -o world.yaml
  pathlab import terraform terraform.tfstate --json 2>report.json
  pathlab import aws aws-output/ -o world.yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("import needs a kind: 'pathlab import terraform FILE' or 'pathlab import aws DIR|FILE...'")
			}
			return usageErr("unknown kind %q: use 'pathlab import terraform FILE' or 'pathlab import aws DIR|FILE...'", args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error { return nil },
	}
	cmd.AddCommand(newImportKindCmd(e, "terraform"), newImportKindCmd(e, "aws"))
	return cmd
}

func newImportKindCmd(e *env, kind string) *cobra.Command {
	var out string
	var asJSON bool
	use, short := "terraform FILE [-o OUT] [--json]", "Import a Terraform plan or state (terraform show -json), or a terraform.tfstate"
	if kind == "aws" {
		use, short = "aws DIR|FILE... [-o OUT] [--json]", "Import the JSON output of AWS CLI describe and list commands"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.

The world file goes to standard output (or OUT), the import report to
standard error: as text, or as JSON with --json. For a plan, the world is
the one after the plan ('pathlab diff --plan' compares before and after).

AWS CLI output is recognised by its content, not its file name: save
describe-vpcs, describe-subnets, describe-route-tables, describe-network-acls,
describe-security-groups, describe-instances, describe-internet-gateways,
describe-nat-gateways, describe-vpc-peering-connections, describe-vpc-attribute,
describe-transit-gateway*, get-transit-gateway-route-table-propagations,
search-transit-gateway-routes, describe-vpn-gateways,
describe-customer-gateways, describe-vpn-connections, describe-vpc-endpoints,
describe-prefix-lists, describe-managed-prefix-lists,
get-managed-prefix-list-entries, describe-network-interfaces (ec2);
describe-load-balancers, describe-load-balancer-attributes,
describe-listeners, describe-listener-certificates, describe-rules,
describe-target-groups, describe-target-health (elbv2); list-hosted-zones,
get-hosted-zone, list-resource-record-sets (route53); describe-certificate
(acm), each to a .json file in one directory. Outputs that do not print
what they belong to take an added key (TargetGroupArn, HostedZoneId,
TransitGatewayRouteTableId, PrefixListId, LoadBalancerArn, ListenerArn)
when the input has more than one candidate.

Exit status: 0 imported, 2 bad input.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if kind == "terraform" && len(args) != 1 {
				return usageErr("import terraform needs one FILE (terraform show -json output, or a terraform.tfstate); got %d", len(args))
			}
			if kind == "aws" && len(args) == 0 {
				return usageErr("import aws needs a directory or files of AWS CLI JSON output")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var res *importer.Result
			var err error
			if kind == "terraform" {
				var data []byte
				data, err = importer.LoadFile(args[0])
				if err == nil {
					res, err = importer.Terraform(args[0], data)
				}
			} else {
				var files []importer.File
				files, err = importer.ReadFiles(args)
				if err == nil {
					res, err = importer.AWS(files)
				}
			}
			if err != nil {
				return usageErr("%v", err)
			}
			if asJSON {
				err = res.Report.WriteJSON(e.stderr)
			} else {
				err = res.Report.WriteText(e.stderr)
			}
			if err != nil {
				return err
			}
			if out == "" {
				_, err = e.stdout.Write(res.World)
				return err
			}
			if err := os.WriteFile(out, res.World, 0o644); err != nil {
				return usageErr("-o %s: %v; give a file in a directory you can write to", out, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the world to `FILE` instead of standard output")
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the import report to standard error as JSON")
	return cmd
}

// importedAddresses remembers, for each world imported by --world, its
// names' addresses, so that reports can name both.
var importedAddresses sync.Map // *simnet.World → map[string]string

// importWorld is --world for a plan, a state or AWS CLI output: it
// imports in memory and prints the report's warnings.
func importWorld(path string) (*simnet.World, bool, error) {
	if !importer.Recognise(path) {
		return nil, false, nil
	}
	var res *importer.Result
	var err error
	if data, rerr := importer.LoadFile(path); rerr == nil && importer.Detect(data) == importer.KindPlan {
		res, err = importer.Terraform(path, data)
	} else {
		res, err = importer.Import(path)
	}
	if err != nil {
		return nil, true, usageErr("--world %v", err)
	}
	r := res.Report
	log := importNotes()
	fmt.Fprintf(log, "pathlab: imported %s (%d resources; %d unsupported, %d assumed, %d warnings; 'pathlab import' shows the report)\n",
		path, len(r.Imported), len(r.Unsupported), len(r.Assumed), len(r.Warnings)+len(r.Unresolved))
	for _, n := range append(append([]importer.Note{}, r.Unresolved...), r.Warnings...) {
		fmt.Fprintf(log, "warning: %s: %s\n", n.Subject, n.Text)
	}
	importedAddresses.Store(res.Compiled(), res.Addresses)
	return res.Compiled(), true, nil
}

// writeAddresses prints, after a trace of an imported world, the address
// of each component the trace names: "sg-app (aws_security_group.app)".
func writeAddresses(w io.Writer, world *simnet.World, r *tracer.Report) {
	m, ok := importedAddresses.Load(world)
	if !ok {
		return
	}
	addrs := m.(map[string]string)
	var lines []string
	seen := map[string]bool{}
	add := func(c string, kind tracer.Kind) {
		if seen[c] {
			return
		}
		seen[c] = true
		if a, ok := addrs[c]; ok {
			lines = append(lines, fmt.Sprintf("  %s (%s)", c, a))
			return
		}
		switch kind {
		case tracer.KindRootServer, tracer.KindTLDServer, tracer.KindInternet, tracer.KindVPCResolver:
			lines = append(lines, fmt.Sprintf("  %s (implied by the world: not a resource)", c))
		}
	}
	for _, b := range r.Blockers {
		add(b.Component, "")
	}
	for _, s := range r.Stages {
		for _, h := range s.Hops {
			add(h.Component, h.Kind)
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\nwhere each part comes from:\n%s\n", strings.Join(lines, "\n"))
}

// planDiff is 'pathlab diff --plan': reachability before and after a
// Terraform plan.
func planDiff(e *env, file string, asJSON bool) error {
	data, err := importer.LoadFile(file)
	if err != nil {
		return usageErr("--plan %v", err)
	}
	pr, err := importer.Plan(file, data)
	if err != nil {
		return usageErr("--plan %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	d, err := diff.Diff(ctx, pr.Before.Compiled(), pr.After.Compiled())
	if err != nil {
		return err
	}
	rep := newPlanReport(pr, d)
	if err := rep.addBlockers(ctx, pr); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := rep.writeText(e.stdout, file); err != nil {
		return err
	}
	for _, n := range rep.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s: %s\n", n.Subject, n.Text)
	}
	if len(d.Broken) > 0 {
		return exitCode(1)
	}
	return nil
}

// planReport is the JSON of diff --plan.
type planReport struct {
	Changes  []importer.Change `json:"changes"`
	Compared int               `json:"compared"`
	Broken   []planFlow        `json:"broken"`
	Opened   []planFlow        `json:"opened"`
	Warnings []importer.Note   `json:"warnings"`
}

// planFlow is a flow whose verdict the plan changes, with the address of
// the component that breaks it and whether the plan changes it.
type planFlow struct {
	From      string        `json:"from"`
	Target    string        `json:"target"`
	BrokenAt  *tracer.Break `json:"broken_at"`
	Address   string        `json:"address,omitempty"`    // of broken_at's component
	ChangedBy string        `json:"changed_by,omitempty"` // what the plan does to it
	// Blockers are every component that stops the flow (after the plan
	// for a flow that breaks, before it for one that opens), each with
	// its address and the plan's changes to it.
	Blockers []planBlocker `json:"blockers"`
}

type planBlocker struct {
	tracer.Break
	Address string            `json:"address,omitempty"`
	Changes []importer.Change `json:"changes,omitempty"`
}

// addBlockers traces each changed flow again, in the world where it is
// broken, for every blocker and the plan's changes to it.
func (rep *planReport) addBlockers(ctx context.Context, pr *importer.PlanResult) error {
	byName := map[string][]importer.Change{}
	for _, c := range pr.Changes {
		if c.Name != "" {
			byName[c.Name] = append(byName[c.Name], c)
		}
	}
	fill := func(fs []planFlow, res *importer.Result) error {
		for i := range fs {
			target, err := tracer.ParseTarget(fs[i].Target)
			if err != nil {
				return err
			}
			r, err := res.Compiled().Trace(ctx, fs[i].From, target)
			if err != nil {
				continue // the flow's source is not in this world
			}
			fs[i].Blockers = []planBlocker{}
			for _, b := range r.Blockers {
				fs[i].Blockers = append(fs[i].Blockers, planBlocker{Break: b, Address: res.Addresses[b.Component], Changes: byName[b.Component]})
			}
		}
		return nil
	}
	if err := fill(rep.Broken, pr.After); err != nil {
		return err
	}
	return fill(rep.Opened, pr.Before)
}

func newPlanReport(pr *importer.PlanResult, d *diff.Difference) *planReport {
	rep := &planReport{Changes: pr.Changes, Compared: d.Compared, Broken: []planFlow{}, Opened: []planFlow{}, Warnings: []importer.Note{}}
	if rep.Changes == nil {
		rep.Changes = []importer.Change{}
	}
	verb := map[string]string{}
	for _, c := range pr.Changes {
		verb[c.Address] = c.Verb()
	}
	flow := func(c diff.FlowChange, addrs map[string]string) planFlow {
		f := planFlow{From: c.From, Target: c.Target, BrokenAt: c.BrokenAt, Blockers: []planBlocker{}}
		if c.BrokenAt != nil {
			f.Address = addrs[c.BrokenAt.Component]
			f.ChangedBy = verb[f.Address]
		}
		return f
	}
	for _, c := range d.Broken {
		rep.Broken = append(rep.Broken, flow(c, pr.After.Addresses))
	}
	for _, c := range d.Fixed {
		rep.Opened = append(rep.Opened, flow(c, pr.Before.Addresses))
	}
	rep.Warnings = append(rep.Warnings, pr.After.Report.Unresolved...)
	return rep
}

func (rep *planReport) writeText(w io.Writer, file string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "plan %s changes %d resources:\n", file, len(rep.Changes))
	for _, c := range rep.Changes {
		name := ""
		if c.Name != "" {
			name = " (" + c.Name + ")"
		}
		fmt.Fprintf(&b, "  %-8s %s%s\n", c.Verb(), c.Address, name)
	}
	fmt.Fprintf(&b, "\nreachability before and after the plan: %d flows compared, %d break, %d open\n", rep.Compared, len(rep.Broken), len(rep.Opened))
	section := func(title string, fs []planFlow, where string) {
		if len(fs) == 0 {
			fmt.Fprintf(&b, "\n%s: none\n", title)
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for _, f := range fs {
			fmt.Fprintf(&b, "  %s → %s\n", f.From, f.Target)
			if f.BrokenAt == nil {
				continue
			}
			comp := f.BrokenAt.Component
			if f.Address != "" {
				comp += " (" + f.Address
				if f.ChangedBy != "" {
					comp += ", " + f.ChangedBy + "d by the plan"
				}
				comp += ")"
			}
			fmt.Fprintf(&b, "      %s %s %s: %s\n", where, comp, f.BrokenAt.Code, f.BrokenAt.Detail)
			for _, bl := range f.Blockers {
				if bl.Component == f.BrokenAt.Component && bl.Code == f.BrokenAt.Code {
					continue
				}
				c := bl.Component
				if bl.Address != "" {
					c += " (" + bl.Address + ")"
				}
				fmt.Fprintf(&b, "      blocker %s %s: %s\n", c, bl.Code, bl.Detail)
			}
			var changed []string
			seen := map[string]bool{}
			for _, bl := range f.Blockers {
				for _, c := range bl.Changes {
					if !seen[c.Address] {
						seen[c.Address] = true
						changed = append(changed, c.Verb()+" "+c.Address)
					}
				}
			}
			if len(changed) > 0 {
				fmt.Fprintf(&b, "      the plan's changes there: %s\n", strings.Join(changed, ", "))
			}
		}
	}
	section("breaks", rep.Broken, "broken at")
	section("opens", rep.Opened, "was broken at")
	_, err := io.WriteString(w, b.String())
	return err
}
