package main

// The consistency check between KEDA ScaledObjects and the Deployments they scale.
// Each ScaledObject rendered by the chart carries the annotation
// framesmith.io/task-queue-env: the name of the environment variable (TASK_QUEUE_CPU or
// TASK_QUEUE_GPU) through which its target Deployment learns which task queue to poll.
// The variable is resolved the way the kubelet does it (env over envFrom; ConfigMaps looked
// up among the rendered objects) and must equal the temporal trigger's taskQueue.

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

const queueEnvAnnotation = "framesmith.io/task-queue-env"

type manifests struct {
	configMaps   map[string]obj
	deployments  map[string]obj
	scaledObject []obj
}

func loadManifests(path string) (*manifests, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := &manifests{configMaps: map[string]obj{}, deployments: map[string]obj{}}
	for _, doc := range splitYAML(string(b)) {
		var o obj
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if o == nil {
			continue
		}
		name := str(dig(o, "metadata", "name"))
		switch str(o["kind"]) {
		case "ConfigMap":
			m.configMaps[name] = o
		case "Deployment":
			m.deployments[name] = o
		case "ScaledObject":
			m.scaledObject = append(m.scaledObject, o)
		}
	}
	return m, nil
}

func dig(o any, path ...string) any {
	for _, p := range path {
		m, ok := o.(obj)
		if !ok {
			return nil
		}
		o = m[p]
	}
	return o
}

// resolveEnv returns the value of variable name in container c, and where it came from.
func (m *manifests) resolveEnv(c obj, name string) (string, string, error) {
	for _, raw := range asList(c["env"]) {
		e := raw.(obj)
		if str(e["name"]) != name {
			continue
		}
		if v, ok := e["value"]; ok {
			return fmt.Sprint(v), "env", nil
		}
		if ref, ok := dig(e, "valueFrom", "configMapKeyRef").(obj); ok {
			cm, ok := m.configMaps[str(ref["name"])]
			if !ok {
				return "", "", fmt.Errorf("env %s refers to ConfigMap %q, which the chart does not render", name, str(ref["name"]))
			}
			v, ok := dig(cm, "data", str(ref["key"])).(string)
			if !ok {
				return "", "", fmt.Errorf("env %s refers to key %q missing from ConfigMap %q", name, str(ref["key"]), str(ref["name"]))
			}
			return v, "ConfigMap " + str(ref["name"]), nil
		}
		return "", "", fmt.Errorf("env %s is not a literal or a ConfigMap key", name)
	}
	// envFrom: a later source wins over an earlier one.
	found, from := "", ""
	for _, raw := range asList(c["envFrom"]) {
		src := raw.(obj)
		ref, ok := src["configMapRef"].(obj)
		if !ok {
			continue
		}
		prefix := str(src["prefix"])
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		cm, ok := m.configMaps[str(ref["name"])]
		if !ok {
			if b, _ := ref["optional"].(bool); b {
				continue
			}
			return "", "", fmt.Errorf("envFrom refers to ConfigMap %q, which the chart does not render", str(ref["name"]))
		}
		if v, ok := dig(cm, "data", strings.TrimPrefix(name, prefix)).(string); ok {
			found, from = v, "ConfigMap "+str(ref["name"])
		}
	}
	if from == "" {
		return "", "", fmt.Errorf("variable %s is not set in container %q", name, str(c["name"]))
	}
	return found, from, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func cmdKeda(path string, expect int) error {
	m, err := loadManifests(path)
	if err != nil {
		return err
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if expect >= 0 && len(m.scaledObject) != expect {
		fail("expected %d ScaledObjects, found %d", expect, len(m.scaledObject))
	}
	queues := map[string]string{}
	sort.Slice(m.scaledObject, func(i, j int) bool {
		return str(dig(m.scaledObject[i], "metadata", "name")) < str(dig(m.scaledObject[j], "metadata", "name"))
	})
	for _, so := range m.scaledObject {
		soName := str(dig(so, "metadata", "name"))
		envName := str(dig(so, "metadata", "annotations", queueEnvAnnotation))
		if envName == "" {
			fail("ScaledObject %s: annotation %s is missing", soName, queueEnvAnnotation)
			continue
		}
		if kind := str(dig(so, "spec", "scaleTargetRef", "kind")); kind != "" && kind != "Deployment" {
			fail("ScaledObject %s: scaleTargetRef.kind is %q, expected Deployment", soName, kind)
			continue
		}
		target := str(dig(so, "spec", "scaleTargetRef", "name"))
		dep, ok := m.deployments[target]
		if !ok {
			fail("ScaledObject %s: target Deployment %q is not rendered", soName, target)
			continue
		}
		if spec, _ := dig(dep, "spec").(obj); spec != nil && spec["replicas"] != nil {
			fail("Deployment %s sets spec.replicas although KEDA scales it (helm upgrades would fight the autoscaler)", target)
		}
		containers := asList(dig(dep, "spec", "template", "spec", "containers"))
		if len(containers) == 0 {
			fail("Deployment %s has no containers", target)
			continue
		}
		main := containers[0].(obj)
		want, from, err := m.resolveEnv(main, envName)
		if err != nil {
			fail("Deployment %s: %v", target, err)
			continue
		}
		ns, _, nsErr := m.resolveEnv(main, "TEMPORAL_NAMESPACE")
		addr, _, addrErr := m.resolveEnv(main, "TEMPORAL_ADDRESS")
		temporalTriggers := 0
		for _, raw := range asList(dig(so, "spec", "triggers")) {
			t := raw.(obj)
			if str(t["type"]) != "temporal" {
				continue
			}
			temporalTriggers++
			md, _ := t["metadata"].(obj)
			got := str(md["taskQueue"])
			if got != want {
				fail("ScaledObject %s: temporal taskQueue %q != %s=%q of Deployment %s (%s)", soName, got, envName, want, target, from)
			} else {
				fmt.Printf("ok: ScaledObject %s scales Deployment %s on taskQueue %q = %s (%s)\n", soName, target, got, envName, from)
			}
			if nsErr == nil && str(md["namespace"]) != ns {
				fail("ScaledObject %s: temporal namespace %q != TEMPORAL_NAMESPACE=%q", soName, str(md["namespace"]), ns)
			}
			if e := str(md["endpoint"]); e != "" && addrErr == nil && e != addr {
				fail("ScaledObject %s: temporal endpoint %q != TEMPORAL_ADDRESS=%q", soName, e, addr)
			}
			if e := str(md["endpointFromEnv"]); e != "" {
				if _, _, err := m.resolveEnv(main, e); err != nil {
					fail("ScaledObject %s: endpointFromEnv: %v", soName, err)
				}
			}
			if other, dup := queues[got]; dup {
				fail("ScaledObjects %s and %s scale on the same task queue %q", other, soName, got)
			}
			queues[got] = soName
		}
		if temporalTriggers == 0 {
			fail("ScaledObject %s has no trigger of type temporal", soName)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n  "))
	}
	fmt.Printf("ok: %d ScaledObject(s) consistent with their Deployments\n", len(m.scaledObject))
	return nil
}
