-- 001: the workspace core: runs, batches, files, pages, quarantine, OCR output.
-- Geometry is always in the ORIGINAL page's pixel coordinates (x, y = top-left).

CREATE TABLE run (
    id          INTEGER PRIMARY KEY,
    stage       TEXT NOT NULL,             -- ingest, ocr, extract, normalize, load, ...
    version     TEXT NOT NULL,             -- dangan version that ran it
    params      TEXT NOT NULL DEFAULT '{}',-- JSON: the settings that shape results
    params_hash TEXT NOT NULL DEFAULT '',  -- SHA-256 of params, to group runs by settings
    started     TEXT NOT NULL,
    finished    TEXT,
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
    counts      TEXT NOT NULL DEFAULT '{}' -- JSON: what the run did
) STRICT;

CREATE TABLE batch (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES run(id),
    paths   TEXT NOT NULL,                 -- JSON array of the paths given
    started TEXT NOT NULL
) STRICT;

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

-- Every path a file's bytes were seen under; rows beyond the first are aliases.
CREATE TABLE file_path (
    id       INTEGER PRIMARY KEY,
    file_id  INTEGER NOT NULL REFERENCES file(id),
    path     TEXT NOT NULL,
    abspath  TEXT NOT NULL,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    added    TEXT NOT NULL,
    UNIQUE (file_id, abspath)
) STRICT;

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
    error      TEXT,                       -- why the last stage failed on it
    UNIQUE (file_id, page_index)
) STRICT;
CREATE INDEX page_state ON page(state);

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

-- What the OCR stage did to a page: clean-up steps and what they measured.
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

-- Table grid cells found on a page (row/col 0-based, in reading order).
CREATE TABLE ocr_cell (
    id      INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES page(id),
    row_no  INTEGER NOT NULL,
    col_no  INTEGER NOT NULL,
    x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL
) STRICT;
CREATE INDEX ocr_cell_page ON ocr_cell(page_id);

CREATE TABLE ocr_line (
    id       INTEGER PRIMARY KEY,
    page_id  INTEGER NOT NULL REFERENCES page(id),
    cell_id  INTEGER REFERENCES ocr_cell(id),  -- NULL: text outside the grid
    seq      INTEGER NOT NULL,             -- reading order on the page
    block_no INTEGER NOT NULL,
    text     TEXT NOT NULL,
    conf     REAL NOT NULL,                -- 0-100
    x INTEGER NOT NULL, y INTEGER NOT NULL, w INTEGER NOT NULL, h INTEGER NOT NULL
) STRICT;
CREATE INDEX ocr_line_page ON ocr_line(page_id, seq);

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
CREATE INDEX ocr_word_page ON ocr_word(page_id, line_no, word_no);
