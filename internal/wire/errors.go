package wire

import "errors"

// ErrTruncated reports a request frame too short to hold its header.
var ErrTruncated = errors.New("wire: truncated request header")

// ErrUnknownAPIKey reports a request whose API key is unknown or not served.
var ErrUnknownAPIKey = errors.New("wire: unknown or unserved api key")

// ErrUnsupportedVersion reports a request whose version is outside the
// served range of its API key.
var ErrUnsupportedVersion = errors.New("wire: unsupported api version")

// ErrDecode reports a request header or body that does not decode.
var ErrDecode = errors.New("wire: malformed request")

// ErrFrameSize reports a frame size prefix that is negative or larger than
// Config.MaxRequestBytes.
var ErrFrameSize = errors.New("wire: invalid frame size")

// ErrConnClosed reports that a connection closed before a response could be
// written; it is passed to SendPartsDone callbacks of dropped responses.
var ErrConnClosed = errors.New("wire: connection closed")

// ErrShortFile reports a file part that ended before its N bytes were sent.
var ErrShortFile = errors.New("wire: file region shorter than announced")

// ErrIdle is the close reason of a connection idle for longer than
// Config.IdleTimeout.
var ErrIdle = errors.New("wire: connection idle")
