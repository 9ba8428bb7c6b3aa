package security

import (
	"crypto/x509/pkix"
	"errors"
	"testing"

	"github.com/gofka/gofka/internal/security/testcerts"
)

func TestMappingRules(t *testing.T) {
	rules := `RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U,DEFAULT`
	m, err := ParseMappingRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	for dn, want := range map[string]string{
		"CN=kafka-server,OU=ServiceUsers,O=Org":            "kafka-server",
		"CN=Duke,OU=JavaSoft,O=Sun,L=SC,ST=CA,C=US":        "duke@javasoft",
		"cn=duke,ou=javasoft,dc=sun,dc=com":                "DUKE@JAVASOFT",
		"CN=other":                                         "CN=other",
		"CN=kafka-server,OU=ServiceUsers,O=Org,C=US,L=Far": "kafka-server",
	} {
		got, err := m.Map(dn)
		if err != nil || got != want {
			t.Errorf("Map(%q) = %q, %v; want %q", dn, got, err, want)
		}
	}
}

func TestMappingNoMatch(t *testing.T) {
	m, err := ParseMappingRules(`RULE:^CN=(.*)$/$1/`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Map("O=nobody"); !errors.Is(err, ErrNoMatchingRule) {
		t.Fatalf("err = %v, want ErrNoMatchingRule", err)
	}
	for _, bad := range []string{"RULE:abc", "NOPE", "RULE:(/x/"} {
		if _, err := ParseMappingRules(bad); err == nil {
			t.Errorf("ParseMappingRules(%q) succeeded", bad)
		}
	}
}

func TestCertificateDNOrder(t *testing.T) {
	ca, err := testcerts.NewCA("ca")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ca.Client(pkix.Name{CommonName: "alice", OrganizationalUnit: []string{"eng"}, Organization: []string{"acme"}, Country: []string{"US"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := CertificateDN(p.Cert), "CN=alice,OU=eng,O=acme,C=US"; got != want {
		t.Fatalf("DN = %q, want %q", got, want)
	}
}

func TestParsePrincipal(t *testing.T) {
	p, err := ParsePrincipal("User:CN=a:b")
	if err != nil || p != (Principal{"User", "CN=a:b"}) || p.String() != "User:CN=a:b" {
		t.Fatalf("got %v %v", p, err)
	}
	if _, err := ParsePrincipal("alice"); err == nil {
		t.Fatal("no error for a principal without type")
	}
}
