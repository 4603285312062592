-- A page the OCR stage flagged (review) waits for a person to check its text against its image.
-- Who checked it, and when, is kept beside the flag rather than clearing it: the flag is a fact of
-- the recognition, which the indicators count (the share of pages flagged), and the check is a
-- person's act, also in the trail (page.reviewed). A page read again loses its check.
ALTER TABLE pages ADD COLUMN reviewed_by text, ADD COLUMN reviewed_at timestamptz;
