-- Agencies and procedures as data (the province's tree and the national catalogue), so that the
-- plan's indicators can be read per level and per procedure.
ALTER TABLE agencies
    ADD COLUMN level       text NOT NULL DEFAULT '' CHECK (level IN ('', 'tinh', 'so', 'huyen', 'xa')),
    ADD COLUMN placeholder boolean NOT NULL DEFAULT false;  -- an identifier or name not yet confirmed

ALTER TABLE procedures
    ADD COLUMN field  text NOT NULL DEFAULT '',              -- lĩnh vực
    ADD COLUMN level  text NOT NULL DEFAULT '',              -- the level that settles it
    ADD COLUMN papers jsonb NOT NULL DEFAULT '[]';           -- [{"name", "reusable"}]: what it asks for

-- The plan's targets (Kế hoạch 110/KH-UBND on Quyết định 468/QĐ-TTg, Quyết định 766/QĐ-TTg), as
-- fractions of 1 per year, level ('' for every level) and indicator; configurable by editing rows.
CREATE TABLE report_targets (
    year      integer NOT NULL,
    level     text NOT NULL,
    indicator text NOT NULL CHECK (indicator IN ('digitization', 'reuse', 'results')),
    target    numeric(4, 3) NOT NULL CHECK (target BETWEEN 0 AND 1),
    PRIMARY KEY (year, level, indicator)
);
-- Results digitized: 30/20/15 % for departments, districts and communes in 2021, then 20 points more
-- a year up to 100 %.
INSERT INTO report_targets (year, level, indicator, target)
SELECT y, l.level, 'results', least(1, l.first + 0.2 * (y - 2021))
FROM generate_series(2021, 2030) AS y,
     (VALUES ('so', 0.30), ('huyen', 0.20), ('xa', 0.15), ('tinh', 0.30)) AS l (level, first);
-- Dossiers digitized (Quyết định 766, indicator 4.2: full marks at 80 %; the plan wants 100 % settled
-- dossiers digitized by 2025), and reuse (30 % in 2022, 80 % from 2023).
INSERT INTO report_targets (year, level, indicator, target)
SELECT y, '', 'digitization', CASE WHEN y < 2025 THEN 0.8 ELSE 1 END FROM generate_series(2021, 2030) AS y;
INSERT INTO report_targets (year, level, indicator, target)
SELECT y, '', 'reuse', CASE WHEN y < 2023 THEN 0.3 ELSE 0.8 END FROM generate_series(2022, 2030) AS y;
