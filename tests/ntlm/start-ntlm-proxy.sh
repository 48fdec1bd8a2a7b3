#!/usr/bin/env bash
# Starts a real NTLM-speaking reverse proxy on loopback: Apache httpd with mod_auth_gssapi, whose
# NTLM check is gss-ntlmssp's against a local user file, in front of BACKEND_URL.
#
#   NTLM_PROXY_PASSWORD=... start-ntlm-proxy.sh BACKEND_URL WORKDIR
#
# Prints the proxy's base URL ("http://127.0.0.1:PORT") on the first line of stdout and the path
# of its pid file on the second, then returns; the proxy runs in the background until
# `stop-ntlm-proxy.sh WORKDIR` (or a SIGTERM to the pid in the pid file) ends it.
#
# Environment:
#   NTLM_PROXY_PASSWORD  the user's password (required; never taken from the command line)
#   NTLM_PROXY_USER      DOMAIN\name of the one user it accepts (default: ESCPROV\svc-crm)
#   NTLM_PROXY_TIMEOUT   seconds a proxied request may take (default: 900: imports are slow)
#   NTLM_PROXY_LOGLEVEL  Apache LogLevel (default: warn); the error log is WORKDIR/error.log
#   APACHE2              the httpd binary (default: /usr/sbin/apache2)
#   APACHE_MODULES       its modules directory (default: /usr/lib/apache2/modules)
#
# Authenticated requests go to BACKEND_URL with X-Remote-User set to the authenticated user (as
# gss-ntlmssp names it: DOMAIN\name); an X-Remote-User or Authorization header sent by the client
# never reaches the backend. Everything the proxy writes stays in WORKDIR (and, when run as root,
# in one private directory under /tmp that the unprivileged Apache workers can read; its path is
# in WORKDIR/worker-dir and stop-ntlm-proxy.sh removes it). Exit codes: 0 started, 2 usage, 3
# Apache or a module missing, 1 it did not start (WORKDIR/error.log says why).
set -euo pipefail

usage() { echo "usage: NTLM_PROXY_PASSWORD=... $0 BACKEND_URL WORKDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
backend="${1%/}"
workdir="$2"
case "$backend" in http://* | https://*) ;; *) echo "$0: BACKEND_URL must be http:// or https://" >&2; exit 2 ;; esac
[ -n "${NTLM_PROXY_PASSWORD:-}" ] || { echo "$0: set NTLM_PROXY_PASSWORD (the user's password)" >&2; exit 2; }
# gss-ntlmssp reads the user file's lines as DOMAIN:NAME:PASSWORD, and a line with one more ':' as
# smbpasswd's format: the password can hold neither a line break nor a ':'.
case "$NTLM_PROXY_PASSWORD" in *$'\n'* | *$'\r'* | *:*)
  echo "$0: NTLM_PROXY_PASSWORD cannot hold ':' or a line break (gss-ntlmssp's user file format)" >&2; exit 2 ;; esac
user="${NTLM_PROXY_USER:-ESCPROV\\svc-crm}"
domain="${user%%\\*}"
name="${user#*\\}"
if [ "$domain" = "$user" ] || [ -z "$domain" ] || [ -z "$name" ] || [[ "$user" == *:* ]]; then
  printf '%s: NTLM_PROXY_USER must be DOMAIN\\name (no ":"), not "%s"\n' "$0" "$user" >&2
  exit 2
fi
timeout="${NTLM_PROXY_TIMEOUT:-900}"
loglevel="${NTLM_PROXY_LOGLEVEL:-warn}"
apache="${APACHE2:-/usr/sbin/apache2}"
modules="${APACHE_MODULES:-/usr/lib/apache2/modules}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

[ -x "$apache" ] || { echo "$0: Apache httpd not found at $apache (Debian package apache2)" >&2; exit 3; }
for module in mod_auth_gssapi mod_proxy mod_proxy_http mod_headers mod_lua mod_mpm_event; do
  [ -f "$modules/$module.so" ] || {
    echo "$0: $modules/$module.so not found (Debian packages apache2, libapache2-mod-auth-gssapi)" >&2
    exit 3
  }
done
[ -n "$(ls /etc/gss/mech.d/*ntlmssp* 2>/dev/null)" ] || {
  echo "$0: the gss-ntlmssp mechanism is not registered in /etc/gss/mech.d (Debian package gss-ntlmssp)" >&2
  exit 3
}

mkdir -p "$workdir"
workdir="$(cd "$workdir" && pwd)"
umask 077

# Files the Apache workers read while a request is authenticated: the user file (gss-ntlmssp opens
# it on every NTLM check) and the Lua hook. As root, Apache drops to www-data (or nobody) for its
# workers, and WORKDIR may not be reachable for that user, so these go to a private directory of
# that user's under /tmp.
if [ "$(id -u)" = 0 ]; then
  run_user=www-data
  id "$run_user" >/dev/null 2>&1 || run_user=nobody
  run_group="$(id -gn "$run_user")"
  worker_dir="$(mktemp -d /tmp/escprov-ntlm-proxy.XXXXXX)"
  echo "$worker_dir" >"$workdir/worker-dir"
  run_as="User $run_user
