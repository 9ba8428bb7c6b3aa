// Package controller turns admin requests and broker registrations into
// metadata records. It validates a request against the current image,
// appends the records to the metadata journal (durably), applies them and
// publishes the new image. It is the only writer of cluster metadata; the
// broker's handlers only read images.
//
// Requests come in as kmsg request types (as Kafka's QuorumController takes
// its request data) and leave as response entries, so the same code can
// serve forwarded requests once controllers run apart from brokers.
package controller
