package authz

// Kafka's ACL enums, with the wire codes of CreateAcls, DescribeAcls,
// DeleteAcls and AccessControlEntryRecord.

// ResourceType is a Kafka ResourceType code.
type ResourceType int8

const (
	ResourceAny             ResourceType = 1
	ResourceTopic           ResourceType = 2
	ResourceGroup           ResourceType = 3
	ResourceCluster         ResourceType = 4
	ResourceTransactionalID ResourceType = 5
	ResourceDelegationToken ResourceType = 6
	ResourceUser            ResourceType = 7
)

// PatternType is a Kafka PatternType code.
type PatternType int8

const (
	PatternAny      PatternType = 1
	PatternMatch    PatternType = 2
	PatternLiteral  PatternType = 3
	PatternPrefixed PatternType = 4
)

// Operation is a Kafka AclOperation code.
type Operation int8

const (
	OpAny             Operation = 1
	OpAll             Operation = 2
	OpRead            Operation = 3
	OpWrite           Operation = 4
	OpCreate          Operation = 5
	OpDelete          Operation = 6
	OpAlter           Operation = 7
	OpDescribe        Operation = 8
	OpClusterAction   Operation = 9
	OpDescribeConfigs Operation = 10
	OpAlterConfigs    Operation = 11
	OpIdempotentWrite Operation = 12
	OpCreateTokens    Operation = 13
	OpDescribeTokens  Operation = 14
)

// Permission is a Kafka AclPermissionType code.
type Permission int8

const (
	PermAny   Permission = 1
	PermDeny  Permission = 2
	PermAllow Permission = 3
)

// ClusterName is the only name of the cluster resource.
const ClusterName = "kafka-cluster"

// Wildcard matches every resource name (literal patterns), principal
// ("User:*") name or host.
const Wildcard = "*"

// Binding is one ACL: a resource pattern and an access control entry.
type Binding struct {
	ResourceType ResourceType
	ResourceName string
	PatternType  PatternType
	Principal    string // "User:alice" or "User:*"
	Host         string // an IP address or "*"
	Operation    Operation
	Permission   Permission
}

// Filter selects bindings (DescribeAcls, DeleteAcls): Any codes and nil
// strings match everything; PatternMatch matches the patterns that apply
// to ResourceName (literal, wildcard and prefixes of it).
type Filter struct {
	ResourceType ResourceType
	ResourceName *string
	PatternType  PatternType
	Principal    *string
	Host         *string
	Operation    Operation
	Permission   Permission
}

// Operations a resource type can be authorized for, in Kafka's order;
// authorized-operation bitfields (KIP-430) are built from them.
var Operations = map[ResourceType][]Operation{
	ResourceTopic:           {OpRead, OpWrite, OpCreate, OpDelete, OpAlter, OpDescribe, OpDescribeConfigs, OpAlterConfigs},
	ResourceGroup:           {OpRead, OpDelete, OpDescribe},
	ResourceCluster:         {OpCreate, OpAlter, OpDescribe, OpClusterAction, OpDescribeConfigs, OpAlterConfigs, OpIdempotentWrite},
	ResourceTransactionalID: {OpWrite, OpDescribe},
	ResourceDelegationToken: {OpDescribe},
	ResourceUser:            {OpCreateTokens, OpDescribeTokens},
}
