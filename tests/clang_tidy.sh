#!/usr/bin/env bash
# Runs clang-tidy (checks in .clang-tidy, warnings are errors) over every source file in src/,
# two at a time, using BUILD_DIR's compile_commands.json. Exits non-zero on any finding.
set -euo pipefail
build=$1
source=$2
cd "$source"
find src -name '*.cpp' -print0 | sort -z | xargs -0 -P2 -n4 clang-tidy -p "$build" --quiet
