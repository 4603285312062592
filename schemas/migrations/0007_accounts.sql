-- Who may see a citizen's papers (Nghị định 13/2023): accounts with one role in one agency, the
-- machines' tokens, the people's sessions, every document's agency, and an access trail whose rows
-- are hash-chained so that an edit made behind sohoa's back is found.

CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('station', 'clerk', 'archivist', 'auditor', 'admin')),
    agency        text NOT NULL REFERENCES agencies (id),
    password_hash text NOT NULL DEFAULT '',   -- argon2id, PHC string; '' signs in never
    disabled      boolean NOT NULL DEFAULT false,
    failures      integer NOT NULL DEFAULT 0, -- sign-in failures since the last success
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Tokens and sessions are kept as SHA-256 hashes only: a copy of the database signs nobody in.
CREATE TABLE tokens (
    id         text PRIMARY KEY,              -- public, shown in lists and used to revoke
    account_id bigint NOT NULL REFERENCES accounts (id),
    hash       bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz,
    revoked_at timestamptz
);

CREATE TABLE sessions (
    hash       bytea PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    created_at timestamptz NOT NULL,
    seen_at    timestamptz NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Every document belongs to the agency that received it; lists and searches are cut to the agencies
-- an account reaches in SQL, not checked row by row.
ALTER TABLE documents
    ADD COLUMN agency      text REFERENCES agencies (id),
    ADD COLUMN uploaded_by bigint REFERENCES accounts (id);
UPDATE documents d SET agency = x.agency
    FROM dossier_documents dd JOIN dossiers x ON x.id = dd.dossier_id
    WHERE dd.document_id = d.id AND d.agency IS NULL;
CREATE INDEX documents_agency ON documents (agency, created_at DESC);
CREATE INDEX documents_uploaded_by ON documents (uploaded_by, created_at DESC);
CREATE INDEX agencies_parent ON agencies (parent);

-- The access trail. hash is SHA-256 over prev_hash and the event's canonical form (storage.Event
-- .Canonical); events written before the chain began are chained when sohoa first starts on them.
ALTER TABLE events
    ADD COLUMN client    text NOT NULL DEFAULT '',
    ADD COLUMN query     text NOT NULL DEFAULT '',
    ADD COLUMN agencies  text[] NOT NULL DEFAULT '{}',
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash      bytea;
-- The agencies of the events written before: those of their dossier and document, so that their
-- auditors see them (sealing, at sohoa's start, then chains them with these values).
ALTER TABLE events DISABLE TRIGGER events_append_only;
UPDATE events e SET agencies = ARRAY(
    SELECT x.agency FROM dossiers x WHERE x.id = e.dossier_id
    UNION SELECT d.agency FROM documents d WHERE d.id = e.document_id AND d.agency IS NOT NULL);
ALTER TABLE events ENABLE TRIGGER events_append_only;
CREATE INDEX events_owner ON events (owner_id, id);
CREATE INDEX events_actor ON events (actor, id);
CREATE INDEX events_agencies ON events USING gin (agencies);
-- TRUNCATE fires no row trigger: refuse it too, for the owner role (the service role may not at all).
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
