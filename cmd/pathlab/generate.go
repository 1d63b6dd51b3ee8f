package main

import (
	"github.com/pathlab/pathlab/simnet/worldgen"
	"github.com/spf13/cobra"
)

func newWorldsGenerateCmd(e *env) *cobra.Command {
	var o worldgen.Options
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write a synthetic world of any size to standard output",
		Long: `Generate writes a realistic synthetic world as YAML to standard output:
VPCs in public, app and data tiers, an internet-facing balancer and a NAT
gateway in each, peerings to a hub VPC (vpc-0), public and private DNS, and
security groups with many rules that name CIDRs and other groups. The same
options and seed give the same file, byte for byte.

  pathlab worlds generate --subnets 10000 --instances 100000 --rules 1000000 > big.yaml
  pathlab check big.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Check(); err != nil {
				return usageErr("%v", err)
			}
			return worldgen.Write(e.stdout, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.VPCs, "vpcs", 0, "VPCs (default: one per 200 subnets)")
	f.IntVar(&o.Subnets, "subnets", 40, "subnets in all")
	f.IntVar(&o.Instances, "instances", 100, "instances in all")
	f.IntVar(&o.Rules, "rules", 1000, "security group rules in all")
	f.Uint64Var(&o.Seed, "seed", 1, "the seed: the same seed gives the same world")
	return cmd
}
