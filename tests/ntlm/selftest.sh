#!/usr/bin/env bash
# Checks the NTLM test proxy (start-ntlm-proxy.sh) with curl against a throwaway echo backend:
#   - no credentials: 401 with WWW-Authenticate: NTLM and Negotiate
#   - curl --ntlm with the right password: 200, the backend sees X-Remote-User DOMAIN\name (not
#     the one the client sent) and no Authorization header, all on curl's one connection; a second
#     request on that connection needs no new handshake; a POST body arrives whole
#   - a wrong password, an unknown user: 401
#   - Negotiate (SPNEGO wrapping NTLM, gss-ntlmssp on the client side too): 200
#   - the password is in no file the proxy wrote but the user file, which stop removes
# Exit 77 (CTest: skipped) when Apache, its modules, gss-ntlmssp, python3 or curl is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v curl >/dev/null || skip "curl is not installed"
command -v python3 >/dev/null || skip "python3 is not installed (the echo backend)"
[ -x "${APACHE2:-/usr/sbin/apache2}" ] || skip "Apache httpd is not installed (Debian package apache2)"
[ -f "${APACHE_MODULES:-/usr/lib/apache2/modules}/mod_auth_gssapi.so" ] ||
  skip "mod_auth_gssapi is not installed (Debian package libapache2-mod-auth-gssapi)"
[ -n "$(ls /etc/gss/mech.d/*ntlmssp* 2>/dev/null)" ] || skip "gss-ntlmssp is not installed (Debian package gss-ntlmssp)"

