package main

// gofka acl list|create|delete (kafka-acls.sh): ACLs on topics, groups,
// transactional ids and the cluster, literal or prefixed.

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func aclCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "acl", Short: "List, create and delete ACLs (authorizer.class.name must be set)"}
	cmd.AddCommand(aclListCmd(g), aclChangeCmd(g, true), aclChangeCmd(g, false))
	return cmd
}

// aclFlags select or describe ACL bindings.
type aclFlags struct {
	principal, host     string
	topic, group, txnID string
	cluster, prefixed   bool
	operations          []string
	allow, deny         bool
}

func (a *aclFlags) register(cmd *cobra.Command, change bool) {
	f := cmd.Flags()
	f.StringVar(&a.principal, "principal", "", "principal, e.g. User:alice (User:* for everyone)")
	f.StringVar(&a.host, "host", "", "client host the ACL applies to (default * when creating)")
	f.StringVar(&a.topic, "topic", "", "topic name (or prefix with --prefixed; * for every topic)")
	f.StringVar(&a.group, "group", "", "consumer group id (or prefix with --prefixed)")
	f.StringVar(&a.txnID, "transactional-id", "", "transactional id (or prefix with --prefixed)")
	f.BoolVar(&a.cluster, "cluster", false, "the cluster resource")
	f.BoolVar(&a.prefixed, "prefixed", false, "the name is a prefix (KIP-290)")
	f.StringSliceVar(&a.operations, "operation", nil, "operations: read, write, create, delete, alter, describe, cluster_action, describe_configs, alter_configs, idempotent_write, all")
	f.BoolVar(&a.allow, "allow", false, "ALLOW permission")
	f.BoolVar(&a.deny, "deny", false, "DENY permission")
}

// builder turns the flags into a kadm ACL builder; forCreate requires a
// principal, one resource, operations and a permission.
func (a *aclFlags) builder(forCreate bool) (*kadm.ACLBuilder, error) {
	b := kadm.NewACLs()
	n := 0
	for _, set := range []struct {
		name string
		add  func(...string) *kadm.ACLBuilder
	}{{a.topic, b.Topics}, {a.group, b.Groups}, {a.txnID, b.TransactionalIDs}} {
		if set.name != "" {
			set.add(set.name)
			n++
		}
	}
	if a.cluster {
		b.Clusters()
		n++
	}
	if forCreate && n != 1 {
		return nil, usagef("name exactly one resource: --topic, --group, --transactional-id or --cluster")
	}
	if n == 0 {
		b.AnyResource()
	}
	b.ResourcePatternType(a.pattern(forCreate))
	ops, err := parseACLOps(a.operations, forCreate)
	if err != nil {
		return nil, err
	}
	b.Operations(ops...)
	return b, a.principals(b, forCreate)
}

func (a *aclFlags) pattern(forCreate bool) kadm.ACLPattern {
	switch {
	case a.prefixed:
		return kadm.ACLPatternPrefixed
	case forCreate:
		return kadm.ACLPatternLiteral
	}
	return kadm.ACLPatternMatch
}

// principals sets who the ACL names, with --allow/--deny.
func (a *aclFlags) principals(b *kadm.ACLBuilder, forCreate bool) error {
	host := a.host
	if host == "" && forCreate {
		host = "*"
	}
	if forCreate && (a.principal == "" || a.allow == a.deny) {
		return usagef("give --principal and exactly one of --allow or --deny")
	}
	var who []string
	if a.principal != "" {
		who = []string{a.principal}
	}
	var hosts []string
	if host != "" {
		hosts = []string{host}
	}
	if a.allow || !a.deny {
		b.Allow(who...).AllowHosts(hosts...)
	}
	if a.deny || !a.allow {
		b.Deny(who...).DenyHosts(hosts...)
	}
	return nil
}

