-- 022: the other readings of names with polyphonic characters, and lookup's
-- name prior kept with the archive.
--
-- person.pinyin holds one reading of each name (the surname read as a
-- surname: 单 shan, 曾 zeng).  A requester may write a character of several
-- readings another way (长 zhang or chang, 乐 le or yue), so every other
-- combination of the readings in configs/normalize/polyphones.tsv gets a row
-- here, made with the person's other keys (load, and load's rekey when the
-- name tables change).  Most names have none.
CREATE TABLE person_reading (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person(id),
    pinyin    TEXT NOT NULL                -- toneless, no spaces, as person.pinyin
) STRICT;
CREATE INDEX person_reading_pinyin ON person_reading(pinyin);
CREATE INDEX person_reading_person ON person_reading(person_id);

-- The syllable model and criterion shares behind lookup's "as asked" on
-- pinyin requests (archive/lookup_prior.c): a spread sample of up to 20,000
-- persons, which costs seconds of seeks on a large archive, so it is made
-- once by load (and by a lookup that finds it missing or older than the
-- persons) instead of at every process's first pinyin request.  The newest
-- row is used when max_person and persons still describe the archive.
CREATE TABLE lookup_prior (
    id         INTEGER PRIMARY KEY,
    built      TEXT NOT NULL,              -- UTC, ISO 8601
    persons    INTEGER NOT NULL,           -- count(person) it was made from
    max_person INTEGER NOT NULL,           -- max(person.id) then
    data       TEXT NOT NULL               -- lookup_prior.c's serialised model
) STRICT;
