#!/bin/bash
# draw_turned_ledger.sh OUT: how tests/data/ocr/ledger_turned90.jpg was drawn
# (ImageMagick and fonts-arphic-uming).  A landscape ledger at 150 dpi (a
# title, a ruled table of names, years and majors, a footer) on
# yellowed paper, stored turned 90 degrees clockwise.  Upright, Tesseract's
# plain layout reads its Han columns as vertical text, as confidently as
# the page read the right way.  The names and majors are written for the test.
set -e
out=$1
F=/usr/share/fonts/truetype/arphic/uming.ttc
names=(王建国 李秀英 张志明 刘春华 陈立新 杨文杰 赵国庆 黄晓东 周丽君 吴振华)
majors=(有机化学 理论物理 计算数学 金属材料 电机工程 植物生理 分析化学 光学仪器 自动控制 应用数学)
args=(-size 1754x1240 xc:'#efe6cf' -fill black -font "$F" -pointsize 34 -annotate +560+110 "某大学一九八六届毕业研究生名册")
args+=(-pointsize 22)
x=(100 240 540 700 900 1160 1400 1654)
args+=(-stroke black -strokewidth 2)
for xx in "${x[@]}"; do args+=(-draw "line $xx,160 $xx,$((160+11*84))"); done
for r in $(seq 0 11); do args+=(-draw "line 100,$((160+r*84)) 1654,$((160+r*84))"); done
args+=(-stroke none)
head=(序号 姓名 性别 出生年月 专业 入学时间 学位)
for k in 0 1 2 3 4 5 6; do args+=(-annotate +$((x[k]+16))+$((160+52)) "${head[k]}"); done
for r in $(seq 0 9); do
  y=$((160+(r+1)*84+52))
  sex=男; [ $((r % 3)) = 1 ] && sex=女
  row=("$((r+1))" "${names[r]}" "$sex" "一九五$((r % 9))年$((r+1))月" "${majors[r]}" "一九八三年九月" "理学硕士")
  for k in 0 1 2 3 4 5 6; do args+=(-annotate "+$((x[k]+16))+$y" "${row[k]}"); done
done
args+=(-pointsize 20 -annotate +100+1200 "填表单位：研究生院培养处　　一九八六年七月")
convert "${args[@]}" -rotate 90 -seed 7 -attenuate 0.3 +noise Gaussian -density 150 -units PixelsPerInch -quality 70 "$out"
