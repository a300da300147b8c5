package resource

// Which EC2 actions an instance's state allows, and in plain words why not:
// the one place the rule lives (the TUI refuses in these words before it
// sends a call that EC2 would reject with IncorrectInstanceState).

// CanStart reports whether StartInstances applies, else why not.
func (i Instance) CanStart() (ok bool, why string) {
	switch i.State {
	case "stopped":
		return true, ""
	case "pending", "running":
		return false, "it is " + i.State + " already"
	case "stopping":
		return false, "it is still stopping; start it once it is stopped"
	}
	return false, "it is " + i.State
}

// CanStop reports whether StopInstances applies, else why not.
func (i Instance) CanStop() (ok bool, why string) {
	switch i.State {
	case "running":
		return true, ""
	case "stopped", "stopping":
		return false, "it is " + i.State + " already"
	case "pending":
		return false, "it is pending; stop it once it is running"
	}
	return false, "it is " + i.State
}

// CanTerminate reports whether TerminateInstances still has anything to do.
func (i Instance) CanTerminate() (ok bool, why string) {
	if i.State == "terminated" || i.State == "shutting-down" {
		return false, "it is " + i.State + " already"
	}
	return true, ""
}