Group $run_group"
else
  worker_dir="$workdir"
  run_as=""
fi
printf '%s:%s:%s\n' "$domain" "$name" "$NTLM_PROXY_PASSWORD" >"$worker_dir/ntlm-users"
cp "$here/ntlm-compat.lua" "$worker_dir/ntlm-compat.lua"
if [ -n "$run_as" ]; then chown -R "$run_user:$run_group" "$worker_dir"; fi

# A port that nothing listens on now (from /proc/net/tcp); Apache cannot listen on port 0, so a
# port taken in between is caught below and another one tried.
listening_ports() {
  local hex
  awk 'NR > 1 && $4 == "0A" { n = split($2, a, ":"); print a[n] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    while read -r hex; do echo $((16#$hex)); done
}
pick_port() {
  local taken port
  taken=" $(listening_ports | tr '\n' ' ') "
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    [[ "$taken" == *" $port "* ]] || { echo "$port"; return; }
  done
  echo "$0: no free port found" >&2
  exit 1
}

write_config() {
  cat >"$workdir/httpd.conf" <<EOF
# Written by tests/ntlm/start-ntlm-proxy.sh; every path is inside $workdir or $worker_dir.
ServerRoot "$workdir"
ServerName 127.0.0.1
Listen 127.0.0.1:$1
PidFile "$workdir/httpd.pid"
DefaultRuntimeDir "$workdir"
ErrorLog "$workdir/error.log"
LogLevel $loglevel
$run_as

LoadModule mpm_event_module "$modules/mod_mpm_event.so"
LoadModule authn_core_module "$modules/mod_authn_core.so"
LoadModule authz_core_module "$modules/mod_authz_core.so"
LoadModule authz_user_module "$modules/mod_authz_user.so"
LoadModule headers_module "$modules/mod_headers.so"
LoadModule lua_module "$modules/mod_lua.so"
LoadModule proxy_module "$modules/mod_proxy.so"
LoadModule proxy_http_module "$modules/mod_proxy_http.so"
LoadModule auth_gssapi_module "$modules/mod_auth_gssapi.so"

ServerLimit 2
StartServers 1
ThreadsPerChild 16
MaxRequestWorkers 32
MinSpareThreads 1
MaxSpareThreads 32

# NTLM authenticates a connection, not a request: the handshake's three legs and every request
# after it must travel on one kept-alive connection.
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
Timeout $timeout
LimitRequestBody 0

# Before anything else looks at the request: drop a client's own X-Remote-User, and give
# gss-ntlmssp the NTLM message layout it decodes (ntlm-compat.lua says why).
RequestHeader unset X-Remote-User early
LuaHookTranslateName "$worker_dir/ntlm-compat.lua" pad_ntlm early

<Location />
  AuthType GSSAPI
  AuthName "escprov NTLM test proxy"
  GssapiAllowedMech ntlmssp
  GssapiConnectionBound On
  Require valid-user
  RequestHeader set X-Remote-User "expr=%{REMOTE_USER}"
  RequestHeader unset Authorization
</Location>

ProxyRequests Off
ProxyPreserveHost On
ProxyTimeout $timeout
ProxyPass "/" "$backend/"
ProxyPassReverse "/" "$backend/"
EOF
}

# Start Apache in the foreground as a background job of ours (its pid is the pid file's), wait
# until it answers, and try another port if the one picked was taken meanwhile.
for _ in 1 2 3 4 5; do
  port="$(pick_port)"
  write_config "$port"
  : >"$workdir/error.log"
  rm -f "$workdir/httpd.pid"
  NTLM_USER_FILE="$worker_dir/ntlm-users" "$apache" -f "$workdir/httpd.conf" -D FOREGROUND \
    </dev/null >>"$workdir/apache.out" 2>&1 &
  pid=$!
  deadline=$((SECONDS + 20))
  started=no
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    if [ -s "$workdir/httpd.pid" ] &&
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      started=yes
      break
    fi
    sleep 0.1
  done
  if [ "$started" = yes ]; then
    echo "http://127.0.0.1:$port" >"$workdir/url"
    echo "http://127.0.0.1:$port"
    echo "$workdir/httpd.pid"
    exit 0
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if ! grep -qi 'address already in use\|could not bind' "$workdir/error.log" "$workdir/apache.out" 2>/dev/null; then
    break
  fi
done
echo "$0: Apache did not start; from $workdir/error.log and $workdir/apache.out:" >&2
tail -n 20 "$workdir/error.log" "$workdir/apache.out" >&2 || true
"$here/stop-ntlm-proxy.sh" "$workdir" # the user file and, as root, the worker directory
exit 1
