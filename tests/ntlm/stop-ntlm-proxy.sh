#!/usr/bin/env bash
# Stops the proxy start-ntlm-proxy.sh started in WORKDIR and removes the user file (it holds the
# password) and, when it ran as root, its private worker directory. Safe to call twice.
#   stop-ntlm-proxy.sh WORKDIR
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 2; }
workdir="$1"

if [ -s "$workdir/httpd.pid" ]; then
  pid="$(cat "$workdir/httpd.pid")"
  if kill -TERM "$pid" 2>/dev/null; then
    deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$workdir/httpd.pid"
fi
rm -f "$workdir/ntlm-users"
if [ -s "$workdir/worker-dir" ]; then
  worker_dir="$(cat "$workdir/worker-dir")"
  case "$worker_dir" in /tmp/escprov-ntlm-proxy.*) rm -rf "$worker_dir" ;; esac
  rm -f "$workdir/worker-dir"
fi