func parseACLOps(names []string, forCreate bool) ([]kadm.ACLOperation, error) {
	if len(names) == 0 {
		if forCreate {
			return nil, usagef("give at least one --operation")
		}
		return []kadm.ACLOperation{kadm.OpAny}, nil
	}
	var out []kadm.ACLOperation
	for _, n := range names {
		op, err := kmsg.ParseACLOperation(strings.ToLower(strings.ReplaceAll(n, "-", "_")))
		if err != nil {
			return nil, usagef("--operation %q: %v", n, err)
		}
		out = append(out, op)
	}
	return out, nil
}

func aclListCmd(g *globals) *cobra.Command {
	var a aclFlags
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List ACLs, optionally only those of a principal or resource",
		Example: "  gofka acl list\n  gofka acl list --principal User:alice --topic orders",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := a.builder(false)
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error { return s.aclList(b) })
		},
	}
	a.register(cmd, false)
	return cmd
}

// aclRow is one ACL in list output.
type aclRow struct {
	Principal    string `json:"principal"`
	Host         string `json:"host"`
	Operation    string `json:"operation"`
	Permission   string `json:"permission"`
	ResourceType string `json:"resource_type"`
	Name         string `json:"name"`
	Pattern      string `json:"pattern"`
}

func (s *session) aclList(b *kadm.ACLBuilder) error {
	results, err := s.adm.DescribeACLs(s.ctx, b)
	if err != nil {
		return explain(err, "")
	}
	var acls []aclRow
	for _, r := range results {
		if r.Err != nil {
			return fmt.Errorf("list ACLs: %w", r.Err)
		}
		for _, d := range r.Described {
			acls = append(acls, aclRow{d.Principal, d.Host, d.Operation.String(), d.Permission.String(),
				d.Type.String(), d.Name, d.Pattern.String()})
		}
	}
	return s.printACLs(acls)
}

func (s *session) printACLs(acls []aclRow) error {
	if s.json() {
		return s.printJSON(acls)
	}
	rows := make([][]string, len(acls))
	for i, a := range acls {
		rows[i] = []string{a.Principal, a.Host, a.Operation, a.Permission, a.ResourceType, a.Name, a.Pattern}
	}
	return s.table([]string{"PRINCIPAL", "HOST", "OPERATION", "PERMISSION", "RESOURCE", "NAME", "PATTERN"}, rows)
}

func aclChangeCmd(g *globals, create bool) *cobra.Command {
	var a aclFlags
	use, short, example := "create", "Create an ACL", "  gofka acl create --allow --principal User:alice --operation read,describe --topic orders\n  gofka acl create --allow --principal User:alice --operation write --topic logs- --prefixed"
	if !create {
		use, short, example = "delete", "Delete the ACLs that match the flags", "  gofka acl delete --principal User:alice --topic orders"
	}
	cmd := &cobra.Command{
		Use: use, Short: short, Example: example, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := a.builder(create)
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error {
				if create {
					return s.aclCreate(b)
				}
				return s.aclDelete(b)
			})
		},
	}
	a.register(cmd, create)
	return cmd
}

func (s *session) aclCreate(b *kadm.ACLBuilder) error {
	results, err := s.adm.CreateACLs(s.ctx, b)
	if err != nil {
		return explain(err, "")
	}
	var acls []aclRow
	for _, r := range results {
		if r.Err != nil {
			return fmt.Errorf("create ACL: %w", r.Err)
		}
		acls = append(acls, aclRow{r.Principal, r.Host, r.Operation.String(), r.Permission.String(), r.Type.String(), r.Name, r.Pattern.String()})
	}
	return s.printACLs(acls)
}

func (s *session) aclDelete(b *kadm.ACLBuilder) error {
	results, err := s.adm.DeleteACLs(s.ctx, b)
	if err != nil {
		return explain(err, "")
	}
	var acls []aclRow
	for _, r := range results {
		if r.Err != nil {
			return fmt.Errorf("delete ACLs: %w", r.Err)
		}
		for _, d := range r.Deleted {
			acls = append(acls, aclRow{d.Principal, d.Host, d.Operation.String(), d.Permission.String(), d.Type.String(), d.Name, d.Pattern.String()})
		}
	}
	return s.printACLs(acls)
}
