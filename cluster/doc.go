// Package cluster joins machines running go-process through NATS with
// JetStream: what each node should run (bucket goprocess-desired), what
// it runs (goprocess-state), which nodes are alive (goprocess-nodes), and
// the units' output and changes (stream GOPROCESS). Package agent is the
// part that runs on each machine; this package holds the names, the unit
// spec as it travels in NATS, and the client the goprocess-cluster
// command uses to place units, read state and send control requests.
package cluster
