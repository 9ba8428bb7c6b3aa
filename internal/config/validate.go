package config

import "strings"

// ValidateTopic checks a topic config override for CreateTopics and
// (Incremental)AlterConfigs. A nil value (delete the override) is valid for
// any known name. Errors wrap ErrUnknown or ErrInvalid; the caller maps
// them to INVALID_CONFIG with the error message.
func ValidateTopic(name string, value *string) error {
	d, ok := lookupTopic(name)
	if !ok {
		return unknownErr(name, "topic config")
	}
	if value == nil {
		return nil
	}
	return d.check(*value)
}

// ValidateBrokerDynamic checks a dynamic broker config for a specific broker
// (resource name = node id). It rejects unknown and read-only properties,
// and SSL store settings without a listener prefix, as Kafka does.
func ValidateBrokerDynamic(name string, value *string) error {
	if base, ok := listenerBase(name); ok {
		if d, ok := lookupBroker(base); ok && value != nil {
			if err := d.check(*value); err != nil {
				return invalidErr(name, err.(*Error).Reason)
			}
		}
		return nil
	}
	d, ok := lookupBroker(name)
	if !ok {
		return unknownErr(name, "broker config")
	}
	if d.Dynamic == ReadOnly {
		return invalidErr(name, "cannot be updated dynamically (read-only)")
	}
	if listenerOnlyDynamic[name] {
		return invalidErr(name, "can be dynamically updated only per-listener using the listener prefix listener.name.<listener>.")
	}
	if value == nil {
		return nil
	}
	return d.check(*value)
}

// ValidateBrokerDefault checks a cluster-wide dynamic default (resource name
// ""): like ValidateBrokerDynamic, and per-broker properties are rejected.
func ValidateBrokerDefault(name string, value *string) error {
	if err := ValidateBrokerDynamic(name, value); err != nil {
		return err
	}
	if perBrokerOnly(name) {
		return invalidErr(name, "cannot be updated at default cluster level, broker id must be specified")
	}
	return nil
}

// perBrokerOnly reports whether name may only be set for a specific broker.
func perBrokerOnly(name string) bool {
	if base, ok := listenerBase(name); ok {
		return base != "max.connections" && base != "max.connection.creation.rate" && !strings.HasSuffix(base, "num.network.threads")
	}
	d, ok := lookupBroker(name)
	return ok && d.Dynamic == PerBroker
}
