// Package security owns how a Kafka connection proves who it is: TLS server
// configuration from Kafka's ssl.* properties (PEM key and trust stores,
// ssl.client.auth, protocols and cipher suites, certificates reloaded when
// their files change), the KafkaPrincipal, the principal taken from a client
// certificate through ssl.principal.mapping.rules, the server side of the
// SASL mechanisms (PLAIN, also from a users file; SCRAM-SHA-256/512, also
// with delegation tokens: their HMAC and SCRAM credentials; OAUTHBEARER),
// and the client side of an OAUTHBEARER login with signed tokens: the
// token retrieved from a token endpoint (client credentials) or a file,
// validated, and refreshed before it expires (OAuthLogin).
//
// It never reads from or writes to a Kafka connection and never decides what a
// principal may do (that is internal/authz); it never logs or returns a
// secret (a password, a key, a token) in an error.
package security
