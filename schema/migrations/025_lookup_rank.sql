-- 025: lookup's name tiers read their people in rank order and stop early
-- (issue #24: lookup p95 < 5 ms on 10^7 records).
--
-- Without criteria every namesake of a tier scores the same and the hits
-- shown are the lowest study_record ids, so a common name (about 2,000
-- people called 王伟 in 10^7) was read whole, each namesake a seek into
-- study_record, to keep 20.  A person's lowest study id and how many study
-- records the person has, beside the name keys in an index, give the
-- namesakes in that order: the read stops once no unread one can be shown
-- (archive/lookup_rank.c), and a pinyin request's "as asked" posterior sums
-- the counts from the index instead of joined rows.
--
-- Kept by triggers, so every writer (load, merge, relink) keeps them right
-- without knowing; recomputed from study_record, never incremented, so a
-- merge that copies them (first_study moves with study_record's ids) and
-- then inserts the study records leaves them as they are.
ALTER TABLE person ADD COLUMN first_study INTEGER REFERENCES study_record(id);
ALTER TABLE person ADD COLUMN studies INTEGER NOT NULL DEFAULT 0;

UPDATE person SET first_study = (SELECT min(s.id) FROM study_record s WHERE s.person_id = person.id),
                  studies = (SELECT count(*) FROM study_record s WHERE s.person_id = person.id);

CREATE INDEX person_simplified_rank ON person(name_simplified, first_study, studies);
CREATE INDEX person_pinyin_rank ON person(pinyin, first_study, studies, name_simplified);

CREATE TRIGGER study_rank_insert AFTER INSERT ON study_record
BEGIN
    UPDATE person SET
        first_study = (SELECT min(id) FROM study_record WHERE person_id = NEW.person_id),
        studies = (SELECT count(*) FROM study_record WHERE person_id = NEW.person_id)
    WHERE id = NEW.person_id;
END;

CREATE TRIGGER study_rank_delete AFTER DELETE ON study_record
BEGIN
    UPDATE person SET
        first_study = (SELECT min(id) FROM study_record WHERE person_id = OLD.person_id),
        studies = (SELECT count(*) FROM study_record WHERE person_id = OLD.person_id)
    WHERE id = OLD.person_id;
END;

CREATE TRIGGER study_rank_update AFTER UPDATE OF id, person_id ON study_record
BEGIN
    UPDATE person SET
        first_study = (SELECT min(id) FROM study_record WHERE person_id = person.id),
        studies = (SELECT count(*) FROM study_record WHERE person_id = person.id)
    WHERE id IN (OLD.person_id, NEW.person_id);
END;
