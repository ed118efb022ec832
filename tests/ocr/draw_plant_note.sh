#!/bin/bash
# draw_plant_note.sh OUT: how tests/data/ocr/plant_note.png was drawn
# (ImageMagick and fonts-noto-cjk).  Three lines of running text in small
# serif print at 200 dpi, written for the test; 蕉 is read 莱 by Tesseract's
# chi_sim (as on a real book page, docs/reader2.md), and right by PP-OCRv4.
set -e
out=$1
F=Noto-Serif-CJK-SC
L=("实验发现美人蕉最终高度以施花木专用基质组为最高，"
   "可见两种基质的肥力较为显著，能明显促进美人蕉的生长。"
   "美人蕉开花数比较如图四所示，生长情况对比如图五所示。")
args=(-size 1300x400 xc:white -fill black -font $F -pointsize 24)
y=100
for t in "${L[@]}"; do args+=(-annotate +80+$y "$t"); y=$((y+60)); done
convert "${args[@]}" -colorspace gray -density 200 -units PixelsPerInch "$out"
