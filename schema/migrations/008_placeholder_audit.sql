-- 008: reserved for the audit branch's migration (the hash chain).  This
-- placeholder only keeps the numbering contiguous on the amend branch; the
-- merge replaces it with the audit branch's 008 file.
SELECT 1;
