-- Agencies and procedures as data (the province's tree and the national catalogue), so that the
-- plan's indicators can be read per level and per procedure.
ALTER TABLE agencies
    ADD COLUMN level       text NOT NULL DEFAULT '' CHECK (level IN ('', 'tinh', 'so', 'huyen', 'xa')),
    ADD COLUMN placeholder boolean NOT NULL DEFAULT false;  -- an identifier or name not yet confirmed

ALTER TABLE procedures
    ADD COLUMN field  text NOT NULL DEFAULT '',              -- lĩnh vực
    ADD COLUMN level  text NOT NULL DEFAULT '',              -- the level that settles it
    ADD COLUMN papers jsonb NOT NULL DEFAULT '[]';           -- [{"name", "reusable"}]: what it asks for

-- Targets that replace the plan's (storage.DefaultTargets) for a year, level ('' for every level) and
-- indicator, as fractions of 1: a province that sets its own writes them here.
CREATE TABLE report_targets (
    year      integer NOT NULL,
    level     text NOT NULL,
    indicator text NOT NULL CHECK (indicator IN ('digitization', 'reuse', 'results')),
    target    numeric(4, 3) NOT NULL CHECK (target BETWEEN 0 AND 1),
    PRIMARY KEY (year, level, indicator)
);
