#!/usr/bin/env python3
"""make_bad_corpus.py - write the bad-input corpus into OUTDIR (made at test
time, so no large or hostile binary lives in git).

usage: make_bad_corpus.py OUTDIR SAMPLES_DIR [--many-pages N]

Each file is one hostile or damaged input that issue #21 or a fault trial
found; MANIFEST.tsv lists every entry with a piece of the reason ingest
must give for it ("-" for entries that are not scans and are only skipped).
Standard library only: PNGs and TIFFs are written by hand here.
"""
import os
import struct
import sys
import zlib


def png(path, w, h, fill=255, dpi=300):
    """A grey 8-bit PNG of w x h pixels of one value at dpi, compressed row
    by row (a 12000 x 12000 page is 144 MB raw and ~170 KB on disk)."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    z = zlib.compressobj(9)
    row = b"\x00" + bytes([fill]) * w
    parts = [z.compress(row) for _ in range(h)]
    parts.append(z.flush())
    idat = b"".join(parts)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)))
        ppm = int(dpi / 0.0254 + 0.5)
        f.write(chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)))
        f.write(chunk(b"IDAT", idat))
        f.write(chunk(b"IEND", b""))


def tiff_bilevel(path, w, h, pages, deflate=True):
    """A little-endian TIFF of `pages` 1-bit white pages of w x h pixels at
    300 dpi; every page points at the same one strip, so the file stays
    small whatever it declares."""
    rowbytes = (w + 7) // 8
    raw_row = b"\x00" * rowbytes  # WhiteIsZero: 0 is white
    if deflate:
        z = zlib.compressobj(9)
        strip = b"".join(z.compress(raw_row) for _ in range(h)) + z.flush()
    else:
        strip = raw_row * h
    out = bytearray(b"II*\x00" + struct.pack("<I", 0))
    strip_off = len(out)
    out += strip
    if len(out) % 2:
        out += b"\x00"
    res_off = len(out)
    out += struct.pack("<II", 300, 1)
    prev_link = 4  # where the offset of the next IFD is written
    for _ in range(pages):
        ifd_off = len(out)
        struct.pack_into("<I", out, prev_link, ifd_off)
        entries = [
            (256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, 1),
            (259, 3, 1, 8 if deflate else 1), (262, 3, 1, 0), (273, 4, 1, strip_off),
            (277, 3, 1, 1), (278, 4, 1, h), (279, 4, 1, len(strip)),
            (282, 5, 1, res_off), (283, 5, 1, res_off), (296, 3, 1, 2),
        ]
        out += struct.pack("<H", len(entries))
        for tag, typ, cnt, val in entries:
            out += struct.pack("<HHI", tag, typ, cnt)
            out += struct.pack("<HH", val, 0) if typ == 3 else struct.pack("<I", val)
        prev_link = len(out)
        out += struct.pack("<I", 0)
    with open(path, "wb") as f:
        f.write(out)


def damaged(src, dst, at, n):
    """A copy of src with n bytes zeroed from byte `at` (its end intact)."""
    with open(src, "rb") as f:
        d = bytearray(f.read())
    d[at:at + n] = b"\x00" * n
    with open(dst, "wb") as f:
        f.write(d)


def truncated(src, dst, keep):
    with open(src, "rb") as f:
        d = f.read()
    with open(dst, "wb") as f:
        f.write(d[:keep])


def main():
    args = sys.argv[1:]
    many = 2000
    if "--many-pages" in args:
        i = args.index("--many-pages")
        many = int(args[i + 1])
        del args[i:i + 2]
    out, samples = args
    os.makedirs(out, exist_ok=True)
    man = []

    def add(name, why):
        man.append((name, why))

    png(os.path.join(out, "bomb_12000x12000.png"), 12000, 12000)
    add("bomb_12000x12000.png", "claims 12000x12000 pixels, over the limit")
    tiff_bilevel(os.path.join(out, "bilevel_16000x16000.tif"), 16000, 16000, 1)
    add("bilevel_16000x16000.tif", "claims 16000x16000 pixels, over the limit")
    tiff_bilevel(os.path.join(out, "pages20_100mp.tif"), 10000, 10000, 20)
    add("pages20_100mp.tif", "claims 10000x10000 pixels, over the limit")
    tiff_bilevel(os.path.join(out, "pages_many.tif"), 120, 120, many, deflate=False)
    add("pages_many.tif", "declares more than 1000 pages")
    png(os.path.join(out, "tiny_8x8.png"), 8, 8)
    add("tiny_8x8.png", "is 8x8 pixels: too small to read")
    png(os.path.join(out, "tiny_64x32.png"), 64, 32, fill=128)
    add("tiny_64x32.png", "is 64x32 pixels: too small to read")

    jpg = os.path.join(samples, "s008_reg_clean.jpg")
    tif = os.path.join(samples, "s015_ledger_moderate.tif")
    truncated(jpg, os.path.join(out, "truncated.jpg"), 200000)
    add("truncated.jpg", "truncated JPEG")
    # its end marker intact, its entropy-coded data zeroed in the middle
    damaged(jpg, os.path.join(out, "damaged.jpg"), 300000, 4000)
    add("damaged.jpg", "corrupt or truncated JPEG data")
    png(os.path.join(out, "good_for_damage.png"), 400, 300, fill=200)
    damaged(os.path.join(out, "good_for_damage.png"), os.path.join(out, "damaged.png"), 90, 20)
    os.remove(os.path.join(out, "good_for_damage.png"))
    add("damaged.png", "fails its CRC check")
    with open(os.path.join(out, "damaged.png"), "rb") as f:
        d = f.read()
    with open(os.path.join(out, "truncated.png"), "wb") as f:
        f.write(d[:60])
    add("truncated.png", "truncated PNG")
    truncated(tif, os.path.join(out, "truncated.tif"), 40000)
    add("truncated.tif", "TIFF")
    # the first directory's offset pointed past the end of the file
    with open(tif, "rb") as f:
        d = bytearray(f.read())
    struct.pack_into("<I" if d[:2] == b"II" else ">I", d, 4, len(d) + 1000)
    with open(os.path.join(out, "bad_ifd.tif"), "wb") as f:
        f.write(d)
    add("bad_ifd.tif", "cannot read the TIFF directory")
    open(os.path.join(out, "empty.png"), "wb").close()
    add("empty.png", "empty file")
    with open(os.path.join(out, "notes.tif"), "w") as f:
        f.write("minutes of the 1986 committee\n")
    add("notes.tif", "unsupported format")
    # a file name that is not UTF-8 (a share written by a GBK system)
    bad_name = os.path.join(os.fsencode(out), b"\xb5\xb5\xb0\xb8_gbk.png")
    with open(bad_name, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    add(os.fsdecode(b"\xb5\xb5\xb0\xb8_gbk.png"), "truncated PNG")
    # bad directory entries
    os.symlink("no_such_scan.png", os.path.join(out, "dangling.png"))
    add("dangling.png", "dangling symbolic link")
    os.symlink("loop_b.png", os.path.join(out, "loop_a.png"))
    os.symlink("loop_a.png", os.path.join(out, "loop_b.png"))
    add("loop_a.png", "symbolic link loop")
    add("loop_b.png", "symbolic link loop")
    os.makedirs(os.path.join(out, "sub"))
    os.symlink("..", os.path.join(out, "sub", "up"))
    add("sub/up", "symbolic link loop: leads back to")
    with open(os.path.join(out, "MANIFEST.tsv"), "w", errors="surrogateescape") as f:
        for name, why in man:
            f.write(f"{name}\t{why}\n")


if __name__ == "__main__":
    main()
