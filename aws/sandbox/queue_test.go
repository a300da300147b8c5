package sandbox

// Every test of the package checks the event queue's every choice against
// the full scan it replaced (queue.go).
func init() { verifyQueue = true }
