package proc

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// state returns the state letter of pid from /proc, or 0 if it is gone.
func state(pid int) byte {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(data)
	return s[strings.LastIndexByte(s, ')')+2]
}

func TestSignalGroup_RefusesInitAndInvalidGroups(t *testing.T) {
	for _, pgid := range []int{-1, 0, 1} {
		if err := SignalGroup(pgid, 0); err == nil {
			t.Errorf("SignalGroup(%d) succeeded", pgid)
		}
		if GroupAlive(pgid) {
			t.Errorf("GroupAlive(%d) = true", pgid)
		}
	}
}

func TestGroupAlive_FollowsTheGroup(t *testing.T) {
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := Start(cmd, true); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	defer cmd.Process.Kill()
	if !GroupAlive(pid) {
		t.Fatal("group of a running leader reported empty")
	}
	if err := SignalGroup(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if GroupAlive(pid) {
		t.Fatal("group reported alive after its only member was reaped")
	}
}
