// Package authz is Gofka's ACL authorizer, with the semantics of Kafka's
// StandardAuthorizer (KIP-801): ACLs on topics, groups, the cluster,
// transactional ids and delegation tokens, literal and prefixed resource
// patterns (KIP-290), ALLOW and DENY with DENY winning, host filters,
// operation implications (Describe from Read, Write, Delete or Alter;
// DescribeConfigs from AlterConfigs), super.users and
// allow.everyone.if.no.acl.found. It also matches ACL binding filters for
// DescribeAcls and DeleteAcls and validates new ACLs as Kafka does.
//
// It only decides; it never reads requests, writes metadata or logs. The
// ACLs come from the metadata image: the caller builds an Index from each
// new image.
package authz
