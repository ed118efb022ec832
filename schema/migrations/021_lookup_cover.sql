-- 021: lookup's name tiers read indexes only (issue #24: lookup p95 < 5 ms
-- on 10^7 records).
--
-- A lookup of a common name reads every namesake (about 2,000 people called
-- 王伟 in 10^7) before it keeps the best 20.  With the keys alone in the
-- indexes each namesake cost a seek into person and another into
-- study_record; with the name, birth and graduation beside the keys the
-- tier queries (archive/lookup.c, LK_TIER_COLS_LEAN) are answered from the
-- indexes.  The same names, wider: every query that used them still can.
DROP INDEX person_simplified;
CREATE INDEX person_simplified ON person(name_simplified, birth);
DROP INDEX person_pinyin;
CREATE INDEX person_pinyin ON person(pinyin, name_simplified, birth);
DROP INDEX person_lookalike;
CREATE INDEX person_lookalike ON person(lookalike_key, name_simplified, birth);
DROP INDEX study_person;
CREATE INDEX study_person ON study_record(person_id, grad);
