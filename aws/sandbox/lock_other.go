//go:build !unix

package sandbox

import (
	"os"
	"sync"
)

// Without flock the sandbox serialises the Accounts of one process only;
// separate processes sharing a state file are not protected there.
var processLock sync.Mutex

func tryLock(*os.File) (bool, error) { return processLock.TryLock(), nil }

func unlockFile(*os.File) { processLock.Unlock() }