work="$(mktemp -d)"
backend_pid=""
cleanup() {
  "$here/stop-ntlm-proxy.sh" "$work/proxy" || true
  if [ -n "$backend_pid" ]; then kill "$backend_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The backend prints its URL on its first line; wait for it with a deadline.
python3 "$here/echo-backend.py" >"$work/backend.out" 2>"$work/backend.err" &
backend_pid=$!
deadline=$((SECONDS + 20))
until [ -s "$work/backend.out" ]; do
  kill -0 "$backend_pid" 2>/dev/null || fail "the echo backend exited: $(cat "$work/backend.err")"
  [ $SECONDS -lt $deadline ] || fail "the echo backend printed no URL in 20 s"
  sleep 0.05
done
backend="$(head -n 1 "$work/backend.out")"

password="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n') with space"
export NTLM_PROXY_USER='TESTDOM\alice' NTLM_PROXY_PASSWORD="$password"
set +e
"$here/start-ntlm-proxy.sh" "$backend" "$work/proxy" >"$work/start.out" 2>"$work/start.err"
status=$?
set -e
[ $status -ne 3 ] || skip "$(cat "$work/start.err")"
[ $status -eq 0 ] || fail "start-ntlm-proxy.sh exited $status: $(cat "$work/start.err")"
proxy="$(sed -n 1p "$work/start.out")"
pid_file="$(sed -n 2p "$work/start.out")"
[[ "$proxy" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || fail "first line is not the proxy URL: '$proxy'"
[ -s "$pid_file" ] || fail "no pid file at '$pid_file'"
echo "proxy $proxy in front of $backend"

# curl with the credentials in a config read from stdin, so the password is on no command line.
as_user() { # PASSWORD USER CURL-ARGS...
  local pass="$1" who="$2"
  shift 2
  printf 'user = "%s:%s"\n' "${who//\\/\\\\}" "$pass" | curl -sS -K - "$@"
}

# 1. No credentials: 401, offering NTLM and Negotiate.
curl -sS -o /dev/null -D "$work/h1" -w '%{http_code}' "$proxy/api/data/v9.2/WhoAmI" >"$work/code1"
[ "$(cat "$work/code1")" = 401 ] || fail "no credentials: HTTP $(cat "$work/code1"), expected 401"
grep -qi '^WWW-Authenticate: NTLM' "$work/h1" || fail "no credentials: no 'WWW-Authenticate: NTLM' in: $(cat "$work/h1")"
grep -qi '^WWW-Authenticate: Negotiate' "$work/h1" || fail "no credentials: no 'WWW-Authenticate: Negotiate'"
echo "ok: no credentials -> 401, WWW-Authenticate: NTLM and Negotiate"

# 2. Right password: 200 for two requests on one connection; the backend sees the proxy's
# X-Remote-User, not the client's, and not the NTLM Authorization header of the first one.
as_user "$password" 'TESTDOM\alice' --ntlm -H 'X-Remote-User: mallory' \
  -w '\n%{http_code} %{num_connects}\n' "$proxy/one" "$proxy/two?x=1" >"$work/ok.out"
python3 - "$work/ok.out" <<'EOF' || fail "right password: $(cat "$work/ok.out")"
import json, sys
lines = open(sys.argv[1]).read().split("\n")
bodies, stats = lines[0::2], lines[1::2]
assert stats[0] == "200 1", "first request: %r (want 200 on one new connection)" % stats[0]
assert stats[1] == "200 0", "second request: %r (want 200 on the same connection)" % stats[1]
for body, path in zip(bodies, ["/one", "/two?x=1"]):
    seen = json.loads(body)
    assert seen["path"] == path, seen
    assert seen["headers"].get("x-remote-user") == "TESTDOM\\alice", seen["headers"]
    assert "authorization" not in seen["headers"], seen["headers"]
EOF
printf '%s\n' 'ok: curl --ntlm -> 200 twice on one connection, backend saw X-Remote-User: TESTDOM\alice'

# A POST body (escprov's imports are POSTs) arrives whole after the handshake.
head -c 300000 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/body"
as_user "$password" 'TESTDOM\alice' --ntlm -H 'Content-Type: application/json' --data-binary @"$work/body" \
  -w '\n%{http_code}\n' "$proxy/api/data/v9.2/ImportSolution" >"$work/post.out"
[ "$(sed -n 2p "$work/post.out")" = 200 ] || fail "POST: $(cat "$work/post.out")"
python3 -c 'import json,sys; seen=json.loads(open(sys.argv[1]).readline()); assert seen["body_length"] == int(sys.argv[2]), seen' \
  "$work/post.out" "$(stat -c %s "$work/body")" || fail "POST body did not arrive whole: $(head -c 400 "$work/post.out")"
echo "ok: POST of $(stat -c %s "$work/body") bytes -> 200, body whole"

# 3. Wrong password, unknown user: 401.
code="$(as_user "wrong-$password" 'TESTDOM\alice' --ntlm -o /dev/null -w '%{http_code}' "$proxy/one")"
[ "$code" = 401 ] || fail "wrong password: HTTP $code, expected 401"
code="$(as_user "$password" 'TESTDOM\bob' --ntlm -o /dev/null -w '%{http_code}' "$proxy/one")"
[ "$code" = 401 ] || fail "unknown user: HTTP $code, expected 401"
echo "ok: wrong password -> 401, unknown user -> 401"

# 4. Negotiate: curl's GSS-API client with gss-ntlmssp takes its credentials from a user file.
printf 'TESTDOM:alice:%s\n' "$password" >"$work/client-users"
code="$(NTLM_USER_FILE="$work/client-users" curl -sS --negotiate -u : -o /dev/null -w '%{http_code}' "$proxy/one")"
rm -f "$work/client-users"
[ "$code" = 200 ] || fail "Negotiate (SPNEGO/NTLM): HTTP $code, expected 200"
echo "ok: curl --negotiate (SPNEGO wrapping NTLM) -> 200"

# 5. The password is in the user file only, and stop removes that.
worker_dir="$(cat "$work/proxy/worker-dir" 2>/dev/null || echo "$work/proxy")"
leaks="$(grep -rlF -- "$password" "$work/proxy" "$worker_dir" | grep -v '/ntlm-users$' || true)"
[ -z "$leaks" ] || fail "the password is in: $leaks"
pid="$(cat "$pid_file")"
"$here/stop-ntlm-proxy.sh" "$work/proxy"
! kill -0 "$pid" 2>/dev/null || fail "the proxy (pid $pid) still runs after stop-ntlm-proxy.sh"
if [ -e "$work/proxy/ntlm-users" ] || [ -e "$worker_dir/ntlm-users" ]; then fail "stop left the user file behind"; fi
echo "ok: password only in the user file; stop ended pid $pid and removed it"
echo "PASS"
