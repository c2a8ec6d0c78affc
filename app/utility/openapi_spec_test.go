package utility_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// specPath is the contract utilities implement; the tests below hold the client and the
// simulator to it.
const specPath = "../../docs/utility-api.yaml"

// specFile may be pointed at another copy (KIOSK_OPENAPI=/tmp/broken.yaml) to see the
// conformance tests fail on a contract that drifted.
func specFile() string {
	if p := os.Getenv("KIOSK_OPENAPI"); p != "" {
		return p
	}
	return specPath
}

type obj = map[string]any

type spec struct {
	root obj
	ops  []*operation
	base string // the servers' common path, /v1
}

type operation struct {
	id, method, path string
	segs             []string
	params           []obj // resolved
	body             obj   // request schema, nil without a request body
	bodyRequired     bool
	responses        map[string]obj // status or "default" → schema of the JSON content
	headers          []string       // required request headers, canonical
	hasKey           bool           // declares the Idempotency-Key header
}

func loadSpec(t testing.TB) *spec {
	t.Helper()
	data, err := os.ReadFile(specFile())
	if err != nil {
		t.Fatal(err)
	}
	var root obj
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatalf("%s: %v", specFile(), err)
	}
	s := &spec{root: root}
	for _, sv := range list(root["servers"]) {
		u, err := url.Parse(str(m(sv)["url"]))
		if err != nil {
			t.Fatalf("servers: %v", err)
		}
		if s.base != "" && s.base != u.Path {
			t.Fatalf("servers: base paths %s and %s differ", s.base, u.Path)
		}
		s.base = u.Path
	}
	global := s.securityHeaders(t, root["security"])
	paths := m(root["paths"])
	for _, p := range sortedKeys(paths) {
		item := m(paths[p])
		for _, method := range []string{"get", "put", "post", "delete", "patch", "head", "options"} {
			raw, ok := item[method]
			if !ok {
				continue
			}
			o := m(raw)
			op := &operation{id: str(o["operationId"]), method: strings.ToUpper(method), path: p,
				segs: strings.Split(strings.Trim(p, "/"), "/"), responses: map[string]obj{}}
			if op.id == "" {
				t.Fatalf("%s %s: no operationId", op.method, p)
			}
			op.headers = global
			if sec, ok := o["security"]; ok {
				op.headers = s.securityHeaders(t, sec)
			}
			for _, pr := range append(list(item["parameters"]), list(o["parameters"])...) {
				pr := s.resolve(m(pr))
				op.params = append(op.params, pr)
				if str(pr["in"]) == "header" && pr["required"] == true {
					op.headers = append(op.headers, canonical(str(pr["name"])))
				}
				if strings.EqualFold(str(pr["name"]), "Idempotency-Key") && str(pr["in"]) == "header" {
					op.hasKey = true
				}
			}
			if rb, ok := o["requestBody"]; ok {
				rb := s.resolve(m(rb))
				op.bodyRequired = rb["required"] == true
				op.body = jsonSchema(rb)
				if op.body == nil {
					t.Fatalf("%s: request body without application/json", op.id)
				}
			}
			for code, r := range m(o["responses"]) {
				op.responses[code] = jsonSchema(s.resolve(m(r)))
			}
			s.ops = append(s.ops, op)
		}
	}
	return s
}

// securityHeaders lists the headers of a security requirement. Every scheme of the
// kiosk's requirement must be sent (they are ANDed); alternatives are not part of it.
func (s *spec) securityHeaders(t testing.TB, req any) []string {
	t.Helper()
	reqs := list(req)
	if len(reqs) > 1 {
		t.Fatalf("security: %d alternative requirements; the kiosk signs one way", len(reqs))
	}
	var out []string
	schemes := m(m(s.root["components"])["securitySchemes"])
	for _, r := range reqs {
		for _, name := range sortedKeys(m(r)) {
			sc := m(schemes[name])
			if str(sc["type"]) != "apiKey" || str(sc["in"]) != "header" {
				t.Fatalf("security scheme %s: only header apiKeys are checked", name)
			}
			out = append(out, canonical(str(sc["name"])))
		}
	}
	return out
}

func canonical(h string) string { return strings.ToLower(h) }

func jsonSchema(content obj) obj {
	c, ok := m(content["content"])["application/json"]
	if !ok {
		return nil
	}
	sch := m(m(c)["schema"])
	if sch == nil {
		return obj{}
	}
	return sch
}

// find is the operation a request matches: method and path template, literal segments
// before parameters (POST /accounts/search is not POST /accounts/{number}).
func (s *spec) find(method, path string) (*operation, map[string]string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *operation
	var bestVars map[string]string
	bestLit := -1
	for _, op := range s.ops {
		if op.method != method || len(op.segs) != len(segs) {
			continue
		}
		vars, lit, ok := map[string]string{}, 0, true
		for i, sg := range op.segs {
			if strings.HasPrefix(sg, "{") && strings.HasSuffix(sg, "}") {
				v, err := url.PathUnescape(segs[i])
				if err != nil || v == "" {
					ok = false
					break
				}
				vars[sg[1:len(sg)-1]] = v
				continue
			}
			if sg != segs[i] {
				ok = false
				break
			}
			lit++
		}
		if ok && lit > bestLit {
			best, bestVars, bestLit = op, vars, lit
		}
	}
	return best, bestVars
}

