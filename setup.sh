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
  libgtest-dev nlohmann-json3-dev libssl-dev
  zip unzip time clang-format clang-tidy
)
# Only the test suite needs these: the merge report's HTML is checked in a real headless browser, and
# mail is sent to a real SMTP server on loopback (aiosmtpd) with a certificate made by the openssl CLI.
test_packages=(chromium python3-aiosmtpd openssl)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup.sh: need root (or sudo) to install: ${packages[*]}" >&2; exit 2; fi
}

deps() {
  local missing=()
  for p in "${packages[@]}"; do
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

demo() {
  local escprov="$build_dir/escprov" base="$here/samples/orgs/crm2016-adatum.zip" out="$here/out/demo"
  rm -rf "$out" && mkdir -p "$out"
  echo "== escprov info $base   (a customer's exported customisations)"
  "$escprov" info "$base"
  echo "== escprov validate $base"
  "$escprov" validate "$base"
  echo "== escprov merge --base $base --target 8.2 --out $out/merged --report $out/merge-report.html"
  "$escprov" merge --base "$base" --target 8.2 --out "$out/merged" --report "$out/merge-report.html" | tail -n 1
  echo "== escprov pack $out/merged $out/EmailServiceConnector.zip"
  "$escprov" pack "$out/merged" "$out/EmailServiceConnector.zip"
  echo "== escprov validate $out/EmailServiceConnector.zip"
  "$escprov" validate "$out/EmailServiceConnector.zip"
  echo "== escprov merge --mode full (the customer's whole customisations with the connector, unmanaged)"
  "$escprov" merge --base "$base" --target 8.2 --out "$out/full" --mode full --report "$out/full-report.txt" | tail -n 1
  echo
  echo "Results in $out:"
  echo "  merged/ and EmailServiceConnector.zip   the connector plus the customer's forms and sitemap it changes"
  echo "  merge-report.html                        what was added and changed (sitemap and forms before/after)"
  echo "  full/ and full-report.txt                 the full-mode merge, for the manual-import route"
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
