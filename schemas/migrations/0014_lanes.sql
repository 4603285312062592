-- How urgent a document's work is (pipeline.Lane): counter (a person waits) or bulk (a backlog
-- import, a station's batch). The workers serve the two apart; every document before lanes was a
-- counter upload.
ALTER TABLE documents ADD COLUMN lane text NOT NULL DEFAULT 'counter' CHECK (lane IN ('counter', 'bulk'));
