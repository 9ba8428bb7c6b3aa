package broker

// DescribeUserScramCredentials (50) v0 and AlterUserScramCredentials (51)
// v0 (KIP-554): SCRAM credentials are metadata records written by the
// controller; describing them shows mechanisms and iterations, never salts
// or keys.

import (
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleDescribeUserScramCredentials(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeUserSCRAMCredentialsRequest)
	resp := r.ResponseKind().(*kmsg.DescribeUserSCRAMCredentialsResponse)
	if !n.authorizeCluster(req, opDescribe) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		reply.Send(resp)
		return
	}
	creds := n.scramInfos()
	if r.Users == nil {
		for _, user := range sortedKeys(creds) {
			resp.Results = append(resp.Results, scramResult(user, creds[user]))
		}
		reply.Send(resp)
		return
	}
	count := map[string]int{}
	for _, u := range r.Users {
		count[u.Name]++
	}
	for _, u := range r.Users {
		res := scramResult(u.Name, creds[u.Name])
		switch {
		case count[u.Name] > 1:
			res.ErrorCode, res.ErrorMessage = kerr.DuplicateResource.Code, kmsg.StringPtr("Cannot describe SCRAM credentials for the same user twice in a single request")
			res.CredentialInfos = nil
		case len(creds[u.Name]) == 0:
			res.ErrorCode, res.ErrorMessage = kerr.ResourceNotFound.Code, kmsg.StringPtr("Attempt to describe a user credential that does not exist")
		}
		resp.Results = append(resp.Results, res)
	}
	reply.Send(resp)
}

// scramInfos returns the mechanisms and iterations of every user.
func (n *Node) scramInfos() map[string][]kmsg.DescribeUserSCRAMCredentialsResponseResultCredentialInfo {
	img := n.meta.Current()
	out := map[string][]kmsg.DescribeUserSCRAMCredentialsResponseResultCredentialInfo{}
	for _, k := range img.ScramUsers() {
		c, _ := img.Scram(k.User, k.Mechanism)
		out[k.User] = append(out[k.User], kmsg.DescribeUserSCRAMCredentialsResponseResultCredentialInfo{Mechanism: k.Mechanism, Iterations: c.Iterations})
	}
	return out
}

func scramResult(user string, infos []kmsg.DescribeUserSCRAMCredentialsResponseResultCredentialInfo) kmsg.DescribeUserSCRAMCredentialsResponseResult {
	res := kmsg.NewDescribeUserSCRAMCredentialsResponseResult()
	res.User, res.CredentialInfos = user, infos
	return res
}

func (n *Node) handleAlterUserScramCredentials(req *wire.Request, reply wire.Reply) {
	if n.forwarded(req, reply) {
		return
	}
	r := req.Msg.(*kmsg.AlterUserSCRAMCredentialsRequest)
	resp := r.ResponseKind().(*kmsg.AlterUserSCRAMCredentialsResponse)
	if !n.authorizeCluster(req, opAlter) {
		for _, u := range userNames(r) {
			res := kmsg.NewAlterUserSCRAMCredentialsResponseResult()
			res.User, res.ErrorCode = u, kerr.ClusterAuthorizationFailed.Code
			resp.Results = append(resp.Results, res)
		}
		reply.Send(resp)
		return
	}
	resp.Results = n.ctrl.AlterScram(r)
	reply.Send(resp)
}

// userNames lists the distinct users of a request in order.
func userNames(r *kmsg.AlterUserSCRAMCredentialsRequest) []string {
	var out []string
	seen := map[string]bool{}
	add := func(u string) {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	for _, d := range r.Deletions {
		add(d.Name)
	}
	for _, u := range r.Upsertions {
		add(u.Name)
	}
	return out
}
