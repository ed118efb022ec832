-- 019: Tesseract's own reading of a line whose text the second reader's
-- replaced (<reader2 lines> in configs/ocr.xml, issue #20).  NULL: the
-- line's text and words are Tesseract's.  Else a JSON array of Tesseract's
-- words of the line, filtered and placed as they would have been stored
-- without the second reader: [{"text":..,"conf":..,"box":[x,y,w,h]}, ...]
-- ([] when the filters left none).  The extract stage reads fields from it,
-- so the trust stage's two readers stay independent (docs/reader2.md).
ALTER TABLE ocr_line ADD COLUMN tess TEXT;
