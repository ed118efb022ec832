-- An archive of two synthetic shards (ingest of one sample scan plus bench/shard/gen_shard.py, 3
-- records each) merged by dangan 88e33d7, before migration 023: each shard event re-appended
-- to the archive's chain with its original inside (content.merged).  tests/shard/refusals.sh
-- checks that such archives still verify, and merge into a new one.
PRAGMA user_version = 22;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE run (
    id          INTEGER PRIMARY KEY,
    stage       TEXT NOT NULL,             -- ingest, ocr, extract, normalize, load, ...
    version     TEXT NOT NULL,             -- dangan version that ran it
    params      TEXT NOT NULL DEFAULT '{}',-- JSON: the settings that shape results
    params_hash TEXT NOT NULL DEFAULT '',  -- SHA-256 of params, to group runs by settings
    started     TEXT NOT NULL,
    finished    TEXT,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'done', 'failed', 'interrupted', 'aborted')),
    counts      TEXT NOT NULL DEFAULT '{}' -- JSON: what the run did
, pid INTEGER, host TEXT) STRICT;
INSERT INTO run VALUES(1,'ingest','0.1.0','{"low_dpi_limit":300}','1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728','2026-12-08T01:47:06Z','2026-12-08T01:47:06Z','done','{"files_seen":1,"files_new":1,"aliases":0,"unchanged":0,"pages_new":1,"low_dpi_pages":0,"quarantined":0,"skipped":0,"stored":0,"store_missing":0}',7391,'vm');
INSERT INTO run VALUES(2,'load','bench','{}','','2026-01-01T00:00:00Z','2026-01-01T00:00:00Z','done','{}',NULL,NULL);
INSERT INTO run VALUES(3,'ingest','0.1.0','{"low_dpi_limit":300}','1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728','2026-12-08T01:47:07Z','2026-12-08T01:47:07Z','done','{"files_seen":1,"files_new":1,"aliases":0,"unchanged":0,"pages_new":1,"low_dpi_pages":1,"quarantined":0,"skipped":0,"stored":0,"store_missing":0}',7446,'vm');
INSERT INTO run VALUES(4,'load','bench','{}','','2026-01-01T00:00:00Z','2026-01-01T00:00:00Z','done','{}',NULL,NULL);
CREATE TABLE batch (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES run(id),
    paths   TEXT NOT NULL,                 -- JSON array of the paths given
    started TEXT NOT NULL
) STRICT;
INSERT INTO batch VALUES(1,1,'["/work/wt-merge4/samples/s003_reg_clean.jpg"]','2026-12-08T01:47:06Z');
INSERT INTO batch VALUES(2,3,'["/work/wt-merge4/samples/s008_reg_clean.jpg"]','2026-12-08T01:47:07Z');
CREATE TABLE file (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL UNIQUE,
    size       INTEGER NOT NULL,
    format     TEXT NOT NULL,              -- tiff, png, jpeg (sniffed from bytes)
    path       TEXT NOT NULL,              -- first path it was ingested under, as given
    abspath    TEXT NOT NULL,              -- where later stages read it (realpath at ingest)
    page_count INTEGER NOT NULL,
    batch_id   INTEGER NOT NULL REFERENCES batch(id),
    added      TEXT NOT NULL
) STRICT;
INSERT INTO file VALUES(1,'b1f10cf1f35d470f0f7f8cd01e507e1608a95ebfb82c642d0369002e8b841a35',1113707,'jpeg','/work/wt-merge4/samples/s003_reg_clean.jpg','/work/wt-merge4/samples/s003_reg_clean.jpg',1,1,'2026-12-08T01:47:06Z');
INSERT INTO file VALUES(2,'de1a186e3917dfb1d0ae051bc854d5051aa02a606f8c35adc1ebde43a80a1e65',772662,'jpeg','/work/wt-merge4/samples/s008_reg_clean.jpg','/work/wt-merge4/samples/s008_reg_clean.jpg',1,2,'2026-12-08T01:47:07Z');
CREATE TABLE file_path (
    id       INTEGER PRIMARY KEY,
    file_id  INTEGER NOT NULL REFERENCES file(id),
    path     TEXT NOT NULL,
    abspath  TEXT NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    added    TEXT NOT NULL,
    UNIQUE (file_id, abspath)
) STRICT;
INSERT INTO file_path VALUES(1,1,'/work/wt-merge4/samples/s003_reg_clean.jpg','/work/wt-merge4/samples/s003_reg_clean.jpg',1,'2026-12-08T01:47:06Z');
INSERT INTO file_path VALUES(2,2,'/work/wt-merge4/samples/s008_reg_clean.jpg','/work/wt-merge4/samples/s008_reg_clean.jpg',2,'2026-12-08T01:47:07Z');
CREATE TABLE page (
    id         INTEGER PRIMARY KEY,
    file_id    INTEGER NOT NULL REFERENCES file(id),
    page_index INTEGER NOT NULL,           -- 0-based within the file
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    dpi        INTEGER NOT NULL DEFAULT 0, -- as recorded in the file; 0 = none
    dpi_by_size INTEGER NOT NULL DEFAULT 0,-- implied by a standard sheet size when the
                                           -- recorded dpi makes the page no standard sheet
    depth      INTEGER NOT NULL DEFAULT 0, -- bits per pixel
    low_dpi    INTEGER NOT NULL DEFAULT 0, -- 1 when under 300 dpi (DA/T 31), by size if known
    state      TEXT NOT NULL DEFAULT 'new'
               CHECK (state IN ('new', 'read', 'failed', 'extracted', 'unknown_form')),
    error      TEXT, claim_run INTEGER REFERENCES run(id), claim_until TEXT,                       -- why the last stage failed on it
    UNIQUE (file_id, page_index)
) STRICT;
INSERT INTO page VALUES(1,1,0,2480,3508,300,300,24,0,'new',NULL,NULL,NULL);
INSERT INTO page VALUES(2,2,0,1984,2806,240,240,24,1,'new',NULL,NULL,NULL);
CREATE TABLE quarantine (
    id       INTEGER PRIMARY KEY,
    path     TEXT NOT NULL,
    sha256   TEXT NOT NULL,                -- '' when the file could not be read at all
    size     INTEGER NOT NULL,
    reason   TEXT NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    added    TEXT NOT NULL,
    UNIQUE (path, sha256)
) STRICT;
CREATE TABLE ocr_page (
    page_id     INTEGER PRIMARY KEY REFERENCES page(id),
    run_id      INTEGER NOT NULL REFERENCES run(id),
    lang        TEXT NOT NULL,
    skew_deg    REAL NOT NULL DEFAULT 0,   -- content rotation found (counter-clockwise)
    orientation INTEGER NOT NULL DEFAULT 0,-- 0/90/180/270 applied before deskew
    cleanup     TEXT NOT NULL DEFAULT '[]',-- JSON: [{step, on, measured...}]
    mean_conf   REAL NOT NULL DEFAULT 0,
    seconds     REAL NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE ocr_cell (
    id      INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES page(id),
    row_no  INTEGER NOT NULL,
    col_no  INTEGER NOT NULL,
    x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL
) STRICT;
CREATE TABLE ocr_line (
    id       INTEGER PRIMARY KEY,
    page_id  INTEGER NOT NULL REFERENCES page(id),
    cell_id  INTEGER REFERENCES ocr_cell(id),  -- NULL: text outside the grid
    seq      INTEGER NOT NULL,             -- reading order on the page
    block_no INTEGER NOT NULL,
    text     TEXT NOT NULL,
    conf     REAL NOT NULL,                -- 0-100
    x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL
, tess TEXT) STRICT;
CREATE TABLE ocr_word (
    id       INTEGER PRIMARY KEY,
    page_id  INTEGER NOT NULL REFERENCES page(id),
    line_id  INTEGER NOT NULL REFERENCES ocr_line(id),
    cell_id  INTEGER REFERENCES ocr_cell(id),
    block_no INTEGER NOT NULL,
    line_no  INTEGER NOT NULL,             -- = ocr_line.seq
    word_no  INTEGER NOT NULL,             -- order within the line
    text     TEXT NOT NULL,
    conf     REAL NOT NULL CHECK (conf >= 0 AND conf <= 100),
    x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL
) STRICT;
CREATE TABLE page_form (
    page_id  INTEGER PRIMARY KEY REFERENCES page(id),
    run_id   INTEGER NOT NULL REFERENCES run(id),
    template TEXT,                         -- template id, NULL = unknown form
    score    REAL NOT NULL DEFAULT 0,
    reason   TEXT NOT NULL DEFAULT '',
    header   TEXT NOT NULL DEFAULT '{}'    -- JSON: page-level header fields
) STRICT;
CREATE TABLE record (
    id       INTEGER PRIMARY KEY,
    page_id  INTEGER NOT NULL REFERENCES page(id),
    row_no   INTEGER NOT NULL DEFAULT 0,   -- ledger row (1-based); 0 for a card
    template TEXT NOT NULL,
    run_id   INTEGER NOT NULL REFERENCES run(id),
    state    TEXT NOT NULL DEFAULT 'extracted'
             CHECK (state IN ('extracted', 'normalized', 'pending', 'loaded')),
    x INTEGER NOT NULL DEFAULT 0, y INTEGER NOT NULL DEFAULT 0,
    w INTEGER NOT NULL DEFAULT 0, h INTEGER NOT NULL DEFAULT 0,
    UNIQUE (page_id, row_no)
) STRICT;
INSERT INTO record VALUES(1,1,1,'graduate_ledger',2,'loaded',0,0,0,0);
INSERT INTO record VALUES(2,1,2,'graduate_ledger',2,'loaded',0,0,0,0);
INSERT INTO record VALUES(3,1,3,'graduate_ledger',2,'loaded',0,0,0,0);
INSERT INTO record VALUES(4,2,1,'graduate_ledger',4,'loaded',0,0,0,0);
INSERT INTO record VALUES(5,2,2,'graduate_ledger',4,'loaded',0,0,0,0);
INSERT INTO record VALUES(6,2,3,'graduate_ledger',4,'loaded',0,0,0,0);
CREATE TABLE field (
    id        INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,               -- canonical key: name, sex, birth_date, ...
    raw       TEXT,                        -- as read; NULL when missing
    value     TEXT,                        -- normalized (= raw until normalize runs)
    state     TEXT NOT NULL DEFAULT 'extracted'
              CHECK (state IN ('extracted', 'missing', 'auto', 'review',
                               'verified', 'invalid', 'rejected')),
    conf_min  REAL NOT NULL DEFAULT 0,
    conf_mean REAL NOT NULL DEFAULT 0,
    x INTEGER NOT NULL DEFAULT 0, y INTEGER NOT NULL DEFAULT 0,
    w INTEGER NOT NULL DEFAULT 0, h INTEGER NOT NULL DEFAULT 0,
    words     TEXT NOT NULL DEFAULT '[]',  -- JSON array of ocr_word ids
    rule      TEXT NOT NULL DEFAULT '', flag TEXT, value_detail TEXT, norm_run INTEGER REFERENCES run(id), match_decision TEXT, match_code TEXT, match_name TEXT, match_score REAL, match_rule INTEGER REFERENCES mapping_rule(id), p REAL, evidence TEXT NOT NULL DEFAULT '',    -- template id + rule that chose the value
    UNIQUE (record_id, key)
) STRICT;
INSERT INTO field VALUES(1,1,'name','吴涛芳','吴涛芳','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(2,2,'name','郭敏芳','郭敏芳','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(3,3,'name','张超芳','张超芳','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(4,1,'sex','女','女','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(5,2,'sex','男','男','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(6,3,'sex','女','女','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(7,1,'birth_date','1941-02','1941-02','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(8,2,'birth_date','1942-03','1942-03','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(9,3,'birth_date','1943-04','1943-04','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(10,1,'student_no','S1-0000001','S1-0000001','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(11,2,'student_no','S1-0000002','S1-0000002','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(12,3,'student_no','S1-0000003','S1-0000003','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(13,1,'major','应用数学','应用数学','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(14,2,'major','应用数学','应用数学','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(15,3,'major','应用数学','应用数学','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(16,1,'enroll_date','1979-09','1979-09','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(17,2,'enroll_date','1980-09','1980-09','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(18,3,'enroll_date','1981-09','1981-09','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(19,1,'grad_date','1982-07','1982-07','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(20,2,'grad_date','1983-07','1983-07','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(21,3,'grad_date','1984-07','1984-07','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(22,1,'degree','理学硕士','理学硕士','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(23,2,'degree','理学硕士','理学硕士','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(24,3,'degree','理学硕士','理学硕士','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(25,1,'supervisor','张敏','张敏','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(26,2,'supervisor','张敏','张敏','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(27,3,'supervisor','张敏','张敏','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(28,4,'name','周明娜','周明娜','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(29,5,'name','何静娜','何静娜','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(30,6,'name','刘秀娜','刘秀娜','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(31,4,'sex','女','女','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(32,5,'sex','男','男','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(33,6,'sex','女','女','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(34,4,'birth_date','1941-02','1941-02','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(35,5,'birth_date','1942-03','1942-03','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(36,6,'birth_date','1943-04','1943-04','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(37,4,'student_no','S2-0000001','S2-0000001','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(38,5,'student_no','S2-0000002','S2-0000002','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(39,6,'student_no','S2-0000003','S2-0000003','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(40,4,'major','应用数学','应用数学','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(41,5,'major','应用数学','应用数学','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(42,6,'major','应用数学','应用数学','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(43,4,'enroll_date','1979-09','1979-09','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(44,5,'enroll_date','1980-09','1980-09','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(45,6,'enroll_date','1981-09','1981-09','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(46,4,'grad_date','1982-07','1982-07','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(47,5,'grad_date','1983-07','1983-07','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(48,6,'grad_date','1984-07','1984-07','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(49,4,'degree','理学硕士','理学硕士','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(50,5,'degree','理学硕士','理学硕士','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(51,6,'degree','理学硕士','理学硕士','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(52,4,'supervisor','张敏','张敏','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(53,5,'supervisor','张敏','张敏','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
INSERT INTO field VALUES(54,6,'supervisor','张敏','张敏','auto',0.0,0.0,0,0,0,0,'[]','',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,0.98999999999999999111,'');
CREATE TABLE catalog_edition (
    edition   TEXT PRIMARY KEY,            -- '1997', '2011', '2022', ...
    year_from INTEGER NOT NULL,            -- first year the edition was in force
    title     TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL DEFAULT '',
    file      TEXT NOT NULL DEFAULT '',    -- catalog csv as named in the manifest
    target    INTEGER NOT NULL DEFAULT 0,  -- 1 for the edition the matcher maps to
    sha256    TEXT NOT NULL DEFAULT '',    -- of the imported file, to skip re-imports
    imported  TEXT NOT NULL
) STRICT;
CREATE TABLE crosswalk_source (
    from_edition TEXT NOT NULL,
    to_edition   TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    imported     TEXT NOT NULL,
    PRIMARY KEY (from_edition, to_edition)
) STRICT;
CREATE TABLE discipline (
    edition     TEXT NOT NULL REFERENCES catalog_edition(edition),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,             -- as in the source, notes included
    bare_name   TEXT NOT NULL,             -- cut at the first （ or (
    level       TEXT NOT NULL,             -- category, first, second
    parent_code TEXT,
    PRIMARY KEY (edition, code)
) STRICT;
CREATE TABLE crosswalk (
    from_edition TEXT NOT NULL,
    from_code    TEXT NOT NULL,
    from_name    TEXT NOT NULL DEFAULT '',
    to_edition   TEXT NOT NULL,
    to_code      TEXT NOT NULL,
    to_name      TEXT NOT NULL DEFAULT '',
    relation     TEXT NOT NULL,            -- derived, official, split, merge ...
    basis        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (from_edition, from_code, to_edition, to_code)
) STRICT;
CREATE TABLE crosswalk_unresolved (
    from_edition TEXT NOT NULL,
    from_code    TEXT NOT NULL,
    to_edition   TEXT NOT NULL,
    name         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    PRIMARY KEY (from_edition, from_code, to_edition)
) STRICT;
CREATE TABLE mapping_rule (
    id         INTEGER PRIMARY KEY,
    name_norm  TEXT NOT NULL,              -- normalized historical major name
    year_from  INTEGER,
    year_to    INTEGER,
    department TEXT,
    code       TEXT NOT NULL,              -- target-edition (2022) code
    operator   TEXT NOT NULL,              -- who decided
    decided    TEXT NOT NULL,              -- when (ISO 8601 UTC)
    source_field INTEGER REFERENCES field(id),
    note       TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE TABLE field_step (
    field_id INTEGER NOT NULL REFERENCES field(id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    rule     TEXT NOT NULL,
    before   TEXT NOT NULL,
    after    TEXT NOT NULL,
    PRIMARY KEY (field_id, seq)
) STRICT;
CREATE TABLE match_candidate (
    field_id INTEGER NOT NULL REFERENCES field(id) ON DELETE CASCADE,
    rank     INTEGER NOT NULL,             -- 1 = best
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    score    REAL NOT NULL,
    edition  TEXT NOT NULL,                -- historical edition the path starts from
    path     TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',   -- JSON
    PRIMARY KEY (field_id, rank)
) STRICT;
CREATE TABLE review_item (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('field', 'match', 'page', 'conflict')),
    field_id  INTEGER REFERENCES field(id) ON DELETE CASCADE,
    record_id INTEGER REFERENCES record(id) ON DELETE CASCADE,
    page_id   INTEGER REFERENCES page(id),
    study_id  INTEGER REFERENCES study_record(id), -- conflict: the study the record would join
    reason    TEXT NOT NULL,               -- first word of field.flag (low_confidence, month ...),
                                           -- 'match', 'unknown_form' or 'conflict'
    detail    TEXT NOT NULL DEFAULT '',    -- the whole flag, or what conflicts with what
    state     TEXT NOT NULL DEFAULT 'open'
              CHECK (state IN ('open', 'accepted', 'picked', 'corrected', 'rejected')),
    version   INTEGER NOT NULL DEFAULT 0,  -- bumped by every decision (optimistic locking)
    created   TEXT NOT NULL
, qkey TEXT NOT NULL DEFAULT '', qp REAL) STRICT;
CREATE TABLE review_decision (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES review_item(id),
    verb         TEXT NOT NULL CHECK (verb IN ('accept', 'pick', 'correct', 'reject', 'undo')),
    operator     TEXT NOT NULL,
    decided      TEXT NOT NULL,
    item_before  TEXT NOT NULL,            -- review_item.state before / after
    item_after   TEXT NOT NULL,
    before_state TEXT NOT NULL,            -- field.state (page.state for page items)
    after_state  TEXT NOT NULL,
    before_value TEXT,                     -- field.value before / after
    after_value  TEXT,
    before_match TEXT,                     -- JSON {decision,code,name,rule} of the field before
    after_match  TEXT,
    rule_id      INTEGER REFERENCES mapping_rule(id), -- mapping rule a pick/correct created
    candidate    INTEGER,                  -- pick: rank chosen
    note         TEXT NOT NULL DEFAULT '', -- reject: why
    undoes       INTEGER REFERENCES review_decision(id)
) STRICT;
CREATE TABLE person (
    id              INTEGER PRIMARY KEY,
    name_written    TEXT NOT NULL,         -- as on the primary source (field.raw)
    name_simplified TEXT NOT NULL,
    pinyin          TEXT NOT NULL,         -- toneless, no spaces: "zhangsan"
    lookalike_key   TEXT NOT NULL,         -- OCR-confusion folded simplified name
    birth           TEXT,                  -- YYYY-MM (birth_date field value)
    sex             TEXT                   -- 男 / 女 as normalized
) STRICT;
INSERT INTO person VALUES(1,'吴涛芳','吴涛芳','x1','吴涛芳','1941-02','女');
INSERT INTO person VALUES(2,'郭敏芳','郭敏芳','x2','郭敏芳','1942-03','男');
INSERT INTO person VALUES(3,'张超芳','张超芳','x3','张超芳','1943-04','女');
INSERT INTO person VALUES(4,'周明娜','周明娜','x1','周明娜','1941-02','女');
INSERT INTO person VALUES(5,'何静娜','何静娜','x2','何静娜','1942-03','男');
INSERT INTO person VALUES(6,'刘秀娜','刘秀娜','x3','刘秀娜','1943-04','女');
CREATE TABLE study_record (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES person(id),
    university      TEXT,                  -- page_form.header $.university of the primary page
    department      TEXT,
    student_no      TEXT,
    major_hist      TEXT,                  -- historical major name as normalized
    major_code_hist TEXT,                  -- historical code (major_code field or match path)
    major_edition   TEXT,                  -- catalog edition in force for the record
    code_2022       TEXT,                  -- field.match_code (auto, operator rule or pick)
    name_2022       TEXT,
    enroll          TEXT,                  -- YYYY-MM
    grad            TEXT,                  -- YYYY-MM
    degree          TEXT,                  -- canonical degree, e.g. 工学硕士 (norm_degree)
    certificate_no  TEXT,
    supervisor      TEXT,
    load_run        INTEGER NOT NULL REFERENCES run(id),
    loaded          TEXT NOT NULL
) STRICT;
INSERT INTO study_record VALUES(1,1,'杭州大学',NULL,'S1-0000001','应用数学',NULL,NULL,'0701','数学','1979-09','1982-07','理学硕士',NULL,'张敏',2,'2026-01-01T00:00:00Z');
INSERT INTO study_record VALUES(2,2,'杭州大学',NULL,'S1-0000002','应用数学',NULL,NULL,'0701','数学','1980-09','1983-07','理学硕士',NULL,'张敏',2,'2026-01-01T00:00:00Z');
INSERT INTO study_record VALUES(3,3,'杭州大学',NULL,'S1-0000003','应用数学',NULL,NULL,'0701','数学','1981-09','1984-07','理学硕士',NULL,'张敏',2,'2026-01-01T00:00:00Z');
INSERT INTO study_record VALUES(4,4,'杭州大学',NULL,'S2-0000001','应用数学',NULL,NULL,'0701','数学','1979-09','1982-07','理学硕士',NULL,'张敏',4,'2026-01-01T00:00:00Z');
INSERT INTO study_record VALUES(5,5,'杭州大学',NULL,'S2-0000002','应用数学',NULL,NULL,'0701','数学','1980-09','1983-07','理学硕士',NULL,'张敏',4,'2026-01-01T00:00:00Z');
INSERT INTO study_record VALUES(6,6,'杭州大学',NULL,'S2-0000003','应用数学',NULL,NULL,'0701','数学','1981-09','1984-07','理学硕士',NULL,'张敏',4,'2026-01-01T00:00:00Z');
CREATE TABLE study_source (
    study_id  INTEGER NOT NULL REFERENCES study_record(id),
    record_id INTEGER NOT NULL UNIQUE REFERENCES record(id),
    role      TEXT NOT NULL CHECK (role IN ('primary', 'linked')),
    linked_by TEXT NOT NULL DEFAULT '',    -- rule or operator that linked it
    load_run  INTEGER REFERENCES run(id)   -- the load run that added this source
) STRICT;
INSERT INTO study_source VALUES(1,1,'primary','',2);
INSERT INTO study_source VALUES(2,2,'primary','',2);
INSERT INTO study_source VALUES(3,3,'primary','',2);
INSERT INTO study_source VALUES(4,4,'primary','',4);
INSERT INTO study_source VALUES(5,5,'primary','',4);
INSERT INTO study_source VALUES(6,6,'primary','',4);
CREATE TABLE provenance (
    study_id INTEGER NOT NULL REFERENCES study_record(id),
    key      TEXT NOT NULL,
    field_id INTEGER NOT NULL REFERENCES field(id),
    value    TEXT,
    PRIMARY KEY (study_id, key)
) STRICT;
INSERT INTO provenance VALUES(1,'birth_date',7,'1941-02');
INSERT INTO provenance VALUES(1,'degree',22,'理学硕士');
INSERT INTO provenance VALUES(1,'enroll_date',16,'1979-09');
INSERT INTO provenance VALUES(1,'grad_date',19,'1982-07');
INSERT INTO provenance VALUES(1,'major',13,'应用数学');
INSERT INTO provenance VALUES(1,'name',1,'吴涛芳');
INSERT INTO provenance VALUES(1,'sex',4,'女');
INSERT INTO provenance VALUES(1,'student_no',10,'S1-0000001');
INSERT INTO provenance VALUES(1,'supervisor',25,'张敏');
INSERT INTO provenance VALUES(2,'birth_date',8,'1942-03');
INSERT INTO provenance VALUES(2,'degree',23,'理学硕士');
INSERT INTO provenance VALUES(2,'enroll_date',17,'1980-09');
INSERT INTO provenance VALUES(2,'grad_date',20,'1983-07');
INSERT INTO provenance VALUES(2,'major',14,'应用数学');
INSERT INTO provenance VALUES(2,'name',2,'郭敏芳');
INSERT INTO provenance VALUES(2,'sex',5,'男');
INSERT INTO provenance VALUES(2,'student_no',11,'S1-0000002');
INSERT INTO provenance VALUES(2,'supervisor',26,'张敏');
INSERT INTO provenance VALUES(3,'birth_date',9,'1943-04');
INSERT INTO provenance VALUES(3,'degree',24,'理学硕士');
INSERT INTO provenance VALUES(3,'enroll_date',18,'1981-09');
INSERT INTO provenance VALUES(3,'grad_date',21,'1984-07');
INSERT INTO provenance VALUES(3,'major',15,'应用数学');
INSERT INTO provenance VALUES(3,'name',3,'张超芳');
INSERT INTO provenance VALUES(3,'sex',6,'女');
INSERT INTO provenance VALUES(3,'student_no',12,'S1-0000003');
INSERT INTO provenance VALUES(3,'supervisor',27,'张敏');
INSERT INTO provenance VALUES(4,'birth_date',34,'1941-02');
INSERT INTO provenance VALUES(4,'degree',49,'理学硕士');
INSERT INTO provenance VALUES(4,'enroll_date',43,'1979-09');
INSERT INTO provenance VALUES(4,'grad_date',46,'1982-07');
INSERT INTO provenance VALUES(4,'major',40,'应用数学');
INSERT INTO provenance VALUES(4,'name',28,'周明娜');
INSERT INTO provenance VALUES(4,'sex',31,'女');
INSERT INTO provenance VALUES(4,'student_no',37,'S2-0000001');
INSERT INTO provenance VALUES(4,'supervisor',52,'张敏');
INSERT INTO provenance VALUES(5,'birth_date',35,'1942-03');
INSERT INTO provenance VALUES(5,'degree',50,'理学硕士');
INSERT INTO provenance VALUES(5,'enroll_date',44,'1980-09');
INSERT INTO provenance VALUES(5,'grad_date',47,'1983-07');
INSERT INTO provenance VALUES(5,'major',41,'应用数学');
INSERT INTO provenance VALUES(5,'name',29,'何静娜');
INSERT INTO provenance VALUES(5,'sex',32,'男');
INSERT INTO provenance VALUES(5,'student_no',38,'S2-0000002');
INSERT INTO provenance VALUES(5,'supervisor',53,'张敏');
INSERT INTO provenance VALUES(6,'birth_date',36,'1943-04');
INSERT INTO provenance VALUES(6,'degree',51,'理学硕士');
INSERT INTO provenance VALUES(6,'enroll_date',45,'1981-09');
INSERT INTO provenance VALUES(6,'grad_date',48,'1984-07');
INSERT INTO provenance VALUES(6,'major',42,'应用数学');
INSERT INTO provenance VALUES(6,'name',30,'刘秀娜');
INSERT INTO provenance VALUES(6,'sex',33,'女');
INSERT INTO provenance VALUES(6,'student_no',39,'S2-0000003');
INSERT INTO provenance VALUES(6,'supervisor',54,'张敏');
CREATE TABLE load_wait (
    record_id INTEGER PRIMARY KEY REFERENCES record(id) ON DELETE CASCADE,
    reason    TEXT NOT NULL,               -- e.g. "major: match not decided"
    since     TEXT NOT NULL
) STRICT;
CREATE TABLE access_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,                 -- UTC ISO 8601
    who    TEXT NOT NULL,                 -- OS user, or --operator
    action TEXT NOT NULL,                 -- lookup, export, provenance, ...
    query  TEXT NOT NULL DEFAULT '{}',    -- JSON: the question as asked
    shown  TEXT NOT NULL DEFAULT '[]'     -- JSON: study record ids shown (or a count)
) STRICT;
CREATE TABLE name_keys_source (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    sha256  TEXT NOT NULL,                 -- of variants.tsv then confusables.tsv
    updated TEXT NOT NULL                  -- when the keys were last (re)made
) STRICT;
CREATE TABLE field_reading (
    id       INTEGER PRIMARY KEY,
    field_id INTEGER NOT NULL REFERENCES field(id) ON DELETE CASCADE,
    reader   TEXT NOT NULL,                -- 'tesseract', 'rec2' (PP-OCRv4)
    text     TEXT NOT NULL,                -- as read, '' when the reader saw nothing
    conf     REAL NOT NULL,                -- the reader's own confidence, 0-1
    detail   TEXT NOT NULL DEFAULT '{}',   -- JSON: per-character probabilities, alternatives
    run_id   INTEGER REFERENCES run(id),
    UNIQUE (field_id, reader)
) STRICT;
CREATE TABLE qa_sample (
    id       INTEGER PRIMARY KEY,
    field_id INTEGER NOT NULL UNIQUE REFERENCES field(id) ON DELETE CASCADE,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    item_id  INTEGER REFERENCES review_item(id),
    rate     REAL NOT NULL,                -- the sampling rate it was drawn at
    drawn    TEXT NOT NULL,
    operator TEXT NOT NULL
) STRICT;
CREATE TABLE audit_event (
    seq       INTEGER PRIMARY KEY,         -- 1, 2, 3 ... without gaps
    at        TEXT NOT NULL,               -- UTC ISO 8601
    who       TEXT NOT NULL,               -- operator or OS user
    kind      TEXT NOT NULL,               -- ingest, run, decision, load, link, access ...
    subject   TEXT NOT NULL DEFAULT '',    -- what it is about: "study_record:3", "file:12"
    content   TEXT NOT NULL,               -- canonical JSON object (keys sorted, no spaces)
    prev_hash TEXT NOT NULL,               -- hash of seq - 1 (64 zeros for seq 1)
    hash      TEXT NOT NULL                -- SHA-256(prev_hash || canonical envelope)
) STRICT;
INSERT INTO audit_event VALUES(1,'2026-12-08T01:47:08Z','root','run','run:1','{"merged":{"at":"2026-12-08T01:47:06Z","content":"{\"phase\":\"begin\",\"rows\":{\"run\":{\"counts\":\"{}\",\"finished\":null,\"host\":\"vm\",\"id\":1,\"params\":\"{\\\"low_dpi_limit\\\":300}\",\"params_hash\":\"1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728\",\"pid\":7391,\"stage\":\"ingest\",\"started\":\"2026-12-08T01:47:06Z\",\"status\":\"running\",\"version\":\"0.1.0\"}}}","hash":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"shard":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7","subject":"run:1"},"phase":"begin","rows":{"run":{"counts":"{}","finished":null,"host":"vm","id":1,"params":"{\"low_dpi_limit\":300}","params_hash":"1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728","pid":7391,"stage":"ingest","started":"2026-12-08T01:47:06Z","status":"running","version":"0.1.0"}}}','0000000000000000000000000000000000000000000000000000000000000000','3518e8b732bd97542c8e6f2ada92f5af7f20f03c4af7f385d39be6c5119f3386');
INSERT INTO audit_event VALUES(2,'2026-12-08T01:47:08Z','root','ingest','file:1','{"merged":{"at":"2026-12-08T01:47:06Z","content":"{\"outcome\":\"new\",\"path\":\"/work/wt-merge4/samples/s003_reg_clean.jpg\",\"rows\":{\"file\":{\"abspath\":\"/work/wt-merge4/samples/s003_reg_clean.jpg\",\"added\":\"2026-12-08T01:47:06Z\",\"batch_id\":1,\"format\":\"jpeg\",\"id\":1,\"page_count\":1,\"path\":\"/work/wt-merge4/samples/s003_reg_clean.jpg\",\"sha256\":\"b1f10cf1f35d470f0f7f8cd01e507e1608a95ebfb82c642d0369002e8b841a35\",\"size\":1113707}}}","hash":"e2969cd51e059f445b0af13399a1f566f321959ed8ee6ee017cc79a88c0861bf","prev_hash":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7","seq":2,"shard":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7","subject":"file:1"},"outcome":"new","path":"/work/wt-merge4/samples/s003_reg_clean.jpg","rows":{"file":{"abspath":"/work/wt-merge4/samples/s003_reg_clean.jpg","added":"2026-12-08T01:47:06Z","batch_id":1,"format":"jpeg","id":1,"page_count":1,"path":"/work/wt-merge4/samples/s003_reg_clean.jpg","sha256":"b1f10cf1f35d470f0f7f8cd01e507e1608a95ebfb82c642d0369002e8b841a35","size":1113707}}}','3518e8b732bd97542c8e6f2ada92f5af7f20f03c4af7f385d39be6c5119f3386','e9b52fa003749688c43acfdd0c7b0302ff6ca04f273dc914d66ddd4e65e20c2b');
INSERT INTO audit_event VALUES(3,'2026-12-08T01:47:08Z','root','run','run:1','{"merged":{"at":"2026-12-08T01:47:06Z","content":"{\"phase\":\"end\",\"rows\":{\"run\":{\"counts\":\"{\\\"files_seen\\\":1,\\\"files_new\\\":1,\\\"aliases\\\":0,\\\"unchanged\\\":0,\\\"pages_new\\\":1,\\\"low_dpi_pages\\\":0,\\\"quarantined\\\":0,\\\"skipped\\\":0,\\\"stored\\\":0,\\\"store_missing\\\":0}\",\"finished\":\"2026-12-08T01:47:06Z\",\"host\":\"vm\",\"id\":1,\"params\":\"{\\\"low_dpi_limit\\\":300}\",\"params_hash\":\"1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728\",\"pid\":7391,\"stage\":\"ingest\",\"started\":\"2026-12-08T01:47:06Z\",\"status\":\"done\",\"version\":\"0.1.0\"}}}","hash":"581c2912ba1fd92c384d59d98eaf91ef9782cc67578dc53794dd62f37f26f5d0","prev_hash":"e2969cd51e059f445b0af13399a1f566f321959ed8ee6ee017cc79a88c0861bf","seq":3,"shard":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7","subject":"run:1"},"phase":"end","rows":{"run":{"counts":"{\"files_seen\":1,\"files_new\":1,\"aliases\":0,\"unchanged\":0,\"pages_new\":1,\"low_dpi_pages\":0,\"quarantined\":0,\"skipped\":0,\"stored\":0,\"store_missing\":0}","finished":"2026-12-08T01:47:06Z","host":"vm","id":1,"params":"{\"low_dpi_limit\":300}","params_hash":"1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728","pid":7391,"stage":"ingest","started":"2026-12-08T01:47:06Z","status":"done","version":"0.1.0"}}}','e9b52fa003749688c43acfdd0c7b0302ff6ca04f273dc914d66ddd4e65e20c2b','9aad02e2a57b05d062db62a1af1993d43bd5a2705613e3f1d6dca43e6bf2df92');
INSERT INTO audit_event VALUES(4,'2026-12-08T01:47:08Z','bench','load','study_record:1','{"merged":{"at":"2026-01-01T00:00:00Z","content":"{\"record\":1,\"rows\":{\"person\":{\"birth\":\"1941-02\",\"id\":1,\"lookalike_key\":\"吴涛芳\",\"name_simplified\":\"吴涛芳\",\"name_written\":\"吴涛芳\",\"pinyin\":\"x1\",\"sex\":\"女\"},\"study_record\":{\"certificate_no\":null,\"code_2022\":\"0701\",\"degree\":\"理学硕士\",\"department\":null,\"enroll\":\"1979-09\",\"grad\":\"1982-07\",\"id\":1,\"load_run\":2,\"loaded\":\"2026-01-01T00:00:00Z\",\"major_code_hist\":null,\"major_edition\":null,\"major_hist\":\"应用数学\",\"name_2022\":\"数学\",\"person_id\":1,\"student_no\":\"S1-0000001\",\"supervisor\":\"张敏\",\"university\":\"杭州大学\"}},\"run\":2}","hash":"b9461378e91989e00be56d68d394e1039ced1b0758bf13e0d91392b1401ff474","prev_hash":"581c2912ba1fd92c384d59d98eaf91ef9782cc67578dc53794dd62f37f26f5d0","seq":4,"shard":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7","subject":"study_record:1"},"record":1,"rows":{"person":{"birth":"1941-02","id":1,"lookalike_key":"吴涛芳","name_simplified":"吴涛芳","name_written":"吴涛芳","pinyin":"x1","sex":"女"},"study_record":{"certificate_no":null,"code_2022":"0701","degree":"理学硕士","department":null,"enroll":"1979-09","grad":"1982-07","id":1,"load_run":2,"loaded":"2026-01-01T00:00:00Z","major_code_hist":null,"major_edition":null,"major_hist":"应用数学","name_2022":"数学","person_id":1,"student_no":"S1-0000001","supervisor":"张敏","university":"杭州大学"}},"run":2}','9aad02e2a57b05d062db62a1af1993d43bd5a2705613e3f1d6dca43e6bf2df92','f86526b550feea78708e783b1e6f18bf10dacf7c53ae61c128ddcc788c52d287');
INSERT INTO audit_event VALUES(5,'2026-12-08T01:47:08Z','bench','load','study_record:2','{"merged":{"at":"2026-01-01T00:00:00Z","content":"{\"record\":2,\"rows\":{\"person\":{\"birth\":\"1942-03\",\"id\":2,\"lookalike_key\":\"郭敏芳\",\"name_simplified\":\"郭敏芳\",\"name_written\":\"郭敏芳\",\"pinyin\":\"x2\",\"sex\":\"男\"},\"study_record\":{\"certificate_no\":null,\"code_2022\":\"0701\",\"degree\":\"理学硕士\",\"department\":null,\"enroll\":\"1980-09\",\"grad\":\"1983-07\",\"id\":2,\"load_run\":2,\"loaded\":\"2026-01-01T00:00:00Z\",\"major_code_hist\":null,\"major_edition\":null,\"major_hist\":\"应用数学\",\"name_2022\":\"数学\",\"person_id\":2,\"student_no\":\"S1-0000002\",\"supervisor\":\"张敏\",\"university\":\"杭州大学\"}},\"run\":2}","hash":"306cf3622aa00b972c1cf77588160a1bfee30dd806315372a91e773e144672d3","prev_hash":"b9461378e91989e00be56d68d394e1039ced1b0758bf13e0d91392b1401ff474","seq":5,"shard":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7","subject":"study_record:2"},"record":2,"rows":{"person":{"birth":"1942-03","id":2,"lookalike_key":"郭敏芳","name_simplified":"郭敏芳","name_written":"郭敏芳","pinyin":"x2","sex":"男"},"study_record":{"certificate_no":null,"code_2022":"0701","degree":"理学硕士","department":null,"enroll":"1980-09","grad":"1983-07","id":2,"load_run":2,"loaded":"2026-01-01T00:00:00Z","major_code_hist":null,"major_edition":null,"major_hist":"应用数学","name_2022":"数学","person_id":2,"student_no":"S1-0000002","supervisor":"张敏","university":"杭州大学"}},"run":2}','f86526b550feea78708e783b1e6f18bf10dacf7c53ae61c128ddcc788c52d287','f06f457f9d695593d889b48455a904f2f3f526a9b39be49af3aec6048c3ca5d3');
INSERT INTO audit_event VALUES(6,'2026-12-08T01:47:08Z','bench','load','study_record:3','{"merged":{"at":"2026-01-01T00:00:00Z","content":"{\"record\":3,\"rows\":{\"person\":{\"birth\":\"1943-04\",\"id\":3,\"lookalike_key\":\"张超芳\",\"name_simplified\":\"张超芳\",\"name_written\":\"张超芳\",\"pinyin\":\"x3\",\"sex\":\"女\"},\"study_record\":{\"certificate_no\":null,\"code_2022\":\"0701\",\"degree\":\"理学硕士\",\"department\":null,\"enroll\":\"1981-09\",\"grad\":\"1984-07\",\"id\":3,\"load_run\":2,\"loaded\":\"2026-01-01T00:00:00Z\",\"major_code_hist\":null,\"major_edition\":null,\"major_hist\":\"应用数学\",\"name_2022\":\"数学\",\"person_id\":3,\"student_no\":\"S1-0000003\",\"supervisor\":\"张敏\",\"university\":\"杭州大学\"}},\"run\":2}","hash":"8bdc1e7bfef4e281e542288fb88a6be5579dd9ae4ddad3e88bc467094ee442c8","prev_hash":"306cf3622aa00b972c1cf77588160a1bfee30dd806315372a91e773e144672d3","seq":6,"shard":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7","subject":"study_record:3"},"record":3,"rows":{"person":{"birth":"1943-04","id":3,"lookalike_key":"张超芳","name_simplified":"张超芳","name_written":"张超芳","pinyin":"x3","sex":"女"},"study_record":{"certificate_no":null,"code_2022":"0701","degree":"理学硕士","department":null,"enroll":"1981-09","grad":"1984-07","id":3,"load_run":2,"loaded":"2026-01-01T00:00:00Z","major_code_hist":null,"major_edition":null,"major_hist":"应用数学","name_2022":"数学","person_id":3,"student_no":"S1-0000003","supervisor":"张敏","university":"杭州大学"}},"run":2}','f06f457f9d695593d889b48455a904f2f3f526a9b39be49af3aec6048c3ca5d3','57b76afc3b4d696dc3c58f34ffff44ddb9f26c0a01436ca6d9c9c1717396d090');
INSERT INTO audit_event VALUES(7,'2026-12-08T01:47:08Z','root','merge','shard:256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7','{"events":6,"head":{"hash":"8bdc1e7bfef4e281e542288fb88a6be5579dd9ae4ddad3e88bc467094ee442c8","seq":6},"offsets":{"access_log":0,"amendment":0,"app_user":0,"batch":0,"certificate":0,"field":0,"field_reading":0,"file":0,"file_path":0,"fixity_event":0,"lookup_prior":0,"mapping_rule":0,"ocr_cell":0,"ocr_line":0,"ocr_word":0,"page":0,"person":0,"person_reading":0,"qa_sample":0,"quarantine":0,"record":0,"review_decision":0,"review_item":0,"run":0,"study_record":0},"path":"a.db","rows_copied":72,"schema":22,"shard":"256ec2ff78dcf54c1bd4f9b7b0a0fbf452bac4d8593569ad0cdc445c4c67a9b7"}','57b76afc3b4d696dc3c58f34ffff44ddb9f26c0a01436ca6d9c9c1717396d090','8a266f3dabce1fc55ac0920aed03a8753ca9654b827ad4016f1da386cd2ab87e');
INSERT INTO audit_event VALUES(8,'2026-12-08T01:47:09Z','root','run','run:3','{"merged":{"at":"2026-12-08T01:47:07Z","content":"{\"phase\":\"begin\",\"rows\":{\"run\":{\"counts\":\"{}\",\"finished\":null,\"host\":\"vm\",\"id\":1,\"params\":\"{\\\"low_dpi_limit\\\":300}\",\"params_hash\":\"1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728\",\"pid\":7446,\"stage\":\"ingest\",\"started\":\"2026-12-08T01:47:07Z\",\"status\":\"running\",\"version\":\"0.1.0\"}}}","hash":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"shard":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda","subject":"run:1"},"phase":"begin","rows":{"run":{"counts":"{}","finished":null,"host":"vm","id":3,"params":"{\"low_dpi_limit\":300}","params_hash":"1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728","pid":7446,"stage":"ingest","started":"2026-12-08T01:47:07Z","status":"running","version":"0.1.0"}}}','8a266f3dabce1fc55ac0920aed03a8753ca9654b827ad4016f1da386cd2ab87e','09b7d58769ba956249c928c51d6af177201f42da59650d2874ea3b825fe9bab4');
INSERT INTO audit_event VALUES(9,'2026-12-08T01:47:09Z','root','ingest','file:2','{"merged":{"at":"2026-12-08T01:47:07Z","content":"{\"outcome\":\"new\",\"path\":\"/work/wt-merge4/samples/s008_reg_clean.jpg\",\"rows\":{\"file\":{\"abspath\":\"/work/wt-merge4/samples/s008_reg_clean.jpg\",\"added\":\"2026-12-08T01:47:07Z\",\"batch_id\":1,\"format\":\"jpeg\",\"id\":1,\"page_count\":1,\"path\":\"/work/wt-merge4/samples/s008_reg_clean.jpg\",\"sha256\":\"de1a186e3917dfb1d0ae051bc854d5051aa02a606f8c35adc1ebde43a80a1e65\",\"size\":772662}}}","hash":"66ef8a2606abdebd8b0f49e72f8d78057ad5d820056b2413cc6cdf9fe7832925","prev_hash":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda","seq":2,"shard":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda","subject":"file:1"},"outcome":"new","path":"/work/wt-merge4/samples/s008_reg_clean.jpg","rows":{"file":{"abspath":"/work/wt-merge4/samples/s008_reg_clean.jpg","added":"2026-12-08T01:47:07Z","batch_id":2,"format":"jpeg","id":2,"page_count":1,"path":"/work/wt-merge4/samples/s008_reg_clean.jpg","sha256":"de1a186e3917dfb1d0ae051bc854d5051aa02a606f8c35adc1ebde43a80a1e65","size":772662}}}','09b7d58769ba956249c928c51d6af177201f42da59650d2874ea3b825fe9bab4','aecd6d5d2ba23cc9420f1bcec885ff02f02bac9062950f06b3d683e282f85269');
INSERT INTO audit_event VALUES(10,'2026-12-08T01:47:09Z','root','run','run:3','{"merged":{"at":"2026-12-08T01:47:07Z","content":"{\"phase\":\"end\",\"rows\":{\"run\":{\"counts\":\"{\\\"files_seen\\\":1,\\\"files_new\\\":1,\\\"aliases\\\":0,\\\"unchanged\\\":0,\\\"pages_new\\\":1,\\\"low_dpi_pages\\\":1,\\\"quarantined\\\":0,\\\"skipped\\\":0,\\\"stored\\\":0,\\\"store_missing\\\":0}\",\"finished\":\"2026-12-08T01:47:07Z\",\"host\":\"vm\",\"id\":1,\"params\":\"{\\\"low_dpi_limit\\\":300}\",\"params_hash\":\"1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728\",\"pid\":7446,\"stage\":\"ingest\",\"started\":\"2026-12-08T01:47:07Z\",\"status\":\"done\",\"version\":\"0.1.0\"}}}","hash":"b71603c0555fe4808c75bd11592442ab6536aa86e4b2626dcb34320fb63eda41","prev_hash":"66ef8a2606abdebd8b0f49e72f8d78057ad5d820056b2413cc6cdf9fe7832925","seq":3,"shard":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda","subject":"run:1"},"phase":"end","rows":{"run":{"counts":"{\"files_seen\":1,\"files_new\":1,\"aliases\":0,\"unchanged\":0,\"pages_new\":1,\"low_dpi_pages\":1,\"quarantined\":0,\"skipped\":0,\"stored\":0,\"store_missing\":0}","finished":"2026-12-08T01:47:07Z","host":"vm","id":3,"params":"{\"low_dpi_limit\":300}","params_hash":"1b1554af59d5251932735d4b32d121ac563992fc80e201a0fe4c2132ab3b7728","pid":7446,"stage":"ingest","started":"2026-12-08T01:47:07Z","status":"done","version":"0.1.0"}}}','aecd6d5d2ba23cc9420f1bcec885ff02f02bac9062950f06b3d683e282f85269','904e409beae4b7d074f7e1d963ad754024bb33f1f1e637a3199999a7a86bd5c0');
INSERT INTO audit_event VALUES(11,'2026-12-08T01:47:09Z','bench','load','study_record:4','{"merged":{"at":"2026-01-01T00:00:00Z","content":"{\"record\":1,\"rows\":{\"person\":{\"birth\":\"1941-02\",\"id\":1,\"lookalike_key\":\"周明娜\",\"name_simplified\":\"周明娜\",\"name_written\":\"周明娜\",\"pinyin\":\"x1\",\"sex\":\"女\"},\"study_record\":{\"certificate_no\":null,\"code_2022\":\"0701\",\"degree\":\"理学硕士\",\"department\":null,\"enroll\":\"1979-09\",\"grad\":\"1982-07\",\"id\":1,\"load_run\":2,\"loaded\":\"2026-01-01T00:00:00Z\",\"major_code_hist\":null,\"major_edition\":null,\"major_hist\":\"应用数学\",\"name_2022\":\"数学\",\"person_id\":1,\"student_no\":\"S2-0000001\",\"supervisor\":\"张敏\",\"university\":\"杭州大学\"}},\"run\":2}","hash":"77c9e19e6e8e78080ccb384393eb1f8fc0d3c4f5a98b205a263bd18162ec07a7","prev_hash":"b71603c0555fe4808c75bd11592442ab6536aa86e4b2626dcb34320fb63eda41","seq":4,"shard":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda","subject":"study_record:1"},"record":1,"rows":{"person":{"birth":"1941-02","id":4,"lookalike_key":"周明娜","name_simplified":"周明娜","name_written":"周明娜","pinyin":"x1","sex":"女"},"study_record":{"certificate_no":null,"code_2022":"0701","degree":"理学硕士","department":null,"enroll":"1979-09","grad":"1982-07","id":4,"load_run":4,"loaded":"2026-01-01T00:00:00Z","major_code_hist":null,"major_edition":null,"major_hist":"应用数学","name_2022":"数学","person_id":4,"student_no":"S2-0000001","supervisor":"张敏","university":"杭州大学"}},"run":2}','904e409beae4b7d074f7e1d963ad754024bb33f1f1e637a3199999a7a86bd5c0','f3a3952fc172deba03b9bd00539cae71616a644bf825aefd4dbc118eee5b7cb8');
INSERT INTO audit_event VALUES(12,'2026-12-08T01:47:09Z','bench','load','study_record:5','{"merged":{"at":"2026-01-01T00:00:00Z","content":"{\"record\":2,\"rows\":{\"person\":{\"birth\":\"1942-03\",\"id\":2,\"lookalike_key\":\"何静娜\",\"name_simplified\":\"何静娜\",\"name_written\":\"何静娜\",\"pinyin\":\"x2\",\"sex\":\"男\"},\"study_record\":{\"certificate_no\":null,\"code_2022\":\"0701\",\"degree\":\"理学硕士\",\"department\":null,\"enroll\":\"1980-09\",\"grad\":\"1983-07\",\"id\":2,\"load_run\":2,\"loaded\":\"2026-01-01T00:00:00Z\",\"major_code_hist\":null,\"major_edition\":null,\"major_hist\":\"应用数学\",\"name_2022\":\"数学\",\"person_id\":2,\"student_no\":\"S2-0000002\",\"supervisor\":\"张敏\",\"university\":\"杭州大学\"}},\"run\":2}","hash":"6b1b2a84c7838227b1a50734fc91154659d444253db9e5ae051864731591483f","prev_hash":"77c9e19e6e8e78080ccb384393eb1f8fc0d3c4f5a98b205a263bd18162ec07a7","seq":5,"shard":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda","subject":"study_record:2"},"record":2,"rows":{"person":{"birth":"1942-03","id":5,"lookalike_key":"何静娜","name_simplified":"何静娜","name_written":"何静娜","pinyin":"x2","sex":"男"},"study_record":{"certificate_no":null,"code_2022":"0701","degree":"理学硕士","department":null,"enroll":"1980-09","grad":"1983-07","id":5,"load_run":4,"loaded":"2026-01-01T00:00:00Z","major_code_hist":null,"major_edition":null,"major_hist":"应用数学","name_2022":"数学","person_id":5,"student_no":"S2-0000002","supervisor":"张敏","university":"杭州大学"}},"run":2}','f3a3952fc172deba03b9bd00539cae71616a644bf825aefd4dbc118eee5b7cb8','ccf533a65514b747a1e41cc4cba729f4bc7c3c2196f6ad0e246e8ac31ac654c7');
INSERT INTO audit_event VALUES(13,'2026-12-08T01:47:09Z','bench','load','study_record:6','{"merged":{"at":"2026-01-01T00:00:00Z","content":"{\"record\":3,\"rows\":{\"person\":{\"birth\":\"1943-04\",\"id\":3,\"lookalike_key\":\"刘秀娜\",\"name_simplified\":\"刘秀娜\",\"name_written\":\"刘秀娜\",\"pinyin\":\"x3\",\"sex\":\"女\"},\"study_record\":{\"certificate_no\":null,\"code_2022\":\"0701\",\"degree\":\"理学硕士\",\"department\":null,\"enroll\":\"1981-09\",\"grad\":\"1984-07\",\"id\":3,\"load_run\":2,\"loaded\":\"2026-01-01T00:00:00Z\",\"major_code_hist\":null,\"major_edition\":null,\"major_hist\":\"应用数学\",\"name_2022\":\"数学\",\"person_id\":3,\"student_no\":\"S2-0000003\",\"supervisor\":\"张敏\",\"university\":\"杭州大学\"}},\"run\":2}","hash":"828f45d5cdb8a0483e29f9154ac52a2a0494b6c1c9906599fafedb461b4d559d","prev_hash":"6b1b2a84c7838227b1a50734fc91154659d444253db9e5ae051864731591483f","seq":6,"shard":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda","subject":"study_record:3"},"record":3,"rows":{"person":{"birth":"1943-04","id":6,"lookalike_key":"刘秀娜","name_simplified":"刘秀娜","name_written":"刘秀娜","pinyin":"x3","sex":"女"},"study_record":{"certificate_no":null,"code_2022":"0701","degree":"理学硕士","department":null,"enroll":"1981-09","grad":"1984-07","id":6,"load_run":4,"loaded":"2026-01-01T00:00:00Z","major_code_hist":null,"major_edition":null,"major_hist":"应用数学","name_2022":"数学","person_id":6,"student_no":"S2-0000003","supervisor":"张敏","university":"杭州大学"}},"run":2}','ccf533a65514b747a1e41cc4cba729f4bc7c3c2196f6ad0e246e8ac31ac654c7','e457ff2938692ca77be986ade928e0f3cccb6706c0f127b765a8ed2c5b92594c');
INSERT INTO audit_event VALUES(14,'2026-12-08T01:47:09Z','root','merge','shard:40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda','{"events":6,"head":{"hash":"828f45d5cdb8a0483e29f9154ac52a2a0494b6c1c9906599fafedb461b4d559d","seq":6},"offsets":{"access_log":0,"amendment":0,"app_user":0,"batch":1,"certificate":0,"field":27,"field_reading":0,"file":1,"file_path":1,"fixity_event":0,"lookup_prior":0,"mapping_rule":0,"ocr_cell":0,"ocr_line":0,"ocr_word":0,"page":1,"person":3,"person_reading":0,"qa_sample":0,"quarantine":0,"record":3,"review_decision":0,"review_item":0,"run":2,"study_record":3},"path":"b.db","rows_copied":72,"schema":22,"shard":"40f31650d187eee5104e84fb6a802ba4b1c9795963ce0831af36dbaad4dddeda"}','e457ff2938692ca77be986ade928e0f3cccb6706c0f127b765a8ed2c5b92594c','58f978a4d299bad079639e5c97a1f64f9e932ae2c73853ca0e326d8ccb033003');
CREATE TABLE amendment (
    id           INTEGER PRIMARY KEY,
    study_id     INTEGER NOT NULL REFERENCES study_record(id),
    person_id    INTEGER NOT NULL REFERENCES person(id),
    key          TEXT NOT NULL,            -- field key (common/fieldkeys.c)
    column_name  TEXT NOT NULL,            -- 'person.birth', 'study_record.grad' ...
    before       TEXT,                     -- the version replaced (NULL: none)
    after        TEXT,                     -- the new version (NULL: cleared)
    operator     TEXT NOT NULL,
    amended      TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason <> ''),
    decision_id  INTEGER REFERENCES review_decision(id), -- the decision that made it
    field_id     INTEGER REFERENCES field(id),   -- the field the new value was read from
    before_field INTEGER REFERENCES field(id)    -- provenance.field_id before
) STRICT;
CREATE TABLE store_setting (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    dir      TEXT NOT NULL,                -- absolute path of the store
    readonly INTEGER NOT NULL DEFAULT 0,   -- 1: read from it, never write to it
    changed  TEXT NOT NULL
) STRICT;
CREATE TABLE stored_file (
    file_id  INTEGER PRIMARY KEY REFERENCES file(id),
    stored   TEXT NOT NULL,
    run_id   INTEGER REFERENCES run(id)
) STRICT;
CREATE TABLE fixity_event (
    id       INTEGER PRIMARY KEY,
    run_id   INTEGER NOT NULL REFERENCES run(id),
    file_id  INTEGER NOT NULL REFERENCES file(id),
    location TEXT NOT NULL CHECK (location IN ('store', 'path')),
    path     TEXT NOT NULL,
    outcome  TEXT NOT NULL CHECK (outcome IN ('ok', 'missing', 'changed', 'unreadable')),
    found    TEXT,                         -- SHA-256 found when changed, else NULL
    checked  TEXT NOT NULL
) STRICT;
CREATE TABLE app_user (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL
                 CHECK (role IN ('archivist', 'operator', 'registrar', 'auditor', 'admin')),
    pwhash       TEXT NOT NULL,            -- crypto_pwhash_str (argon2id)
    disabled     INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0, -- failed logins since the last success
    locked_until INTEGER NOT NULL DEFAULT 0, -- unix seconds; 0: not locked
    created      TEXT NOT NULL,
    last_login   TEXT
) STRICT;
CREATE TABLE app_session (
    token_hash TEXT PRIMARY KEY,           -- hex SHA-256 of the cookie's token
    user_id    INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,              -- sent back with every POST
    created    INTEGER NOT NULL,           -- unix seconds
    expires    INTEGER NOT NULL
) STRICT;
CREATE TABLE certificate (
    id        INTEGER PRIMARY KEY,
    serial    TEXT NOT NULL UNIQUE,          -- printed serial, e.g. DG-2026-000001
    code      TEXT NOT NULL UNIQUE,          -- printed verification code
    study_id  INTEGER NOT NULL REFERENCES study_record(id),
    issued    TEXT NOT NULL,                 -- UTC, ISO 8601
    who       TEXT NOT NULL,                 -- the operator who issued it
    requester TEXT,                          -- --for (NULL: the alumnus asked)
    purpose   TEXT,
    audience  TEXT NOT NULL,                 -- disclosure profile applied
    lang      TEXT NOT NULL CHECK (lang IN ('zh', 'en', 'both')),
    key_id    TEXT NOT NULL,                 -- the signing key's id (hex)
    payload   TEXT NOT NULL                  -- DGC1.<content>.<signature>
) STRICT;
CREATE TABLE person_reading (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES person(id),
    pinyin    TEXT NOT NULL                -- toneless, no spaces, as person.pinyin
) STRICT;
CREATE TABLE lookup_prior (
    id         INTEGER PRIMARY KEY,
    built      TEXT NOT NULL,              -- UTC, ISO 8601
    persons    INTEGER NOT NULL,           -- count(person) it was made from
    max_person INTEGER NOT NULL,           -- max(person.id) then
    data       TEXT NOT NULL               -- lookup_prior.c's serialised model
) STRICT;
CREATE INDEX page_state ON page(state);
CREATE INDEX ocr_cell_page ON ocr_cell(page_id);
CREATE INDEX ocr_line_page ON ocr_line(page_id, seq);
CREATE INDEX ocr_word_page ON ocr_word(page_id, line_no, word_no);
CREATE INDEX record_state ON record(state);
CREATE INDEX field_state ON field(state);
CREATE INDEX discipline_name ON discipline(bare_name);
CREATE INDEX mapping_rule_name ON mapping_rule(name_norm) WHERE active;
CREATE INDEX review_item_state ON review_item(state, reason);
CREATE UNIQUE INDEX review_item_unique ON review_item(kind, coalesce(field_id, 0),
                                                      coalesce(record_id, 0), coalesce(page_id, 0));
CREATE INDEX review_decision_item ON review_decision(item_id);
CREATE INDEX person_sub1 ON person(length(name_simplified), substr(name_simplified, 2), birth);
CREATE INDEX person_sub2 ON person(substr(name_simplified, 1, 1), length(name_simplified),
                                   substr(name_simplified, 3), birth);
CREATE INDEX person_sub3 ON person(substr(name_simplified, 1, 2), length(name_simplified),
                                   substr(name_simplified, 4), birth);
CREATE INDEX person_birth ON person(birth);
CREATE INDEX study_grad ON study_record(grad);
CREATE INDEX study_source_study ON study_source(study_id, role);
CREATE INDEX access_log_at ON access_log(at);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
CREATE INDEX qa_sample_batch ON qa_sample(batch_id);
CREATE INDEX audit_event_subject ON audit_event(subject);
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER review_decision_no_update BEFORE UPDATE ON review_decision
BEGIN
    SELECT RAISE(ABORT, 'review_decision is append-only');
END;
CREATE TRIGGER review_decision_no_delete BEFORE DELETE ON review_decision
BEGIN
    SELECT RAISE(ABORT, 'review_decision is append-only');
END;
CREATE INDEX amendment_study ON amendment(study_id, key, id);
CREATE INDEX amendment_person ON amendment(person_id, key, id);
CREATE TRIGGER amendment_no_update BEFORE UPDATE ON amendment
BEGIN SELECT RAISE(ABORT, 'amendments are never changed: amend again instead'); END;
CREATE TRIGGER amendment_no_delete BEFORE DELETE ON amendment
BEGIN SELECT RAISE(ABORT, 'amendments are never deleted'); END;
CREATE INDEX run_running ON run(status) WHERE status = 'running';
CREATE INDEX fixity_event_run ON fixity_event(run_id);
CREATE INDEX fixity_event_file ON fixity_event(file_id);
CREATE INDEX app_session_user ON app_session(user_id);
CREATE INDEX certificate_study ON certificate(study_id);
CREATE TRIGGER certificate_no_update BEFORE UPDATE ON certificate
BEGIN SELECT RAISE(ABORT, 'certificates are never changed'); END;
CREATE TRIGGER certificate_no_delete BEFORE DELETE ON certificate
BEGIN SELECT RAISE(ABORT, 'certificates are never deleted'); END;
CREATE INDEX review_item_field ON review_item(field_id) WHERE field_id IS NOT NULL;
CREATE INDEX provenance_field ON provenance(field_id);
CREATE INDEX file_batch ON file(batch_id);
CREATE INDEX review_decision_decided ON review_decision(decided);
CREATE TRIGGER review_item_qkey AFTER INSERT ON review_item BEGIN
  UPDATE review_item SET qkey =
    (SELECT printf('%020d', coalesce(fl.batch_id, 0)) || char(1) || coalesce(fl.path, '') ||
            char(1) || printf('%010d', coalesce(p.page_index, 0)) || char(1) ||
            coalesce((SELECT f.key FROM field f WHERE f.id = NEW.field_id), '') || char(1) ||
            NEW.reason || char(1) || printf('%020d', NEW.id)
     FROM (SELECT 1) LEFT JOIN page p ON p.id = coalesce(NEW.page_id,
            (SELECT r.page_id FROM record r WHERE r.id = NEW.record_id))
     LEFT JOIN file fl ON fl.id = p.file_id)
  WHERE id = NEW.id;
END;
CREATE INDEX review_item_queue_open ON review_item(qkey) WHERE state = 'open';
CREATE INDEX review_item_queue ON review_item(qkey);
CREATE TRIGGER review_item_qp AFTER INSERT ON review_item WHEN NEW.field_id IS NOT NULL BEGIN
  UPDATE review_item SET qp = (SELECT f.p FROM field f WHERE f.id = NEW.field_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER review_item_qp_field AFTER UPDATE OF field_id ON review_item BEGIN
  UPDATE review_item SET qp = (SELECT f.p FROM field f WHERE f.id = NEW.field_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER field_p_queue AFTER UPDATE OF p ON field WHEN NEW.p IS NOT OLD.p BEGIN
  UPDATE review_item SET qp = NEW.p WHERE field_id = NEW.id;
END;
CREATE TRIGGER field_insert_queue AFTER INSERT ON field BEGIN
  UPDATE review_item SET qp = NEW.p WHERE field_id = NEW.id;
END;
CREATE TRIGGER field_delete_queue AFTER DELETE ON field BEGIN
  UPDATE review_item SET qp = NULL WHERE field_id = OLD.id;
END;
CREATE INDEX review_item_p_open ON review_item(qp IS NULL, coalesce(qp, 0))
  WHERE state = 'open';
CREATE INDEX review_item_pdesc_open ON review_item(qp IS NULL, -coalesce(qp, 0))
  WHERE state = 'open';
CREATE INDEX review_item_p ON review_item(qp IS NULL, coalesce(qp, 0));
CREATE INDEX review_item_pdesc ON review_item(qp IS NULL, -coalesce(qp, 0));
CREATE TRIGGER app_user_no_delete BEFORE DELETE ON app_user
BEGIN SELECT RAISE(ABORT, 'users are never deleted: disable them instead'); END;
CREATE INDEX person_simplified ON person(name_simplified, birth);
CREATE INDEX person_pinyin ON person(pinyin, name_simplified, birth);
CREATE INDEX person_lookalike ON person(lookalike_key, name_simplified, birth);
CREATE INDEX study_person ON study_record(person_id, grad);
CREATE INDEX person_reading_pinyin ON person_reading(pinyin);
CREATE INDEX person_reading_person ON person_reading(person_id);
COMMIT;
