-- Fields read from the OCR text (IDs, tax codes, notation, dates, issuing body), each with where it
-- came from. They are proposals shown as "extracted, to confirm"; what a person confirms goes into the
-- paper's own columns.
ALTER TABLE documents ADD COLUMN extracted jsonb NOT NULL DEFAULT '[]';
