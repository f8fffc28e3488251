package process

import (
	"time"

	"dappco.re/go/core/process/internal/cgroup"
	"dappco.re/go/core/process/internal/proc"
)

// usageLocked returns the CPU time and peak memory of the process (see
// ProcessInfo.CPU and MaxRSS).
func (p *Process) usageLocked() (cpu time.Duration, maxRSS int64) {
	var u cgroup.Usage
	switch g := p.group.cgroup; {
	case g != nil && p.group.released:
		u = p.group.usage
	case g != nil:
		u = g.usage()
	}
	cpu, maxRSS = u.CPU, u.MaxRSS
	if p.state == stateRunning {
		leaderCPU, leaderRSS := proc.Usage(p.PID)
		if p.group.cgroup == nil {
			cpu = leaderCPU
		}
		if maxRSS == 0 {
			maxRSS = leaderRSS
		}
		return cpu, maxRSS
	}
	if p.group.cgroup == nil {
		cpu = p.exit.cpu
	}
	if maxRSS == 0 {
		maxRSS = p.exit.maxRSS
	}
	return cpu, maxRSS
}
