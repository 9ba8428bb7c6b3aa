package authz

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidBinding reports an ACL CreateAcls must refuse with
// INVALID_REQUEST.
var ErrInvalidBinding = errors.New("authz: invalid ACL binding")

// Validate checks a new binding as Kafka's AclControlManager does.
func Validate(b Binding) error {
	switch {
	case b.ResourceType < ResourceTopic || b.ResourceType > ResourceUser:
		return fmt.Errorf("%w: invalid resource type", ErrInvalidBinding)
	case b.PatternType != PatternLiteral && b.PatternType != PatternPrefixed:
		return fmt.Errorf("%w: invalid pattern type", ErrInvalidBinding)
	case b.Operation < OpAll || b.Operation > OpDescribeTokens:
		return fmt.Errorf("%w: invalid operation", ErrInvalidBinding)
	case b.Permission != PermAllow && b.Permission != PermDeny:
		return fmt.Errorf("%w: invalid permission type", ErrInvalidBinding)
	case b.ResourceName == "":
		return fmt.Errorf("%w: resource name must not be empty", ErrInvalidBinding)
	case b.ResourceType == ResourceCluster && (b.PatternType != PatternLiteral || b.ResourceName != ClusterName):
		return fmt.Errorf("%w: the only valid name for the CLUSTER resource is %s", ErrInvalidBinding, ClusterName)
	case b.Host == "":
		return fmt.Errorf("%w: host must not be empty", ErrInvalidBinding)
	}
	if typ, name, ok := strings.Cut(b.Principal, ":"); !ok || typ == "" || name == "" {
		return fmt.Errorf("%w: principal %q is not of the form Type:name", ErrInvalidBinding, b.Principal)
	}
	return nil
}

// ValidateFilter checks a DeleteAcls or DescribeAcls filter.
func ValidateFilter(f Filter) error {
	switch {
	case f.ResourceType < ResourceAny || f.ResourceType > ResourceUser:
		return fmt.Errorf("%w: invalid resource type filter", ErrInvalidBinding)
	case f.PatternType < PatternAny || f.PatternType > PatternPrefixed:
		return fmt.Errorf("%w: invalid pattern type filter", ErrInvalidBinding)
	case f.Operation < OpAny || f.Operation > OpDescribeTokens:
		return fmt.Errorf("%w: invalid operation filter", ErrInvalidBinding)
	case f.Permission < PermAny || f.Permission > PermAllow:
		return fmt.Errorf("%w: invalid permission filter", ErrInvalidBinding)
	}
	return nil
}

// Matches reports whether f selects b.
func (f Filter) Matches(b Binding) bool {
	return (f.ResourceType == ResourceAny || f.ResourceType == b.ResourceType) &&
		f.matchesPattern(b) &&
		(f.Principal == nil || *f.Principal == b.Principal) &&
		(f.Host == nil || *f.Host == b.Host) &&
		(f.Operation == OpAny || f.Operation == b.Operation) &&
		(f.Permission == PermAny || f.Permission == b.Permission)
}

func (f Filter) matchesPattern(b Binding) bool {
	switch f.PatternType {
	case PatternAny:
		return f.ResourceName == nil || *f.ResourceName == b.ResourceName
	case PatternMatch:
		return f.ResourceName == nil || patternApplies(b, *f.ResourceName)
	default:
		return f.PatternType == b.PatternType && (f.ResourceName == nil || *f.ResourceName == b.ResourceName)
	}
}

// patternApplies reports whether b's resource pattern covers name.
func patternApplies(b Binding, name string) bool {
	switch b.PatternType {
	case PatternLiteral:
		return b.ResourceName == name || b.ResourceName == Wildcard
	case PatternPrefixed:
		return strings.HasPrefix(name, b.ResourceName)
	}
	return false
}
