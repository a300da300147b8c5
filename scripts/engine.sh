#!/usr/bin/env bash
# Makes sure a Docker engine answers, installing docker.io and starting
# dockerd when this is a Debian machine and we are root. Sourced by
# scripts/run and scripts/test; prints what it did on stderr and never fails
# the caller (a missing engine is reported by whoever needs it).
ensure_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    echo "engine: DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local dockerd" >&2
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "engine: no Docker engine answers and we are not root; start dockerd yourself" >&2
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1; then
    if [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
      echo "engine: installing docker.io (apt-get)…" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io) >/tmp/deckhand-apt.log 2>&1 ||
        { echo "engine: apt-get install docker.io failed; see /tmp/deckhand-apt.log" >&2; return 0; }
    else
      echo "engine: dockerd is not installed and this is not Debian; install Docker yourself" >&2
      return 0
    fi
  fi
  echo "engine: starting dockerd (log: /tmp/deckhand-dockerd.log)…" >&2
  nohup dockerd >/tmp/deckhand-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then echo "engine: dockerd is up" >&2; return 0; fi
    sleep 0.5
  done
  echo "engine: dockerd did not answer within 30s; see /tmp/deckhand-dockerd.log" >&2
}
