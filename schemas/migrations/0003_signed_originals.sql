-- A PDF that arrives already signed is kept byte for byte: the archive copy is the original with the
-- agency's signature appended as an incremental update, so the original signatures stay valid.
ALTER TABLE documents ADD COLUMN signed_original boolean NOT NULL DEFAULT false;
