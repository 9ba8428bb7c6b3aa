package main

// gofka quota describe|set|delete: client quotas of users, client ids,
// users with client ids, and IPs, each possibly the default entity
// (kafka-configs.sh --entity-type users|clients|ips), through
// DescribeClientQuotas and AlterClientQuotas.

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kadm"
)

func quotaCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "quota", Short: "Describe, set and delete client quotas"}
	cmd.AddCommand(quotaDescribeCmd(g), quotaSetCmd(g), quotaDeleteCmd(g))
	return cmd
}

// entityFlags name a quota entity: each type by name or as its default.
type entityFlags struct {
	user, clientID, ip        string
	userDef, clientDef, ipDef bool
}

func (f *entityFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.user, "user", "", "user name (ANONYMOUS without SASL)")
	fs.BoolVar(&f.userDef, "user-default", false, "the default user")
	fs.StringVar(&f.clientID, "client-id", "", "client id")
	fs.BoolVar(&f.clientDef, "client-id-default", false, "the default client id")
	fs.StringVar(&f.ip, "ip", "", "IP address")
	fs.BoolVar(&f.ipDef, "ip-default", false, "the default IP")
}

// parts lists the entity's (type, name, default) components in Kafka's
// order; a type both named and default is an error.
func (f *entityFlags) parts() ([]entityPart, error) {
	var out []entityPart
	for _, p := range []entityPart{{"user", f.user, f.userDef}, {"client-id", f.clientID, f.clientDef}, {"ip", f.ip, f.ipDef}} {
		switch {
		case p.name != "" && p.def:
			return nil, usagef("--%s and --%s-default name two entities: give one", p.typ, p.typ)
		case p.name != "" || p.def:
			out = append(out, p)
		}
	}
	return out, nil
}

type entityPart struct {
	typ, name string
	def       bool
}

// entity converts the flags to the entity to alter.
func (f *entityFlags) entity() (kadm.ClientQuotaEntity, error) {
	parts, err := f.parts()
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, usagef("name an entity: --user, --client-id, both, or --ip (or their -default forms)")
	}
	var e kadm.ClientQuotaEntity
	for _, p := range parts {
		c := kadm.ClientQuotaEntityComponent{Type: p.typ}
		if !p.def {
			name := p.name
			c.Name = &name
		}
		e = append(e, c)
	}
	return e, nil
}

func quotaDescribeCmd(g *globals) *cobra.Command {
	var ef entityFlags
	var strict bool
	cmd := &cobra.Command{
		Use:   "describe [--user U | --user-default] [--client-id C | --client-id-default] [--ip IP | --ip-default] [--strict]",
		Short: "Show quotas: every entity, or those matching the given components",
		Example: `  gofka quota describe
  gofka quota describe --user alice            # alice, alone or with any client id
  gofka quota describe --user alice --strict   # alice alone
  gofka quota describe --client-id-default`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			parts, err := ef.parts()
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error {
				qs, err := s.adm.DescribeClientQuotas(s.ctx, strict, describeComponents(parts))
				if err != nil {
					return explain(err, "")
				}
				return s.emitQuotas(qs)
			})
		},
	}
	ef.register(cmd.Flags())
	cmd.Flags().BoolVar(&strict, "strict", false, "only entities with exactly the given components")
	return cmd
}

func describeComponents(parts []entityPart) []kadm.DescribeClientQuotaComponent {
	var out []kadm.DescribeClientQuotaComponent
	for _, p := range parts {
		c := kadm.DescribeClientQuotaComponent{Type: p.typ, MatchType: 1}
		if !p.def {
			name := p.name
			c.MatchName, c.MatchType = &name, 0
		}
		out = append(out, c)
	}
	return out
}

// quotaRow is one entity's quota in the JSON output.
type quotaRow struct {
	Entity string  `json:"entity"`
	Key    string  `json:"key"`
	Value  float64 `json:"value"`
}

func (s *session) emitQuotas(qs kadm.DescribedClientQuotas) error {
	var out []quotaRow
	for _, q := range qs {
		for _, v := range q.Values {
			out = append(out, quotaRow{Entity: q.Entity.String(), Key: v.Key, Value: v.Value})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Entity != out[j].Entity {
			return out[i].Entity < out[j].Entity
		}
		return out[i].Key < out[j].Key
	})
	rows := make([][]string, 0, len(out))
	for _, r := range out {
		rows = append(rows, []string{r.Entity, r.Key, strconv.FormatFloat(r.Value, 'f', -1, 64)})
	}
	return s.emit(out, []string{"ENTITY", "QUOTA", "VALUE"}, rows)
}

func quotaSetCmd(g *globals) *cobra.Command {
	var ef entityFlags
	cmd := &cobra.Command{
		Use:   "set <entity flags> key=value...",
		Short: "Set quotas on one entity",
		Example: `  gofka quota set --user alice --client-id app producer_byte_rate=1048576
  gofka quota set --client-id-default consumer_byte_rate=524288 request_percentage=50
  gofka quota set --ip 10.0.0.7 connection_creation_rate=20`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kv, err := parseKV(args, "quota")
			if err != nil {
				return err
			}
			var ops []kadm.AlterClientQuotaOp
			for k, v := range kv {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return usagef("quota %s: %q is not a number", k, v)
				}
				ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Value: f})
			}
			return g.alterQuotas(cmd, &ef, ops)
		},
	}
	ef.register(cmd.Flags())
	return cmd
}

func quotaDeleteCmd(g *globals) *cobra.Command {
	var ef entityFlags
	cmd := &cobra.Command{
		Use:     "delete <entity flags> key...",
		Short:   "Remove quotas from one entity",
		Example: "  gofka quota delete --user alice --client-id app producer_byte_rate",
		Args:    minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ops []kadm.AlterClientQuotaOp
			for _, k := range args {
				ops = append(ops, kadm.AlterClientQuotaOp{Key: k, Remove: true})
			}
			return g.alterQuotas(cmd, &ef, ops)
		},
	}
	ef.register(cmd.Flags())
	return cmd
}

// alterQuotas applies ops to the flags' entity and reports the outcome.
func (g *globals) alterQuotas(cmd *cobra.Command, ef *entityFlags, ops []kadm.AlterClientQuotaOp) error {
	e, err := ef.entity()
	if err != nil {
		return err
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Key < ops[j].Key })
	return g.withSession(cmd, func(s *session) error {
		res, err := s.adm.AlterClientQuotas(s.ctx, []kadm.AlterClientQuotaEntry{{Entity: e, Ops: ops}})
		if err != nil {
			return explain(err, "")
		}
		return s.emitOutcomes("ENTITY", outcomesOf(res, func(r kadm.AlteredClientQuota) (string, error) {
			name := r.Entity.String()
			switch {
			case r.Err == nil:
				return name, nil
			case r.ErrMessage != "":
				return name, fmt.Errorf("%s: %w: %s", name, r.Err, r.ErrMessage)
			}
			return name, fmt.Errorf("%s: %w", name, r.Err)
		}))
	})
}
