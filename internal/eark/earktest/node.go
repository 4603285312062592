package earktest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// Node is an XML element, as the checks read it: by local names, with attributes by their
// namespace and local name ("xlink:href" is the XLink one, whatever prefix the file uses).
type Node struct {
	Name     string
	Space    string
	Attrs    map[string]string
	Children []*Node
	Text     string
}

// prefixes are the namespaces the checks name attributes in.
var prefixes = map[string]string{
	"http://www.w3.org/1999/xlink":                 "xlink:",
	"https://DILCIS.eu/XML/METS/CSIPExtensionMETS": "csip:",
	"http://www.w3.org/2001/XMLSchema-instance":    "xsi:",
}

// parse reads an XML document into its root Node.
func parse(b []byte) (*Node, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []*Node
	var root *Node
	for {
		tok, err := d.Token()
		if err != nil {
			if root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, fmt.Errorf("parse: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &Node{Name: t.Name.Local, Space: t.Name.Space, Attrs: map[string]string{}}
			for _, a := range t.Attr {
				n.Attrs[prefixes[a.Name.Space]+a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += strings.TrimSpace(string(t))
			}
		}
	}
}

// All returns the elements reached by the path of local names below n ("fileSec/fileGrp/file").
func (n *Node) All(path string) []*Node {
	nodes := []*Node{n}
	for _, name := range strings.Split(path, "/") {
		var next []*Node
		for _, x := range nodes {
			for _, c := range x.Children {
				if c.Name == name {
					next = append(next, c)
				}
			}
		}
		nodes = next
	}
	return nodes
}

// Walk calls f for n and every element under it.
func (n *Node) Walk(f func(*Node)) {
	f(n)
	for _, c := range n.Children {
		c.Walk(f)
	}
}
