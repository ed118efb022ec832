#!/bin/bash
# draw_book_page.sh OUT: how tests/data/ocr/book_page.png was drawn
# (ImageMagick and fonts-noto-cjk; then `convert OUT -depth 8 book_page.png`).
# An A4 page at 200 dpi like a book page: two framed pictures side by side
# with a lattice in each, a paragraph of running text, a ruled table, and a
# paragraph after it.  The text is written for the test.
set -e
out=$1
F=Noto-Serif-CJK-SC
P=("研究生培养工作的档案材料包括招生录取、课程学习、学位论文和学位"
   "授予等各个环节形成的文件，应当按照年度整理归档，由学校档案部门"
   "统一保管，以便日后查考利用和开具证明。下表列出各系历年毕业人数，"
   "数据来自学籍登记表的统计结果，其中一九八七年的人数尚待复核。")
Q=("经过核对发现部分年份的名册缺少出生日期和入学时间等内容，需要根"
   "据学籍卡片逐项补充，补充后的数据另行登记造册，与原名册一并保存。")
args=(-size 1654x2339 xc:white)
# two photographs: dark noisy rectangles with a frame
args+=(-fill gray80 -stroke black -strokewidth 3 -draw "rectangle 160,150 790,620"
       -draw "rectangle 860,150 1490,620")
# a lattice in each picture (a window, a chart's grid): lines that enclose cells
for x in 260 360 460 560 660 960 1060 1160 1260 1360; do args+=(-draw "line $x,150 $x,620"); done
for y in 250 350 450 550; do args+=(-draw "line 160,$y 790,$y" -draw "line 860,$y 1490,$y"); done
args+=(-stroke none)
args+=(-fill black -font $F -pointsize 30)
y=720
for t in "${P[@]}"; do args+=(-annotate +160+$y "$t"); y=$((y+50)); done
ty=$((y+30))
args+=(-stroke black -strokewidth 3 -draw "line 160,$ty 1490,$ty")
args+=(-stroke black -strokewidth 2 -draw "line 160,$((ty+60)) 1490,$((ty+60))")
args+=(-stroke black -strokewidth 3 -draw "line 160,$((ty+300)) 1490,$((ty+300))")
for r in 1 2 3; do args+=(-draw "line 160,$((ty+60+r*70)) 1490,$((ty+60+r*70))"); done
for x in 160 520 860 1180 1490; do args+=(-draw "line $x,$ty $x,$((ty+300))"); done
args+=(-stroke none)
rows=("系别 一九八五年 一九八六年 一九八七年" "化学系 十二 十五 十八" "物理系 九 十一 十四" "数学系 七 八 十")
cx=(200 560 900 1220)
yy=$((ty+45))
for r in "${rows[@]}"; do
  read -r a b c d <<< "$r"; v=($a $b $c $d)
  for k in 0 1 2 3; do args+=(-annotate +${cx[k]}+$yy "${v[k]}"); done
  yy=$((yy+70))
done
y=$((ty+370))
for t in "${Q[@]}"; do args+=(-annotate +160+$y "$t"); y=$((y+50)); done
convert "${args[@]}" -colorspace gray -density 200 -units PixelsPerInch "$out"
