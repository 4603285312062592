package eark

import (
	"encoding/xml"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/sohoa-vn/sohoa/internal/tt05"
	"github.com/sohoa-vn/sohoa/storage"
)

// premisDoc is the package's preservation metadata: an object per dossier (an intellectual
// entity) and per file, the events sohoa recorded of them, and the agents of those events.
type premisDoc struct {
	XMLName        xml.Name       `xml:"http://www.loc.gov/premis/v3 premis"`
	XSI            string         `xml:"xmlns:xsi,attr"`
	SchemaLocation string         `xml:"xsi:schemaLocation,attr"`
	Version        string         `xml:"version,attr"`
	Objects        []premisObject `xml:"object"`
	Events         []premisEvent  `xml:"event"`
	Agents         []premisAgent  `xml:"agent"`
}

// premisObject is a file (with its characteristics) or an intellectual entity; the fields come in
// the order the schema gives them.
type premisObject struct {
	Type            string           `xml:"xsi:type,attr"`
	Identifier      identifier       `xml:"objectIdentifier"`
	Characteristics *characteristics `xml:"objectCharacteristics"`
	OriginalName    string           `xml:"originalName,omitempty"`
	Relationships   []relationship   `xml:"relationship"`
}

type identifier struct {
	Type  string `xml:"objectIdentifierType"`
	Value string `xml:"objectIdentifierValue"`
}

type characteristics struct {
	CompositionLevel int    `xml:"compositionLevel"`
	Fixity           fixity `xml:"fixity"`
	Size             int64  `xml:"size"`
	Format           format `xml:"format"`
}

type fixity struct {
	Algorithm string `xml:"messageDigestAlgorithm"`
	Digest    string `xml:"messageDigest"`
	// Originator is who computed the digest: sohoa, when the file was received or archived.
	Originator string `xml:"messageDigestOriginator"`
}

type format struct {
	Name    string `xml:"formatDesignation>formatName"`
	Version string `xml:"formatDesignation>formatVersion,omitempty"`
}

type relationship struct {
	Type    string    `xml:"relationshipType"`
	SubType string    `xml:"relationshipSubType"`
	Related relatedID `xml:"relatedObjectIdentifier"`
}

type relatedID struct {
	Type  string `xml:"relatedObjectIdentifierType"`
	Value string `xml:"relatedObjectIdentifierValue"`
}

type premisEvent struct {
	Identifier struct {
		Type  string `xml:"eventIdentifierType"`
		Value string `xml:"eventIdentifierValue"`
	} `xml:"eventIdentifier"`
	Type     string       `xml:"eventType"`
	DateTime string       `xml:"eventDateTime"`
	Detail   string       `xml:"eventDetailInformation>eventDetail"`
	Outcome  string       `xml:"eventOutcomeInformation>eventOutcome"`
	Agents   []linkAgent  `xml:"linkingAgentIdentifier"`
	Objects  []linkObject `xml:"linkingObjectIdentifier"`
	at       time.Time
}

type linkAgent struct {
	Type  string `xml:"linkingAgentIdentifierType"`
	Value string `xml:"linkingAgentIdentifierValue"`
	Role  string `xml:"linkingAgentRole"`
}

type linkObject struct {
	Type  string `xml:"linkingObjectIdentifierType"`
	Value string `xml:"linkingObjectIdentifierValue"`
}

type premisAgent struct {
	Identifier struct {
		Type  string `xml:"agentIdentifierType"`
		Value string `xml:"agentIdentifierValue"`
	} `xml:"agentIdentifier"`
	Name    string `xml:"agentName"`
	Type    string `xml:"agentType"`
	Version string `xml:"agentVersion,omitempty"`
	Note    string `xml:"agentNote,omitempty"`
}

// agentRef is an agent of the package's events.
type agentRef struct {
	id, name, kind, version, note string
}

// premisBuilder gathers the objects, events and agents of a package.
type premisBuilder struct {
	doc      premisDoc
	agents   map[string]agentRef // by ID
	events   []premisEvent
	seen     map[int64]bool // history events already told (a paper's events are in each dossier it is in)
	software agentRef
}

func writePREMIS(pk *packer, p Package, parts []*dossierPart, software agentRef) error {
	pb := &premisBuilder{agents: map[string]agentRef{software.id: software}, seen: map[int64]bool{}, software: software}
	pb.doc = premisDoc{XSI: nsXSI, SchemaLocation: "http://www.loc.gov/premis/v3 ../../schemas/premis.xsd", Version: "3.0"}
	copies := map[string][]*paperPart{}
	var order []string
	for _, d := range parts {
		pb.dossier(d)
		for _, pp := range d.papers {
			if copies[pp.paper.ID] == nil {
				order = append(order, pp.paper.ID)
			}
			copies[pp.paper.ID] = append(copies[pp.paper.ID], pp)
		}
	}
	for _, id := range order {
		pb.paperEvents(copies[id])
	}
	sort.SliceStable(pb.events, func(i, j int) bool { return pb.events[i].at.Before(pb.events[j].at) })
	for i := range pb.events {
		pb.events[i].Identifier.Type, pb.events[i].Identifier.Value = "local", fmt.Sprintf("event-%d", i+1)
	}
	pb.doc.Events = pb.events
	ids := make([]string, 0, len(pb.agents))
	for id := range pb.agents {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		pb.doc.Agents = append(pb.doc.Agents, pb.agents[id].premis())
	}
	b, err := marshal(pb.doc)
	if err == nil {
		_, err = pk.addBytes(premisPath, "application/xml", p.Created, b)
	}
	return wrap("PREMIS", err)
}

