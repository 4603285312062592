-- OCR runs one task per page; these record when each page was read, so a person (and a test) sees
-- the pages of a dossier being read in parallel.
ALTER TABLE pages ADD COLUMN ocr_started_at timestamptz;
ALTER TABLE pages ADD COLUMN ocr_finished_at timestamptz;
