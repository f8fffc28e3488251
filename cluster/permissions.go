package cluster

// AgentPermissions returns the subjects the NATS user of node's agent
// must be allowed to publish to and subscribe to, once the buckets and the
// stream exist (an agent that may also make them needs $JS.API.> in full,
// which publish already holds). The agent writes only its own node's
// state and heartbeat and only its own node's output and events, and it
// receives only its own node's control requests.
func AgentPermissions(node string) (publish, subscribe []string) {
	publish = []string{
		"$JS.API.>",                              // bucket and stream lookups, reads, watches
		"$JS.FC.>",                               // flow control of the watch's consumer
		"$KV." + BucketState + "." + node + ".>", // its units' UnitInfo
		"$KV." + BucketNodes + "." + node,        // its heartbeat
		"goprocess.log." + node + ".>",           // its units' output lines
		EventSubject(node),                       // its units' changes
		"_INBOX.>",                               // replies to control requests
	}
	subscribe = []string{
		ControlSubject(node) + ".>", // control requests
		"$SRV.>",                    // the micro service's discovery (PING, INFO, STATS)
		"_INBOX.>",                  // replies and watch deliveries
	}
	return publish, subscribe
}
