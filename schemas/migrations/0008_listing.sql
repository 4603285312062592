-- Listings are newest first: an index in that order lets a page of 50 be read without sorting
-- every document (and, with a scope, without reading every agency's).
CREATE INDEX documents_created ON documents (created_at DESC, id);
