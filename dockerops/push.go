package dockerops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/moby/moby/api/pkg/authconfig"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
)

// RegistryAuth are the credentials for one registry. For ECR they come from
// GetAuthorizationToken: the token is base64 of "AWS:<password>" and
// ServerAddress is the proxy endpoint (https://<account>.dkr.ecr.<region>.amazonaws.com).
type RegistryAuth struct {
	Username      string
	Password      string
	ServerAddress string // e.g. "127.0.0.1:5000"; empty: the registry of the reference
}

// PushError is a push the engine or the registry refused. Message is the
// registry's own words (e.g. "unauthorized: authentication required"), so
// a caller can show it as is.
type PushError struct {
	Ref     string
	Message string
}

func (e *PushError) Error() string {
	return fmt.Sprintf("docker push %s: %s", e.Ref, e.Message)
}

// Unauthorized reports whether the registry refused the credentials (or
// their absence), which the launch pipeline explains as a login problem
// rather than a network one.
func (e *PushError) Unauthorized() bool {
	m := strings.ToLower(e.Message)
	for _, s := range []string{"unauthorized", "authentication required", "no basic auth credentials", "denied", "401"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// Tag gives the image source (a name, tag or ID) the additional name
// target, as `docker tag` does. Pushing to a registry needs a name that
// starts with the registry's address.
func (e *Engine) Tag(ctx context.Context, source, target string) error {
	if e.readOnly {
		return ErrReadOnly
	}
	if _, err := e.cli.ImageTag(ctx, client.ImageTagOptions{Source: source, Target: target}); err != nil {
		return fmt.Errorf("docker tag %s %s: %w", source, target, e.explain(err))
	}
	return nil
}

// Push uploads ref (registry/repository:tag) with auth and returns the
// pushed manifest's digest ("sha256:…", empty if the engine did not say).
// progress, if not nil, receives one line per layer status change
// ("5f70bf18a086 Pushed"); byte-level progress is dropped, as the lines
// are meant for a log or a checklist, not a progress bar.
func (e *Engine) Push(ctx context.Context, ref string, auth RegistryAuth, progress func(line string)) (string, error) {
	if e.readOnly {
		return "", ErrReadOnly
	}
	if progress == nil {
		progress = func(string) {}
	}
	enc, err := authconfig.Encode(registry.AuthConfig{
		Username: auth.Username, Password: auth.Password, ServerAddress: auth.ServerAddress,
	})
	if err != nil {
		return "", fmt.Errorf("docker push %s: encoding credentials: %w", ref, err)
	}
	res, err := e.cli.ImagePush(ctx, ref, client.ImagePushOptions{RegistryAuth: enc})
	if err != nil {
		err = e.explain(err)
		var unreach *UnreachableError
		if errors.As(err, &unreach) {
			return "", fmt.Errorf("docker push %s: %w", ref, err)
		}
		// The engine answers some refusals (unknown image, bad name)
		// before streaming; they read best as the registry's message.
		return "", &PushError{Ref: ref, Message: err.Error()}
	}
	defer res.Close()
	return decodePush(ref, res, progress)
}

// decodePush reads the push's JSON message stream. An error in the stream
// (the registry's refusal) ends the push even though the HTTP call
// succeeded: the engine reports registry failures only there.
func decodePush(ref string, r io.Reader, progress func(string)) (string, error) {
	var digest string
	last := map[string]string{} // layer → last status, to drop repeats
	dec := json.NewDecoder(r)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", fmt.Errorf("docker push %s: reading the engine's output: %w", ref, err)
		}
		if m.Error != nil {
			return "", &PushError{Ref: ref, Message: strings.TrimSpace(m.Error.Message)}
		}
		if m.Aux != nil {
			var aux struct{ Digest string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.Digest != "" {
				digest = aux.Digest
			}
		}
		if m.Status == "" || last[m.ID] == m.Status {
			continue
		}
		last[m.ID] = m.Status
		progress(strings.TrimSpace(m.ID + " " + m.Status))
	}
	return digest, nil
}
