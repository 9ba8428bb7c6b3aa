package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/internal/config"
	"github.com/spf13/cobra"
)

func serverCmd() *cobra.Command {
	var cfgFile string
	var sets []string
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a Gofka node (with no flags: one node on localhost:9092, data in ./gofka-data)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadServerConfig(cfgFile, sets)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServer(ctx, cfg, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&cfgFile, "config", "", "server.properties file with Kafka property names")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "set one property, name=value (repeatable; wins over --config)")
	return cmd
}

// loadServerConfig reads the properties file, applies --set overrides and
// validates the result: an unknown property or a bad value is an error
// naming it.
func loadServerConfig(file string, sets []string) (*config.Broker, error) {
	props := map[string]string{}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		defer f.Close()
		if props, err = config.ParseProperties(f); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--set %q: want name=value", s)
		}
		props[strings.TrimSpace(k)] = v
	}
	return config.LoadBroker(props)
}

func runServer(ctx context.Context, cfg *config.Broker, logOut io.Writer) error {
	logger := newLogger(cfg, logOut)
	node, err := broker.Start(broker.Options{Config: cfg, Logger: logger})
	if err != nil {
		return err
	}
	<-ctx.Done()
	logger.Info("shutting down")
	return node.Close()
}

func newLogger(cfg *config.Broker, out io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.GofkaLogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.GofkaLogFormat == "json" {
		return slog.New(slog.NewJSONHandler(out, opts))
	}
	return slog.New(slog.NewTextHandler(out, opts))
}
