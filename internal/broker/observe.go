package broker

// Observability (issue: operating Gofka): Prometheus metrics, health and
// readiness, pprof, all on the HTTP listener named by gofka.metrics.listen
// (empty: no listener, no metrics). /healthz answers while the process
// runs; /readyz once the node serves clients and until it shuts down;
// /debug/pprof/ only with gofka.pprof.enable=true. The hooks in
// observe_hooks.go feed the registry from the data path.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metrics"
)

// observeState is the node's metrics state. reg is nil when metrics are
// off; every hook then returns at once.
type observeState struct {
	reg   *metrics.Registry
	ln    net.Listener
	srv   *http.Server
	ready atomic.Bool
	wg    sync.WaitGroup
	lag   groupLagReader
}

// startObserve creates the registry and starts the HTTP listener.
func (n *Node) startObserve() error {
	addr := n.cfg.GofkaMetricsListen
	if addr == "" {
		return nil
	}
	o := &n.observe
	o.reg = metrics.New()
	o.reg.AddSource(metrics.Source{Partitions: n.partitionStats, Groups: n.groupStats, Quotas: n.quotaStats,
		Replication: n.replicationStats})
	o.reg.ACLCount(n.authz.count.Load)
	o.reg.AddController(n.controllerStat)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("broker: gofka.metrics.listen %s: %w", addr, err)
	}
	o.ln = ln
	o.srv = &http.Server{Handler: n.observeMux(), ReadHeaderTimeout: 10 * time.Second}
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		if err := o.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("metrics listener stopped", "err", err)
		}
	}()
	n.log.Info("metrics listener started", "addr", ln.Addr().String(), "pprof", n.cfg.GofkaPprofEnable)
	return nil
}

// controllerStat is the controller's gauges when this node is the active
// controller, nothing but Active=false otherwise.
func (n *Node) controllerStat() metrics.ControllerStat {
	if !n.active() {
		return metrics.ControllerStat{}
	}
	s := controller.StatsOf(n.meta.Current())
	return metrics.ControllerStat{Active: true, Topics: s.Topics, Partitions: s.Partitions, Offline: s.Offline,
		Imbalanced: s.Imbalanced, Reassigning: s.Reassigning, WithELR: s.WithELR,
		ActiveBrokers: s.ActiveBrokers, FencedBrokers: s.FencedBrokers}
}

// observeMux routes /metrics, /healthz, /readyz and, when enabled, pprof.
func (n *Node) observeMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/metrics", n.observe.reg.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", n.serveReady)
	if n.cfg.GofkaPprofEnable {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// serveReady answers 200 while the node serves clients, 503 otherwise.
func (n *Node) serveReady(w http.ResponseWriter, _ *http.Request) {
	select {
	case <-n.quit:
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	default:
	}
	if !n.observe.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// markReady records that the node serves clients.
func (n *Node) markReady() { n.observe.ready.Store(true) }

// closeObserve stops the HTTP listener and the group lag client.
func (n *Node) closeObserve() error {
	o := &n.observe
	var err error
	if o.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err = o.srv.Shutdown(ctx); err != nil {
			err = errors.Join(err, o.srv.Close())
		}
		o.wg.Wait()
	}
	o.lag.close()
	return err
}

// MetricsAddr is the bound address of the metrics listener, "" when
// gofka.metrics.listen is empty.
func (n *Node) MetricsAddr() string {
	if n.observe.ln == nil {
		return ""
	}
	return n.observe.ln.Addr().String()
}
