#!/usr/bin/env python3
"""How many of the characters chi_sim misreads on real pages are look-alikes in
configs/normalize/glyphs.tsv, against the same characters paired with random
ones.  Reads shared/real's published transcriptions and plain Tesseract output:

  for f in /work/shared/real/mdp_zh_*.jpg /work/shared/real/odb_*.jpg; do
    tesseract "$f" /tmp/real/$(basename "$f" .jpg) -l chi_sim; done
  bench/glyph_real_pairs.py /work/shared/real /tmp/real

Substitutions are the one-for-one replaced runs of an alignment (difflib) of the Han
characters of truth and OCR, so some are alignment noise, not misreads."""
import difflib, glob, os, random, re, sys

def load(path):
    t = {}
    for line in open(path, encoding="utf-8"):
        if not line.startswith("#"):
            f = line.rstrip("\n").split("\t")
            t[f[0]] = {x.split(":")[0] for x in f[1:]}
    return t

real, ocr_dir = sys.argv[1], sys.argv[2]
table = load(sys.argv[3] if len(sys.argv) > 3 else
             os.path.join(os.path.dirname(__file__), "..", "configs/normalize/glyphs.tsv"))
han = re.compile(r"[\u4e00-\u9fff]")
pairs = []
for ocr in sorted(glob.glob(os.path.join(ocr_dir, "*.txt"))):
    truth = os.path.join(real, os.path.basename(ocr)[:-4] + ".truth.txt")
    if not os.path.exists(truth):
        continue
    a = "".join(han.findall(open(truth, encoding="utf-8").read()))
    o = "".join(han.findall(open(ocr, encoding="utf-8").read()))
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, o, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            pairs += [(a[i1 + k], o[j1 + k]) for k in range(i2 - i1)]
look = lambda x, y: y in table.get(x, ()) or x in table.get(y, ())
random.seed(1)
chars = sorted(table)
hits = sum(look(x, y) for x, y in pairs)
rand = sum(look(x, random.choice(chars)) for x, _ in pairs)
print(f"substitutions {len(pairs)}, look-alikes in the table {hits} "
      f"({100 * hits / max(len(pairs), 1):.1f}%), same characters with random ones {rand}")
print(" ".join(f"{x}/{y}{'*' if look(x, y) else ''}" for x, y in pairs))
