package config

// Security and authorizer broker configs (a subset of Kafka 4.x
// BrokerSecurityConfigs, SslConfigs, SaslConfigs and the StandardAuthorizer).
// The SSL store settings are per-broker dynamic; Kafka accepts dynamic
// updates of them only with a listener prefix (listener.name.<l>.ssl...).

var securityDefs = []*Def{
	{Name: "ssl.keystore.type", Type: String, Default: ptr("JKS"), Dynamic: PerBroker,
		Doc: "The file format of the key store file. This is optional for client. The values currently supported by the default `ssl.engine.factory.class` are [JKS, PKCS12, PEM]. (Gofka reads PEM.)"},
	{Name: "ssl.keystore.location", Type: String, Dynamic: PerBroker,
		Doc: "The location of the key store file. This is optional for client and can be used for two-way authentication for client."},
	{Name: "ssl.keystore.password", Type: Password, Dynamic: PerBroker,
		Doc: "The store password for the key store file. This is optional for client and only needed if 'ssl.keystore.location' is configured. Key store password is not supported for PEM format."},
	{Name: "ssl.key.password", Type: Password, Dynamic: PerBroker,
		Doc: "The password of the private key in the key store file or the PEM key specified in 'ssl.keystore.key'."},
	{Name: "ssl.keystore.key", Type: Password, Dynamic: PerBroker,
		Doc: "Private key in the format specified by 'ssl.keystore.type'. Default SSL engine factory supports only PEM format with PKCS#8 keys. If the key is encrypted, key password must be specified using 'ssl.key.password'"},
	{Name: "ssl.keystore.certificate.chain", Type: Password, Dynamic: PerBroker,
		Doc: "Certificate chain in the format specified by 'ssl.keystore.type'. Default SSL engine factory supports only PEM format with a list of X.509 certificates"},
	{Name: "ssl.truststore.type", Type: String, Default: ptr("JKS"), Dynamic: PerBroker,
		Doc: "The file format of the trust store file. The values currently supported by the default `ssl.engine.factory.class` are [JKS, PKCS12, PEM]. (Gofka reads PEM.)"},
	{Name: "ssl.truststore.location", Type: String, Dynamic: PerBroker,
		Doc: "The location of the trust store file."},
	{Name: "ssl.truststore.password", Type: Password, Dynamic: PerBroker,
		Doc: "The password for the trust store file. If a password is not set, trust store file configured will still be used, but integrity checking is disabled. Trust store password is not supported for PEM format."},
	{Name: "ssl.truststore.certificates", Type: Password, Dynamic: PerBroker,
		Doc: "Trusted certificates in the format specified by 'ssl.truststore.type'. Default SSL engine factory supports only PEM format with X.509 certificates."},
	{Name: "ssl.protocol", Type: String, Default: ptr("TLSv1.3"), Dynamic: PerBroker,
		Doc: "The SSL protocol used to generate the SSLContext. The default is 'TLSv1.3'. Allowed values are 'TLSv1.2' and 'TLSv1.3'."},
	{Name: "ssl.enabled.protocols", Type: List, Default: ptr("TLSv1.2,TLSv1.3"), Dynamic: PerBroker,
		Doc: "The list of protocols enabled for SSL connections. The default is 'TLSv1.2,TLSv1.3'. Clients and servers will prefer TLSv1.3 if both support it and fallback to TLSv1.2 otherwise (assuming both support at least TLSv1.2). This default should be fine for most cases. Also see the config documentation for `ssl.protocol`."},
	{Name: "ssl.cipher.suites", Type: List, Default: ptr(""), Dynamic: PerBroker,
		Doc: "A list of cipher suites. This is a named combination of authentication, encryption, MAC and key exchange algorithm used to negotiate the security settings for a network connection using TLS or SSL network protocol. By default all the available cipher suites are supported."},
	{Name: "ssl.client.auth", Type: String, Default: ptr("none"), Validate: oneOf("required", "requested", "none"), Dynamic: PerBroker,
		Doc: "Configures kafka broker to request client authentication. The following settings are common: <code>ssl.client.auth=required</code> If set to required client authentication is required. <code>ssl.client.auth=requested</code> This means client authentication is optional. unlike required, if this option is set client can choose not to provide authentication information about itself <code>ssl.client.auth=none</code> This means client authentication is not needed."},
	{Name: "ssl.endpoint.identification.algorithm", Type: String, Default: ptr("https"), Dynamic: PerBroker,
		Doc: "The endpoint identification algorithm to validate server hostname using server certificate. "},
	{Name: "ssl.principal.mapping.rules", Type: String, Default: ptr("DEFAULT"),
		Doc: "A list of rules for mapping from distinguished name from the client certificate to short name. The rules are evaluated in order and the first rule that matches a principal name is used to map it to a short name. Any later rules in the list are ignored. By default, distinguished name of the X.500 certificate will be the principal."},
	{Name: "sasl.enabled.mechanisms", Type: List, Default: ptr("GSSAPI"), Dynamic: PerBroker,
		Doc: "The list of SASL mechanisms enabled in the Kafka server. The list may contain any mechanism for which a security provider is available. Only GSSAPI is enabled by default."},
	{Name: "sasl.mechanism.inter.broker.protocol", Type: String, Default: ptr("GSSAPI"), Dynamic: PerBroker,
		Doc: "SASL mechanism used for inter-broker communication. Default is GSSAPI."},
	{Name: "sasl.mechanism.controller.protocol", Type: String, Default: ptr("GSSAPI"),
		Doc: "SASL mechanism used for communication with controllers. Default is GSSAPI."},
	{Name: "sasl.jaas.config", Type: Password, Dynamic: PerBroker,
		Doc: "JAAS login context parameters for SASL connections in the format used by JAAS configuration files. The format for the value is: <code>loginModuleClass controlFlag (optionName=optionValue)*;</code>. For brokers, the config must be prefixed with listener prefix and SASL mechanism name in lower-case. For example, listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=com.example.ScramLoginModule required;"},
	{Name: "connections.max.reauth.ms", Type: Long, Default: ptr("0"), Dynamic: PerBroker,
		Doc: "When explicitly set to a positive number (the default is 0, not a positive number), a session lifetime that will not exceed the configured value will be communicated to v2.2.0 or later clients when they authenticate. The broker will disconnect any such connection that is not re-authenticated within the session lifetime and that is then subsequently used for any purpose other than re-authentication. Configuration names can optionally be prefixed with listener prefix and SASL mechanism name in lower-case. For example, listener.name.sasl_ssl.oauthbearer.connections.max.reauth.ms=3600000"},
	{Name: "sasl.server.max.receive.size", Type: Int, Default: ptr("524288"),
		Doc: "The maximum receive size allowed before and during initial SASL authentication. Default receive size is 512KB. GSSAPI limits requests to 64K, but we allow upto 512KB by default for custom SASL mechanisms. In practice, PLAIN, SCRAM and OAUTH mechanisms can use much smaller limits."},
	{Name: "principal.builder.class", Type: Class, Default: ptr("org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder"), Dynamic: PerBroker,
		Doc: "The fully qualified name of a class that implements the KafkaPrincipalBuilder interface, which is used to build the KafkaPrincipal object used during authorization. (Accepted for compatibility; Gofka uses its built-in principal builder.)"},
	{Name: "authorizer.class.name", Type: String, Default: ptr(""),
		Doc: "The fully qualified name of a class that implements <code>org.apache.kafka.server.authorizer.Authorizer</code> interface, which is used by the broker for authorization. Gofka enables its built-in ACL authorizer when this is set to <code>org.apache.kafka.metadata.authorizer.StandardAuthorizer</code>."},
	{Name: "super.users", Type: String,
		Doc: "A semicolon-separated list of principals (e.g. <code>User:admin;User:ops</code>) that are allowed to perform any operation regardless of ACLs."},
	{Name: "allow.everyone.if.no.acl.found", Type: Boolean, Default: ptr("false"),
		Doc: "If a resource has no associated ACLs, allow every principal access to it when this is true; otherwise only super users have access."},
}

// listenerOnlyDynamic are configs Kafka updates dynamically only with a
// listener prefix (SslConfigs.RECONFIGURABLE_CONFIGS).
var listenerOnlyDynamic = map[string]bool{
	"ssl.keystore.type": true, "ssl.keystore.location": true, "ssl.keystore.password": true,
	"ssl.key.password": true, "ssl.truststore.type": true, "ssl.truststore.location": true,
	"ssl.truststore.password": true, "ssl.keystore.key": true,
	"ssl.keystore.certificate.chain": true, "ssl.truststore.certificates": true,
}
