-- Listings are newest first: an index in that order lets a page of 50 be read without sorting
-- every document (and, with a scope, without reading every agency's).
CREATE INDEX documents_created ON documents (created_at DESC, id);
-- A scope reaches its agencies' documents by their agency, and another agency's paper through a
-- dossier of its agencies (storage's visible): those attachments are marked, so that the second
-- path is a short list rather than every attachment.
CREATE INDEX dossiers_agency ON dossiers (agency);
ALTER TABLE dossier_documents ADD COLUMN crosses boolean NOT NULL DEFAULT false;
UPDATE dossier_documents dd SET crosses = d.agency IS DISTINCT FROM x.agency
    FROM documents d, dossiers x WHERE d.id = dd.document_id AND x.id = dd.dossier_id;
CREATE INDEX dossier_documents_crosses ON dossier_documents (dossier_id) WHERE crosses;
