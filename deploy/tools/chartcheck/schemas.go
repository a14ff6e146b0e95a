package main

// Conversion of the Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json of the
// k8s.io/kubernetes Go module) and of CustomResourceDefinitions (for instance KEDA's, from
// the github.com/kedacore/keda/v2 Go module) into the per-kind JSON schema files that
// kubeconform reads from a local -schema-location. It follows what yannh/kubernetes-json-schema
// and kubeconform's openapi2jsonschema.py do:
//   - int-or-string becomes string|integer, Quantity string|number;
//   - optional fields accept null (the API server treats null as unset);
//   - the "-strict" variant closes every object that lists its properties
//     (additionalProperties: false), the way kubectl's client-side validation did;
//   - apiVersion and kind are pinned to the resource's own values.
// Unlike the published "standalone" files, $refs are not inlined: each file carries the
// transitive closure of the definitions it needs under "definitions" (recursion stays finite).

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

const (
	refPrefix      = "#/definitions/"
	intOrStringDef = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	quantityDef    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	objectMetaDef  = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
)

type obj = map[string]any

type gvk struct{ Group, Version, Kind string }

func (g gvk) apiVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

// kubeconform's file name for a kind: "{kind}-{first group label}-{version}.json", or
// "{kind}-{version}.json" for the core group (see registry.schemaPath in kubeconform).
func (g gvk) fileName() string {
	kind := strings.ToLower(g.Kind)
	if g.Group == "" {
		return fmt.Sprintf("%s-%s.json", kind, strings.ToLower(g.Version))
	}
	first := strings.ToLower(strings.Split(g.Group, ".")[0])
	return fmt.Sprintf("%s-%s-%s.json", kind, first, strings.ToLower(g.Version))
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case obj:
		out := make(obj, len(t))
		for k, x := range t {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	default:
		return v
	}
}

// refsOf collects the definition names a schema refers to (schema-aware walk).
func refsOf(s any, into map[string]bool) {
	m, ok := s.(obj)
	if !ok {
		return
	}
	if r, ok := m["$ref"].(string); ok && strings.HasPrefix(r, refPrefix) {
		into[strings.TrimPrefix(r, refPrefix)] = true
	}
	forEachSubschema(m, func(sub any) { refsOf(sub, into) })
}

// forEachSubschema calls f for every direct subschema of m (not for property names).
func forEachSubschema(m obj, f func(any)) {
	if props, ok := m["properties"].(obj); ok {
		for _, p := range props {
			f(p)
		}
	}
	if pp, ok := m["patternProperties"].(obj); ok {
		for _, p := range pp {
			f(p)
		}
	}
	if ap, ok := m["additionalProperties"].(obj); ok {
		f(ap)
	}
	switch it := m["items"].(type) {
	case obj:
		f(it)
	case []any:
		for _, x := range it {
			f(x)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := m[k].([]any); ok {
			for _, x := range list {
				f(x)
			}
		}
	}
	if n, ok := m["not"].(obj); ok {
		f(n)
	}
	if defs, ok := m["definitions"].(obj); ok {
		for _, d := range defs {
			f(d)
		}
	}
}

type converter struct {
	strict bool
}

// convert rewrites one schema node (recursively) into what kubeconform should check.
func (c converter) convert(s any, nullable bool) any {
	m, ok := s.(obj)
	if !ok {
		return s
	}
	// Special value types.
	if r, ok := m["$ref"].(string); ok {
		switch strings.TrimPrefix(r, refPrefix) {
		case intOrStringDef:
			return withNull(obj{"anyOf": []any{obj{"type": "string"}, obj{"type": "integer"}}}, nullable)
		case quantityDef:
			return withNull(obj{"anyOf": []any{obj{"type": "string"}, obj{"type": "number"}}}, nullable)
		}
		if nullable {
			return obj{"anyOf": []any{obj{"$ref": r}, obj{"type": "null"}}}
		}
		return obj{"$ref": r}
	}
	if f, _ := m["format"].(string); f == "int-or-string" {
		return withNull(obj{"anyOf": []any{obj{"type": "string"}, obj{"type": "integer"}}}, nullable)
	}
	if b, _ := m["x-kubernetes-int-or-string"].(bool); b {
		return withNull(obj{"anyOf": []any{obj{"type": "string"}, obj{"type": "integer"}}}, nullable)
	}

	out := obj{}
	for k, v := range m {
		if strings.HasPrefix(k, "x-kubernetes-") || k == "nullable" || k == "description" || k == "example" {
			continue
		}
		out[k] = v
	}
	if n, _ := m["nullable"].(bool); n {
		nullable = true
	}
	preserve, _ := m["x-kubernetes-preserve-unknown-fields"].(bool)

	if props, ok := m["properties"].(obj); ok {
		np := obj{}
		for name, p := range props {
			np[name] = c.convert(p, true)
		}
		out["properties"] = np
		if c.strict && !preserve {
			if _, has := m["additionalProperties"]; !has {
				out["additionalProperties"] = false
			}
		}
	}
	if ap, ok := m["additionalProperties"].(obj); ok {
		out["additionalProperties"] = c.convert(ap, false)
	}
	switch it := m["items"].(type) {
	case obj:
		out["items"] = c.convert(it, false)
	case []any:
		list := make([]any, len(it))
		for i, x := range it {
			list[i] = c.convert(x, false)
		}
		out["items"] = list
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := m[k].([]any); ok {
			nl := make([]any, len(list))
			for i, x := range list {
				nl[i] = c.convert(x, false)
			}
			out[k] = nl
		}
	}
	if n, ok := m["not"].(obj); ok {
		out["not"] = c.convert(n, false)
	}
	if nullable {
		switch t := out["type"].(type) {
		case string:
			if t != "null" {
				out["type"] = []any{t, "null"}
			}
		}
		if e, ok := out["enum"].([]any); ok {
			out["enum"] = append(append([]any{}, e...), nil)
		}
	}
	return out
}

func withNull(s obj, nullable bool) obj {
	if !nullable {
		return s
	}
	s["anyOf"] = append(s["anyOf"].([]any), obj{"type": "null"})
	return s
}

func pinKind(root obj, g gvk) {
	props, ok := root["properties"].(obj)
	if !ok {
		return
	}
	if _, ok := props["apiVersion"]; ok {
		props["apiVersion"] = obj{"type": "string", "enum": []any{g.apiVersion()}}
	}
	if _, ok := props["kind"]; ok {
		props["kind"] = obj{"type": "string", "enum": []any{g.Kind}}
	}
}

// closure returns the converted definitions reachable from root.
func closure(root any, defs obj, c converter) obj {
	out := obj{}
	seen := map[string]bool{}
	var queue []string
	add := func(s any) {
		refs := map[string]bool{}
		refsOf(s, refs)
		for r := range refs {
			if !seen[r] {
				seen[r] = true
				queue = append(queue, r)
			}
		}
	}
	add(root)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if name == intOrStringDef || name == quantityDef {
			continue
		}
		d, ok := defs[name]
		if !ok {
			fatalf("definition %s is referenced but missing", name)
		}
		out[name] = c.convert(deepCopy(d), false)
		add(d)
	}
	return out
}

