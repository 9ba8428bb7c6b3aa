package broker

import "errors"

var (
	// errUnknownAPI closes a connection that sent an API key not served.
	errUnknownAPI = errors.New("broker: unknown api key")
	// errShuttingDown closes connections with parked requests at shutdown.
	errShuttingDown = errors.New("broker: shutting down")
	// errFound stops a record walk early.
	errFound = errors.New("broker: found")
)
