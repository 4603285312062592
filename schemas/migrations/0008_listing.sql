-- Listings are newest first: an index in that order lets a page of 50 be read without sorting
-- every document (and, with a scope, without reading every agency's).
CREATE INDEX documents_created ON documents (created_at DESC, id);
-- A scope reaches its agencies' documents by their agency, and another agency's paper through a
-- dossier of its agencies (storage's visible): those attachments are marked, with the dossier's
-- agency beside them, so that the second path is one short index read.
ALTER TABLE dossier_documents
    ADD COLUMN agency  text REFERENCES agencies (id),         -- the dossier's
    ADD COLUMN crosses boolean NOT NULL DEFAULT false;        -- the document is another agency's
UPDATE dossier_documents dd SET agency = x.agency, crosses = d.agency IS DISTINCT FROM x.agency
    FROM documents d, dossiers x WHERE d.id = dd.document_id AND x.id = dd.dossier_id;
CREATE INDEX dossier_documents_crosses ON dossier_documents (agency) INCLUDE (document_id) WHERE crosses;
