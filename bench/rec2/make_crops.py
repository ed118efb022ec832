#!/usr/bin/env python3
"""Cut the name and supervisor values out of truth-annotated scans, for rec2_bench.

usage: make_crops.py SAMPLES_DIR OUT_DIR
Writes OUT_DIR/NNNN.png, one per non-blank name/supervisor value with a box,
and OUT_DIR/truth.tsv: file, printed value, normalized value, sample, field.
Needs ImageMagick's convert; the JSON format is gradrec-truth/1.
"""
import glob
import json
import os
import subprocess
import sys


def fields_of(page):
    if page.get("fields"):
        yield "", page["fields"]
    for row in page.get("rows") or []:
        yield "r%d" % row["row_index"], row["fields"]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    lines, n = [], 0
    for truth in sorted(glob.glob(os.path.join(src, "*.truth.json"))):
        doc = json.load(open(truth, encoding="utf-8"))
        image = os.path.join(src, doc["image"])
        sample = os.path.basename(truth)[: -len(".truth.json")]
        for page in doc["pages"]:
            cmd = ["convert", "%s[%d]" % (image, page["page_index"])]
            for where, fields in fields_of(page):
                for key in ("name", "supervisor"):
                    f = fields.get(key)
                    if not f or not f.get("bbox") or not f.get("printed"):
                        continue
                    x0, y0, x1, y1 = f["bbox"]
                    # A little paper around the ink, as a cell crop has.
                    m = max(4, (y1 - y0) // 8)
                    x0, y0 = max(0, x0 - m), max(0, y0 - m)
                    x1 = min(page["width"], x1 + m)
                    y1 = min(page["height"], y1 + m)
                    name = "%04d.png" % n
                    n += 1
                    cmd += ["(", "+clone", "-crop", "%dx%d+%d+%d" % (x1 - x0, y1 - y0, x0, y0),
                            "+repage", "-write", os.path.join(out, name), "+delete", ")"]
                    lines.append("\t".join([name, f["printed"], f.get("normalized") or "",
                                            "%s/p%d%s" % (sample, page["page_index"], where),
                                            key]))
            if len(cmd) > 2:
                subprocess.run(cmd + ["null:"], check=True)
    with open(os.path.join(out, "truth.tsv"), "w", encoding="utf-8") as f:
        f.write("".join(l + "\n" for l in lines))
    print("%d crops in %s" % (n, out))


if __name__ == "__main__":
    main()
