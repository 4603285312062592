// Package schemas holds sohoa's contracts as data: the PostgreSQL migrations, the JSON schemas of
// task payloads, and the OpenAPI description of the HTTP API. Code reads them through the embedded
// file systems below, so the files in this folder are the single source of each contract.
package schemas

import "embed"

// Migrations holds the SQL migrations, applied in the lexical order of their names
// (NNNN_name.sql). A migration, once released, is never edited: add a new one.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// API holds the OpenAPI description (openapi.yaml) and the JSON schemas (*.schema.json).
//
//go:embed openapi.yaml *.schema.json
var API embed.FS
