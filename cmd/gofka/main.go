// Command gofka is the Gofka broker and its operator CLI.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := rootCmd()
	cmd, err := root.ExecuteC()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gofka:", err)
		if isUsage(err) {
			fmt.Fprintf(os.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "gofka",
		Short:         "A Kafka-compatible broker in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usagef("%w", err) })
	g := &globals{}
	g.register(root)
	root.AddCommand(serverCmd(), formatCmd(), topicCmd(g), produceCmd(g), consumeCmd(g), groupCmd(g), clusterCmd(g), configCmd(g), aclCmd(g), userCmd(g), tokenCmd(g), featureCmd(g), quotaCmd(g), partitionCmd(g))
	return root
}
