package main

// gofka user scram list|set|delete (kafka-configs.sh --entity-type users
// --add-config SCRAM-SHA-512=[...]): SCRAM credentials (KIP-554).

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
)

func userCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users' SCRAM credentials"}
	scramCmd := &cobra.Command{Use: "scram", Short: "List, set and delete SCRAM credentials"}
	scramCmd.AddCommand(scramListCmd(g), scramSetCmd(g), scramDeleteCmd(g))
	cmd.AddCommand(scramCmd)
	return cmd
}

func parseScramMechanism(s string) (kadm.ScramMechanism, error) {
	switch strings.ToUpper(s) {
	case "SCRAM-SHA-256":
		return kadm.ScramSha256, nil
	case "SCRAM-SHA-512":
		return kadm.ScramSha512, nil
	}
	return 0, usagef("--mechanism %q: want SCRAM-SHA-256 or SCRAM-SHA-512", s)
}

func scramSetCmd(g *globals) *cobra.Command {
	var mech, password string
	var iterations int32
	cmd := &cobra.Command{
		Use:     "set USER",
		Short:   "Create or replace a user's SCRAM credential (the password is salted by the CLI)",
		Example: "  GOFKA_SCRAM_PASSWORD=bob-secret gofka user scram set bob --mechanism SCRAM-SHA-512",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := parseScramMechanism(mech)
			if err != nil {
				return err
			}
			if password == "" {
				password = os.Getenv("GOFKA_SCRAM_PASSWORD")
			}
			if password == "" {
				return usagef("give --password or $GOFKA_SCRAM_PASSWORD")
			}
			up := kadm.UpsertSCRAM{User: args[0], Mechanism: m, Iterations: iterations, Password: password}
			return g.withSession(cmd, func(s *session) error { return s.alterScram(nil, []kadm.UpsertSCRAM{up}) })
		},
	}
	cmd.Flags().StringVar(&mech, "mechanism", "SCRAM-SHA-512", "SCRAM-SHA-256 or SCRAM-SHA-512")
	cmd.Flags().StringVar(&password, "password", "", "the password (default $GOFKA_SCRAM_PASSWORD)")
	cmd.Flags().Int32Var(&iterations, "iterations", 8192, "PBKDF2 iterations, 4096 to 16384")
	return cmd
}

func scramDeleteCmd(g *globals) *cobra.Command {
	var mech string
	cmd := &cobra.Command{
		Use:     "delete USER",
		Short:   "Delete a user's SCRAM credential for one mechanism",
		Example: "  gofka user scram delete bob --mechanism SCRAM-SHA-512",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := parseScramMechanism(mech)
			if err != nil {
				return err
			}
			del := kadm.DeleteSCRAM{User: args[0], Mechanism: m}
			return g.withSession(cmd, func(s *session) error { return s.alterScram([]kadm.DeleteSCRAM{del}, nil) })
		},
	}
	cmd.Flags().StringVar(&mech, "mechanism", "SCRAM-SHA-512", "SCRAM-SHA-256 or SCRAM-SHA-512")
	return cmd
}

func (s *session) alterScram(del []kadm.DeleteSCRAM, up []kadm.UpsertSCRAM) error {
	res, err := s.adm.AlterUserSCRAMs(s.ctx, del, up)
	if err != nil {
		return explain(err, "")
	}
	if err := res.Error(); err != nil {
		return fmt.Errorf("SCRAM credentials: %w", err)
	}
	for user := range res {
		fmt.Fprintf(s.out, "Updated SCRAM credentials of %s\n", user)
	}
	return nil
}

func scramListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list [USER...]",
		Short:   "List users' SCRAM mechanisms and iterations (never the keys)",
		Example: "  gofka user scram list\n  gofka user scram list bob -o json",
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withSession(cmd, func(s *session) error { return s.listScram(args) })
		},
	}
}

// scramRow is one credential in list output.
type scramRow struct {
	User       string `json:"user"`
	Mechanism  string `json:"mechanism"`
	Iterations int32  `json:"iterations"`
}

func (s *session) listScram(users []string) error {
	res, err := s.adm.DescribeUserSCRAMs(s.ctx, users...)
	if err != nil {
		return explain(err, "")
	}
	if err := res.Error(); err != nil {
		return fmt.Errorf("SCRAM credentials: %w", err)
	}
	var out []scramRow
	for _, user := range slices.Sorted(maps.Keys(res)) {
		for _, ci := range res[user].CredInfos {
			out = append(out, scramRow{user, ci.Mechanism.String(), ci.Iterations})
		}
	}
	if s.json() {
		return s.printJSON(out)
	}
	rows := make([][]string, len(out))
	for i, r := range out {
		rows[i] = []string{r.User, r.Mechanism, strconv.Itoa(int(r.Iterations))}
	}
	return s.table([]string{"USER", "MECHANISM", "ITERATIONS"}, rows)
}
