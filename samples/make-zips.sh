#!/bin/sh
# Rebuilds samples/<name>.zip from each sample folder, and samples/orgs/<name>.zip from each
# customer org export under samples/orgs/, deterministically: fixed timestamps (2010-01-01
# 00:00 UTC), no extra attributes (-X), no directory entries (-D), and the entry order a CRM
# export uses (customizations.xml, [Content_Types].xml, solution.xml, then parts sorted by
# name). Needs only `zip` (Debian package zip).
#
# Usage: samples/make-zips.sh            (from anywhere)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
export TZ=UTC
command -v zip >/dev/null 2>&1 || { echo "make-zips.sh: 'zip' is not installed (apt-get install zip)" >&2; exit 2; }

# build_zip FOLDER: writes FOLDER.zip (beside the folder) from the export in FOLDER.
build_zip() {
    folder=${1%/}
    name=$(basename "$folder")
    parent=$(dirname "$folder")
    target="$parent/$name.zip"
    temp="$parent/.$name.zip.tmp"
    rm -f "$temp"
    (
        cd "$folder"
        find . -type f -exec touch -d '2010-01-01 00:00:00' {} +
        parts=$(find . -type f ! -name solution.xml ! -name customizations.xml ! -name '\[Content_Types\].xml' \
                | sed 's|^\./||' | LC_ALL=C sort)
        # shellcheck disable=SC2086  # part names hold no spaces
        zip -X -D -q -6 "$temp" customizations.xml '[Content_Types].xml' solution.xml $parts
    )
    mv "$temp" "$target"
    echo "wrote $target"
}

for folder in "$here"/*/ "$here"/orgs/*/; do
    [ -f "$folder/solution.xml" ] || continue
    build_zip "$folder"
done
