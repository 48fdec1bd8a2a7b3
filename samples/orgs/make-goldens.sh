#!/bin/sh
# Rewrites samples/orgs/golden/<sample>/ from the current escprov: each org sample merged for its
# own CRM version in connector mode. Kept: the summary merge prints (summary.txt), the whole report
# (text, JSON and HTML, with the temporary output folder written as OUT) and the output files that come from the customer or carry the customer's
# changes (Other/Solution.xml, Other/SiteMap.xml and the five extended entities). The connector's
# own files are not kept: they are solution/ rendered, and tests/unit/merge_test.cpp checks them.
#
# Usage: samples/orgs/make-goldens.sh [ESCPROV]   (default: build/escprov; run from anywhere)
# tests/unit/merge_test.cpp compares a fresh merge with these files; after an intended change,
# rerun this script and review `git diff samples/orgs/golden`.
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
escprov=${1:-$repo/build/escprov}
[ -x "$escprov" ] || { echo "make-goldens.sh: '$escprov' is not built (cmake -S . -B build && make -C build)" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cd "$repo"
for sample in crm2011-fabrikam:5.0 crm2016-adatum:8.2 d365-contoso-9.2:9.2; do
    name=${sample%%:*}
    target=${sample##*:}
    out=$scratch/$name
    golden=samples/orgs/golden/$name
    "$escprov" merge --base "samples/orgs/$name.zip" --target "$target" --out "$out" \
        --report "$scratch/$name.json" > "$scratch/$name.summary"
    "$escprov" merge --base "samples/orgs/$name.zip" --target "$target" --out "$out.text-run" \
        --report "$scratch/$name.txt" > /dev/null
    "$escprov" merge --base "samples/orgs/$name.zip" --target "$target" --out "$out.html-run" \
        --report "$scratch/$name.html" > /dev/null
    rm -rf "$golden"
    mkdir -p "$golden/tree/Other"
    sed "s|$scratch/$name.json|REPORT|g; s|$out|OUT|g" "$scratch/$name.summary" > "$golden/summary.txt"
    sed "s|$out.text-run|OUT|g" "$scratch/$name.txt" > "$golden/report.txt"
    sed "s|$out|OUT|g" "$scratch/$name.json" > "$golden/report.json"
    sed "s|$out.html-run|OUT|g" "$scratch/$name.html" > "$golden/report.html"
    cp "$out/Other/Solution.xml" "$golden/tree/Other/"
    [ ! -f "$out/Other/SiteMap.xml" ] || cp "$out/Other/SiteMap.xml" "$golden/tree/Other/"
    mkdir -p "$golden/tree/Entities"
    for entity in Account Campaign Contact Lead List; do
        [ ! -d "$out/Entities/$entity" ] || cp -R "$out/Entities/$entity" "$golden/tree/Entities/"
    done
    echo "wrote $golden"
done