func (s *spec) op(id string) *operation {
	for _, op := range s.ops {
		if op.id == id {
			return op
		}
	}
	return nil
}

func (op *operation) response(status int) (obj, string) {
	if r, ok := op.responses[fmt.Sprint(status)]; ok {
		return r, fmt.Sprint(status)
	}
	if r, ok := op.responses[fmt.Sprintf("%dXX", status/100)]; ok {
		return r, fmt.Sprintf("%dXX", status/100)
	}
	if r, ok := op.responses["default"]; ok {
		return r, "default"
	}
	return nil, ""
}

func (s *spec) resolve(o obj) obj {
	for range 20 {
		ref, ok := o["$ref"].(string)
		if !ok {
			return o
		}
		o = s.pointer(ref)
	}
	panic("openapi: $ref loop")
}

func (s *spec) pointer(ref string) obj {
	if !strings.HasPrefix(ref, "#/") {
		panic("openapi: only local references are supported: " + ref)
	}
	var cur any = s.root
	for _, p := range strings.Split(ref[2:], "/") {
		p = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
		cur = m(cur)[p]
	}
	if cur == nil {
		panic("openapi: dangling $ref " + ref)
	}
	return m(cur)
}

func refName(o obj) string {
	ref, _ := o["$ref"].(string)
	return strings.TrimPrefix(ref, "#/components/schemas/")
}

// unsupported keywords would silently weaken the checks if a schema started using them.
var unsupported = []string{"allOf", "oneOf", "anyOf", "not", "discriminator", "patternProperties"}

// check wants v decoded with UseNumber: an integer that arrives as 1.5 is drift too.
func (s *spec) check(sch obj, v any, at string) []string {
	sch = s.resolve(sch)
	for _, k := range unsupported {
		if _, ok := sch[k]; ok {
			return []string{at + ": schema uses " + k + ", which the conformance test does not check"}
		}
	}
	if v == nil {
		if sch["nullable"] == true {
			return nil
		}
		return []string{at + ": null, not declared nullable"}
	}
	typ := str(sch["type"])
	if typ == "" && sch["properties"] != nil {
		typ = "object"
	}
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, a...)) }
	switch typ {
	case "object":
		o, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an object", at, v)}
		}
		props := m(sch["properties"])
		for _, k := range sortedKeys(o) {
			if p, ok := props[k]; ok {
				errs = append(errs, s.check(m(p), o[k], at+"."+k)...)
				continue
			}
			switch ap := sch["additionalProperties"].(type) {
			case map[string]any:
				errs = append(errs, s.check(ap, o[k], at+"."+k)...)
			case bool:
				if !ap {
					bad("field %q is not declared", k)
				}
			default:
				if len(props) > 0 || sch["additionalProperties"] != nil {
					bad("field %q is not declared", k)
				}
			}
		}
		for _, r := range list(sch["required"]) {
			if _, ok := o[str(r)]; !ok {
				bad("required field %q is missing", str(r))
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want an array", at, v)}
		}
		for i, x := range a {
			errs = append(errs, s.check(m(sch["items"]), x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		x, ok := v.(string)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want a string", at, v)}
		}
		if p := str(sch["pattern"]); p != "" && !regexp.MustCompile(p).MatchString(x) {
			bad("%q does not match %s", x, p)
		}
		switch str(sch["format"]) {
		case "date-time":
			if tm, err := time.Parse(time.RFC3339, x); err != nil {
				bad("%q is not an RFC 3339 date-time", x)
			} else if tm.IsZero() {
				bad("%q is Go's zero time: an unknown time is left out, not sent", x)
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, x); err != nil {
				bad("%q is not an RFC 3339 full-date", x)
			}
		}
	case "integer", "number":
		n, ok := v.(json.Number)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want a %s", at, v, typ)}
		}
		f, err := n.Float64()
		if err != nil || typ == "integer" && strings.ContainsAny(n.String(), ".eE") {
			bad("%s is not an %s", n, typ)
		}
		if min, ok := number(sch["minimum"]); ok && f < min {
			bad("%s is below the minimum %v", n, min)
		}
		if max, ok := number(sch["maximum"]); ok && f > max {
			bad("%s is above the maximum %v", n, max)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return []string{fmt.Sprintf("%s: %T, want a boolean", at, v)}
		}
	case "":
	default:
		bad("schema type %q is not checked", typ)
	}
	if enum := list(sch["enum"]); enum != nil {
		got := fmt.Sprint(v)
		if !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == got }) {
			bad("%q is not one of %v", got, enum)
		}
	}
	return errs
}

func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

func m(v any) obj {
	o, _ := v.(map[string]any)
	return o
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func sortedKeys[V any](o map[string]V) []string {
	ks := make([]string, 0, len(o))
	for k := range o {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