// dossier adds the dossier as an intellectual entity and the files of its papers.
func (pb *premisBuilder) dossier(d *dossierPart) {
	entity := identifier{Type: "dossier code", Value: d.dossier.Code}
	pb.doc.Objects = append(pb.doc.Objects, premisObject{Type: "intellectualEntity", Identifier: entity})
	org := pb.agent(agentRef{id: "agent-org-" + folderName(d.dossier.Agency), name: d.dossier.AgencyName, kind: "organization",
		note: "QCVN 102 " + d.dossier.Agency})
	for _, e := range d.history {
		if e.Action == "dossier.received" && !pb.seen[e.ID] {
			pb.seen[e.ID] = true
			pb.add(e.At, "creation", "Tiếp nhận hồ sơ "+d.dossier.Code, "success",
				[]linkAgent{pb.actor(e.Actor, "implementer"), {"local", org, "custodian"}}, []identifier{entity})
		}
	}
	for _, pp := range d.papers {
		pb.files(pp, entity)
	}
}

// files adds the paper's two files, related to its dossier and to each other.
func (pb *premisBuilder) files(pp *paperPart, entity identifier) {
	doc := pp.paper.Document
	part := relationship{Type: "structural", SubType: "is part of", Related: relatedID(entity)}
	pb.doc.Objects = append(pb.doc.Objects,
		fileObject(pp.signed, format{Name: tt05.Format(doc.Conformance), Version: conformance(doc.Conformance)}, "", part,
			relationship{Type: "derivation", SubType: "has source", Related: relatedID(fileID(pp.original))}),
		fileObject(pp.original, format{Name: doc.MediaType}, doc.Filename, part))
}

// paperEvents adds the events of a paper's run and history once, however many of the package's
// dossiers hold it, each linked to the files it concerns in all of them.
func (pb *premisBuilder) paperEvents(copies []*paperPart) {
	of := func(c concerns) []identifier {
		var ids []identifier
		for _, pp := range copies {
			if c != theSigned {
				ids = append(ids, fileID(pp.original))
			}
			if c != theOriginal {
				ids = append(ids, fileID(pp.signed))
			}
		}
		return ids
	}
	pp := copies[0]
	for _, st := range pp.stages {
		k, ok := stageEvents[st.Name]
		if !ok || st.FinishedAt == nil || (st.Status != "done" && st.Status != "failed") {
			continue
		}
		outcome := "success"
		if st.Status == "failed" {
			outcome = "failure"
		}
		pb.add(*st.FinishedAt, k.Type, fmt.Sprintf("%s (lần chạy %d, %d lần thử)", k.Detail, st.Run, st.Attempts), outcome,
			[]linkAgent{{"local", pb.software.id, "executing program"}}, of(k.Objects))
	}
	for _, e := range pp.history {
		k, ok := historyEvents[e.Action]
		if !ok || pb.seen[e.ID] {
			continue
		}
		pb.seen[e.ID] = true
		outcome := "success"
		if failures[e.Action] {
			outcome = "failure"
		}
		pb.add(e.At, k.Type, detail(k, e), outcome, []linkAgent{pb.actor(e.Actor, "implementer")}, of(k.Objects))
	}
}

func (pb *premisBuilder) add(at time.Time, typ, detail, outcome string, agents []linkAgent, objects []identifier) {
	ev := premisEvent{Type: typ, DateTime: timestamp(at), Detail: detail, Outcome: outcome, Agents: agents, at: at}
	for _, o := range objects {
		ev.Objects = append(ev.Objects, linkObject{Type: o.Type, Value: o.Value})
	}
	pb.events = append(pb.events, ev)
}

// actor is the agent of an event recorded by name: sohoa's own workers, or an account.
func (pb *premisBuilder) actor(name, role string) linkAgent {
	id := pb.software.id
	if name != "sohoa" {
		id = pb.agent(agentRef{id: "agent-account-" + folderName(name), name: name, kind: "person", note: "tài khoản sohoa"})
	}
	return linkAgent{Type: "local", Value: id, Role: role}
}

func (pb *premisBuilder) agent(a agentRef) string {
	pb.agents[a.id] = a
	return a.id
}

func (a agentRef) premis() premisAgent {
	var out premisAgent
	out.Identifier.Type, out.Identifier.Value = "local", a.id
	out.Name, out.Type, out.Version, out.Note = a.name, a.kind, a.version, a.note
	return out
}

// fileID names a file of the package in PREMIS: by its path in the package.
func fileID(e entry) identifier { return identifier{Type: "filepath", Value: e.Path} }

func fileObject(e entry, f format, originalName string, rels ...relationship) premisObject {
	return premisObject{Type: "file", Identifier: fileID(e), OriginalName: originalName, Relationships: rels,
		Characteristics: &characteristics{Fixity: fixity{Algorithm: "SHA-256", Digest: e.SHA256, Originator: "sohoa"},
			Size: e.Size, Format: f}}
}

// conformance is the PDF/A part and level of a conformance such as "2u".
func conformance(c string) string {
	if c == "" {
		return ""
	}
	return "PDF/A-" + c
}

// detail tells a history event for the archivist, with what the record says of it.
func detail(k eventKind, e storage.Event) string {
	switch {
	case e.Action == actionArchiveWriting:
		return fmt.Sprintf("%s: %v (SHA-256 %v)", k.Detail, e.Detail["key"], e.Detail["sha256"])
	case e.Detail["component_code"] != nil:
		return fmt.Sprintf("%s (mã thành phần %v)", k.Detail, e.Detail["component_code"])
	}
	return k.Detail
}
