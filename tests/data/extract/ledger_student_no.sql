-- on: ledger_wrapped
-- The ledger of ledger_wrapped.sql numbering its students by student
-- number (学号) instead of a 序号: each row's number is its student_no.
UPDATE fx_word SET text = '学号' WHERE line = 2 AND text = '序号';
UPDATE fx_word SET text = '8903101', x = 105, w = 130 WHERE line = 3 AND text = '1';
UPDATE fx_word SET text = '8903102', x = 105, w = 130 WHERE line = 5 AND text = '2';
UPDATE fx_word SET text = '8803117', x = 105, w = 130 WHERE line = 8 AND text = '3';
