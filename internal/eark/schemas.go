package eark

import "embed"

// Schemas are the XML schemas a package's METS and PREMIS files are written against (SOURCES.md
// says where each comes from): every package carries them in its schemas/ folder, so that the
// archive receiving it can validate it without the network.
//
//go:embed schemas/*.xsd
var Schemas embed.FS