func writeJSON(path string, v any) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fatalf("%v", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		fatalf("%s: %v", path, err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fatalf("%v", err)
	}
}

func loadSwagger(path string) obj {
	b, err := os.ReadFile(path)
	if err != nil {
		fatalf("%v", err)
	}
	var doc obj
	if err := json.Unmarshal(b, &doc); err != nil {
		fatalf("%s: %v", path, err)
	}
	defs, ok := doc["definitions"].(obj)
	if !ok {
		fatalf("%s: no definitions (expected an OpenAPI v2 document)", path)
	}
	return defs
}

// cmdOpenAPI writes <out>/<version>-standalone[-strict]/<kind>-<group>-<version>.json.
func cmdOpenAPI(swaggerPath, outDir, k8sVersion string) {
	defs := loadSwagger(swaggerPath)
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	count := 0
	for _, strict := range []bool{false, true} {
		c := converter{strict: strict}
		dir := filepath.Join(outDir, k8sVersion+"-standalone")
		if strict {
			dir += "-strict"
		}
		for _, name := range names {
			d := defs[name].(obj)
			gvks, _ := d["x-kubernetes-group-version-kind"].([]any)
			for _, raw := range gvks {
				gm := raw.(obj)
				g := gvk{Group: str(gm["group"]), Version: str(gm["version"]), Kind: str(gm["kind"])}
				root := c.convert(deepCopy(d), false).(obj)
				pinKind(root, g)
				if defsNeeded := closure(d, defs, c); len(defsNeeded) > 0 {
					root["definitions"] = defsNeeded
				}
				writeJSON(filepath.Join(dir, g.fileName()), root)
				count++
			}
		}
	}
	fmt.Printf("chartcheck: wrote %d schema files for Kubernetes %s under %s\n", count, k8sVersion, outDir)
}

// cmdCRD writes <out>/<group>/<kind>_<version>.json (and the -strict variant under
// <out>-strict/...) for every CRD version. With a swagger document, metadata is checked
// against the real ObjectMeta instead of the CRD's bare "type: object".
func cmdCRD(files []string, outDir, swaggerPath string) {
	var defs obj
	if swaggerPath != "" {
		defs = loadSwagger(swaggerPath)
	}
	count := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fatalf("%v", err)
		}
		for _, doc := range splitYAML(string(b)) {
			var crd obj
			if err := yaml.Unmarshal([]byte(doc), &crd); err != nil {
				fatalf("%s: %v", f, err)
			}
			if str(crd["kind"]) != "CustomResourceDefinition" {
				continue
			}
			spec := crd["spec"].(obj)
			group := str(spec["group"])
			kind := str(spec["names"].(obj)["kind"])
			for _, rv := range spec["versions"].([]any) {
				v := rv.(obj)
				sch, ok := v["schema"].(obj)
				if !ok {
					continue
				}
				openAPI, ok := sch["openAPIV3Schema"].(obj)
				if !ok {
					continue
				}
				g := gvk{Group: group, Version: str(v["name"]), Kind: kind}
				for _, strict := range []bool{false, true} {
					c := converter{strict: strict}
					root := c.convert(deepCopy(openAPI), false).(obj)
					// openapi2jsonschema leaves the document root open unless asked otherwise.
					delete(root, "additionalProperties")
					pinKind(root, g)
					if defs != nil {
						props := root["properties"].(obj)
						props["metadata"] = obj{"$ref": refPrefix + objectMetaDef}
						root["definitions"] = closure(obj{"$ref": refPrefix + objectMetaDef}, defs, c)
					}
					dir := outDir
					if strict {
						dir += "-strict"
					}
					name := fmt.Sprintf("%s_%s.json", strings.ToLower(kind), strings.ToLower(g.Version))
					writeJSON(filepath.Join(dir, group, name), root)
					count++
				}
			}
		}
	}
	fmt.Printf("chartcheck: wrote %d CRD schema files under %s{,-strict}\n", count, outDir)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
