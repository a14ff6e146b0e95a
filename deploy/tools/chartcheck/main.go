// chartcheck: helpers for deploy/validate.sh.
//
//	chartcheck openapi -swagger swagger.json -out DIR -k8s-version v1.34.4
//	chartcheck crd -out DIR [-swagger swagger.json] crd.yaml...
//	chartcheck keda [-expect N] rendered.yaml
//
// The first two produce JSON schemas for kubeconform from sources that the Go module proxy
// serves (no download from GitHub at run time). The third checks the rendered chart: every
// KEDA ScaledObject must scale on the task queue that its target Deployment polls.
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
)

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "chartcheck: "+format+"\n", args...)
	os.Exit(1)
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

func splitYAML(s string) []string {
	var out []string
	for _, d := range docSeparator.Split(s, -1) {
		if strings.TrimSpace(stripComments(d)) != "" {
			out = append(out, d)
		}
	}
	return out
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func main() {
	if len(os.Args) < 2 {
		fatalf("usage: chartcheck openapi|crd|keda ...")
	}
	switch os.Args[1] {
	case "openapi":
		fs := flag.NewFlagSet("openapi", flag.ExitOnError)
		swagger := fs.String("swagger", "", "Kubernetes OpenAPI v2 document (swagger.json)")
		out := fs.String("out", "", "output folder")
		version := fs.String("k8s-version", "", "Kubernetes version, e.g. v1.34.4")
		_ = fs.Parse(os.Args[2:])
		if *swagger == "" || *out == "" || *version == "" {
			fatalf("openapi needs -swagger, -out and -k8s-version")
		}
		cmdOpenAPI(*swagger, *out, *version)
	case "crd":
		fs := flag.NewFlagSet("crd", flag.ExitOnError)
		out := fs.String("out", "", "output folder")
		swagger := fs.String("swagger", "", "optional Kubernetes swagger.json, to check metadata as ObjectMeta")
		_ = fs.Parse(os.Args[2:])
		if *out == "" || fs.NArg() == 0 {
			fatalf("crd needs -out and at least one CRD file")
		}
		cmdCRD(fs.Args(), *out, *swagger)
	case "keda":
		fs := flag.NewFlagSet("keda", flag.ExitOnError)
		expect := fs.Int("expect", -1, "number of ScaledObjects expected (-1: any)")
		_ = fs.Parse(os.Args[2:])
		if fs.NArg() != 1 {
			fatalf("keda needs exactly one rendered manifest file")
		}
		if err := cmdKeda(fs.Arg(0), *expect); err != nil {
			fatalf("%v", err)
		}
	default:
		fatalf("unknown command %q", os.Args[1])
	}
}
