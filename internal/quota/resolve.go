package quota

import "github.com/gofka/gofka/internal/metadata"

// Client is who sends a request: the principal's user name (ANONYMOUS
// without authentication) and the request's client id.
type Client struct {
	User, ClientID string
}

// Resolved is the quota that applies to a client for one key.
type Resolved struct {
	// Bound is the quota value; meaningful only when OK.
	Bound float64
	// Sensor names the clients that share the quota: the components of the
	// matched entity, filled with the client's own names (a default user
	// quota applies to each user separately); the others are empty.
	Sensor Client
	// Entity is the entity whose quota applies.
	Entity Entity
	OK     bool
}

// precedence lists the entities Kafka searches, most specific first, for a
// client (user u, client id c): user+client-id, user with the default
// client id, user, default user with c, both defaults, default user,
// client-id, default client-id.
func precedence(c Client) [8]Entity {
	u, d, id := metadata.Named(c.User), metadata.DefaultName(), metadata.Named(c.ClientID)
	return [8]Entity{
		{User: u, ClientID: id},
		{User: u, ClientID: d},
		{User: u},
		{User: d, ClientID: id},
		{User: d, ClientID: d},
		{User: d},
		{ClientID: id},
		{ClientID: d},
	}
}

// Resolve finds the quota of key for c in Kafka's precedence order.
func Resolve(q *metadata.Quotas, c Client, key string) Resolved {
	if q.Len() == 0 {
		return Resolved{}
	}
	for _, e := range precedence(c) {
		v, ok := q.Get(e, key)
		if !ok {
			continue
		}
		r := Resolved{Bound: v, Entity: e, OK: true}
		if e.User.Set {
			r.Sensor.User = c.User
		}
		if e.ClientID.Set {
			r.Sensor.ClientID = c.ClientID
		}
		return r
	}
	return Resolved{}
}

// ResolveIP finds the connection_creation_rate of an address: its own
// entity, else the default IP entity.
func ResolveIP(q *metadata.Quotas, ip string) (float64, bool) {
	if v, ok := q.Get(Entity{IP: metadata.Named(ip)}, ConnectionCreationRate); ok {
		return v, true
	}
	return q.Get(Entity{IP: metadata.DefaultName()}, ConnectionCreationRate)
}
