#!/usr/bin/env bash
# What the launch and push tests need beyond the engine: the local Python
# base image (no image registry can be pulled from on these machines) and
# Debian's docker-registry binary (a local registry to push to). Sourced by
# scripts/test after ensure_engine; prints what it did on stderr and never
# fails the caller: a missing part makes the tests that need it skip, or
# fail under CI=true, naming the fix.

PYTHON_BASE_IMAGE=deckhand/python-base:bookworm

# ensure_python_base builds $PYTHON_BASE_IMAGE when an engine answers and we
# are root (debootstrap needs it); scripts/python-base-image does nothing
# when the image exists already.
ensure_python_base() {
  if ! docker info >/dev/null 2>&1; then
    echo "python-base: no Docker engine answers; the launch tests will skip" >&2
    return 0
  fi
  if docker image inspect "$PYTHON_BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "python-base: $PYTHON_BASE_IMAGE is missing and we are not root; run scripts/python-base-image yourself" >&2
    return 0
  fi
  echo "python-base: building $PYTHON_BASE_IMAGE (debootstrap; a few minutes)…" >&2
  scripts/python-base-image "$PYTHON_BASE_IMAGE" >/dev/null ||
    echo "python-base: scripts/python-base-image failed; the launch tests will skip (or fail under CI=true)" >&2
}

# ensure_registry installs Debian's docker-registry package, whose binary
# the push test starts on 127.0.0.1 with its own config (the package's
# own service is not used).
ensure_registry() {
  if [ -x /usr/bin/docker-registry ]; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "registry: /usr/bin/docker-registry is missing; install Debian's docker-registry package (the push test will skip)" >&2
    return 0
  fi
  echo "registry: installing docker-registry (apt-get)…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry) >/tmp/deckhand-apt-registry.log 2>&1 ||
    echo "registry: apt-get install docker-registry failed; see /tmp/deckhand-apt-registry.log" >&2
}

# ensure_bash_completion installs Debian's bash-completion, which cobra's
# bash script needs (TestBashCompletes completes through the built binary in
# a real bash; it fails without it under CI=true).
ensure_bash_completion() {
  if [ -f /usr/share/bash-completion/bash_completion ]; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bash-completion: missing; install Debian's bash-completion package (the completion test will skip)" >&2
    return 0
  fi
  echo "bash-completion: installing (apt-get)…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bash-completion) >/tmp/deckhand-apt-bash-completion.log 2>&1 ||
    echo "bash-completion: apt-get install failed; see /tmp/deckhand-apt-bash-completion.log" >&2
}
