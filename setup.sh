#!/usr/bin/env bash
# escprov's one entry point for a fresh Debian 12 machine.
#   ./setup.sh demo   install dependencies, build, and run the main job on a bundled sample (offline)
#   ./setup.sh test   install dependencies, build, and run the whole test suite
#   ./setup.sh deps | build   the individual steps
# BUILD_DIR (default: build) and JOBS (default: 2) can be set in the environment.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${BUILD_DIR:-$here/build}"
jobs="${JOBS:-2}"

packages=(
  build-essential cmake pkg-config
  libxerces-c-dev libzip-dev libcurl4-openssl-dev libboost-program-options-dev
  libgtest-dev nlohmann-json3-dev libssl-dev libcpp-httplib-dev
  zip unzip time clang-format clang-tidy
)
# Only the test suite needs these: the merge report's HTML is checked in a real headless browser, and
# mail is sent to a real SMTP server on loopback (aiosmtpd) with a certificate made by the openssl CLI.
# NTLM is checked against a real NTLM server: Apache httpd with mod_auth_gssapi and gss-ntlmssp as a
# reverse proxy (tests/ntlm/), driven by the curl CLI. apache2-bin is the server and its modules
# without the apache2 package's system service: the tests start their own on a free port.
# The Dataverse emulator is driven by the dynamics-web-api npm package (nodejs, npm).
test_packages=(chromium python3-aiosmtpd openssl apache2-bin libapache2-mod-auth-gssapi gss-ntlmssp curl nodejs npm)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup.sh: need root (or sudo) to install: ${packages[*]}" >&2; exit 2; fi
}

deps() {
  local missing=()
  for p in "${packages[@]}"; do
    # Node.js from elsewhere (NodeSource's nodejs bundles npm) conflicts with Debian's npm package: a working
    # command is enough.
    case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup.sh: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() {
  cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j "$jobs"
}

# Option 1 of the demo: escprov provisions an org over the network. The org is the Dataverse
# emulator on loopback, seeded with the sample CRM 8.2 org, faults off; it is stopped on return.
option1() {
  local work="$1" fake="$build_dir/escprov-fake-dataverse" url pid
  mkdir -p "$work" && chmod 700 "$work"
  # The demo's app secret, made here; escprov reads it from the environment, never the command line.
  ESCPROV_SECRET="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export ESCPROV_SECRET
  ESCPROV_FAKE_SECRET="$ESCPROV_SECRET" "$fake" --port 0 --org-version 8.2 --seed "$here/samples/orgs/crm2016-adatum.zip" \
    --client-id escprov-demo >"$work/emulator.out" 2>"$work/emulator.err" &
  pid=$!
  # shellcheck disable=SC2064 # the pid is fixed now; the trap clears itself so no later return fires it
  trap "kill $pid 2>/dev/null || true; trap - RETURN" RETURN
  for _ in $(seq 100); do url="$(head -n 1 "$work/emulator.out" 2>/dev/null || true)"; [ -n "$url" ] && break; sleep 0.1; done
  [ -n "$url" ] || { echo "setup.sh: the Dataverse emulator did not start:" >&2; cat "$work/emulator.err" >&2; return 1; }
  local org=(--org "$url" --auth client-credentials --tenant adatum --client-id escprov-demo --authority "$url")
  echo "The Option 1 flow: escprov provisions a CRM 8.2 org (the sample org, served by the Dataverse emulator at $url)."
  step check "${org[@]}"
  step provision "${org[@]}" --out "$work/run"
  step export "${org[@]}" --out "$work/after"
  local after; after="$(ls "$work"/after/escprov-backup-*.zip)"
  mkdir -p "$work/after/extracted"
  "$escprov" backup extract "$after" "$work/after/extracted/org" >/dev/null
  echo
  echo "The org's own export now holds the connector's entities and security roles:"
  unzip -p "$work"/after/extracted/org/exports/Default_*.zip customizations.xml |
    grep -o '<Name LocalizedName="[^"]*" OriginalName="[^"]*">esc_[a-z]*</Name>\|<Role [^>]*name="Email[^"]*"' |
    sed 's/<Name[^>]*>/  entity /; s/<\/Name>//; s/<Role .*name="/  role /; s/"$//' | sort -u
  step backup verify "$(ls "$work"/run/backup/escprov-backup-*.zip)"
  unset ESCPROV_SECRET
}

demo() {
  local escprov="$build_dir/escprov" export_zip="$here/samples/orgs/crm2016-adatum.zip" out="$here/out/demo"
  rm -rf "$out" && mkdir -p "$out/backups"
  chmod 700 "$out"
  step() { echo; echo "== escprov $*"; "$escprov" "$@"; }
  option1 "$out/option1"
  echo
  echo "The Option 2 flow, offline, on a customer's export of their CRM 8.2 customisations ($export_zip)."
  step info "$export_zip"
  step validate "$export_zip"
  step backup create --from "$export_zip" --org https://adatum.crm.dynamics.com --org-version 8.2 -o "$out/backups"
  local backup; backup="$(ls "$out"/backups/escprov-backup-*.zip)"
  step merge --base "$export_zip" --target 8.2 --out "$out/merged" --report "$out/merge-report.html"
  step package "$out/merged" --managed --target 8.2 -o "$out/EmailServiceConnector_managed.zip"
  step validate "$out/EmailServiceConnector_managed.zip"
  # A demo signing key made here (a random HMAC secret); real bundles are signed with the team's Ed25519 key.
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$out/demo-signing.key"
  chmod 600 "$out/demo-signing.key"
  step bundle --solution "$out/EmailServiceConnector_managed.zip" --customer "A. Datum Corporation" \
    --backup "$backup" --report "$out/merge-report.html" --key "$out/demo-signing.key" -o "$out/adatum-bundle.zip"
  echo; echo "== what the customer's IT runs: escprov apply $out/adatum-bundle.zip --key $out/demo-signing.key"
  "$escprov" apply "$out/adatum-bundle.zip" --key "$out/demo-signing.key" >"$out/apply.txt"
  head -n 12 "$out/apply.txt"
  echo "   ... (the rest, with the manual steps for CRM 8.2, is in $out/apply.txt)"
  echo
  echo "Results in $out:"
  echo "  option1/run/                      Option 1: the provision run (backup/, merged/, merge-report.html, the"
  echo "                                    managed package, provision-report.txt)"
  echo "  option1/after/                    the org's export after the run, as a verified backup"
  echo "  backups/$(basename "$backup")"
  echo "                                    the customer's export as received, with SHA-256s (escprov backup verify)"
  echo "  merged/                           the connector merged into the customer's forms and sitemap (unpacked)"
  echo "  merge-report.html                 what was added and changed (sitemap and forms before/after)"
  echo "  EmailServiceConnector_managed.zip the managed solution for CRM 8.2 (validates clean)"
  echo "  adatum-bundle.zip                 the signed hand-off bundle for the customer's IT (mode 0600)"
  echo "  demo-signing.key                  the demo's HMAC secret that signed it"
  echo "  apply.txt                         what escprov apply showed the customer's IT"
  echo "To email it, add --send --to ADDR --from ADDR --smtp-url smtps://HOST (docs/bundle.md)."
}

run_tests() {
  cd "$build_dir" && ctest --output-on-failure -j "$jobs"
}

case "${1:-}" in
  deps) deps ;;
  build) deps; build ;;
  demo) deps; build; demo ;;
  test) packages+=("${test_packages[@]}"); deps; build; run_tests ;;
  *) echo "usage: ./setup.sh demo|test|deps|build" >&2; exit 2 ;;
esac
