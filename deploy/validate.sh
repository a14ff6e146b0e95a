#!/usr/bin/env bash
# Validates the Helm chart in deploy/helm/framesmith, offline apart from the Go module proxy:
#   1. installs helm and kubeconform with `go install` (cached in .cache/bin);
#   2. builds JSON schemas for kubeconform from Go modules: Kubernetes' OpenAPI document
#      (k8s.io/kubernetes api/openapi-spec/swagger.json) and KEDA's CRDs
#      (github.com/kedacore/keda/v2 config/crd/bases), with deploy/tools/chartcheck
#      (cached in .cache/schemas);
#   3. for every value set in deploy/helm/framesmith/ci/*-values.yaml: helm lint --strict,
#      helm template, kubeconform -strict (every object, the KEDA ScaledObjects and
#      TriggerAuthentications included; a missing schema is an error), and chartcheck keda:
#      each ScaledObject's temporal taskQueue (and namespace, endpoint) must equal the
#      TASK_QUEUE_* (TEMPORAL_*) environment of the Deployment it scales;
#   4. self-tests: a broken manifest must fail kubeconform, a mismatched queue chartcheck,
#      the object-storage set (ci/s3-values.yaml) must render no volume claim,
#      every Dockerfile must copy every npm workspace's package.json, and images and chart
#      must run the compiled dist/main.js (no TypeScript sources in a runtime stage);
#   5. images that carry ffmpeg build the minimal one from scripts/gpu-kit.
#
# Environment: K8S_VERSION (default 1.34.4), KEDA_VERSION (v2.17.2, the first release with
# the temporal scaler), GO (go binary), FRAMESMITH_CACHE (default <repo>/.cache).
set -euo pipefail
shopt -s inherit_errexit

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="$ROOT/deploy/helm/framesmith"
CACHE="${FRAMESMITH_CACHE:-$ROOT/.cache}"
BIN="$CACHE/bin"

HELM_VERSION="v3.22.0"
KUBECONFORM_VERSION="v0.8.0"
K8S_VERSION="${K8S_VERSION:-1.34.4}"
KEDA_VERSION="${KEDA_VERSION:-v2.17.2}"

if [[ -n "${GO:-}" ]]; then :
elif command -v go >/dev/null 2>&1; then GO="$(command -v go)"
elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
else echo "validate: Go is required (https://go.dev/dl or the distribution's golang package)" >&2; exit 1
fi
# Modules come from the Go module proxy only; never fall back to cloning repositories.
export GOFLAGS="${GOFLAGS:-} -modcacherw"
GOPROXY="$("$GO" env GOPROXY)"
GOPROXY="${GOPROXY//,direct/}"; GOPROXY="${GOPROXY//|direct/}"
[[ -z "$GOPROXY" || "$GOPROXY" == direct || "$GOPROXY" == off ]] && GOPROXY=https://proxy.golang.org
export GOPROXY

started=$SECONDS
log() { printf 'validate: [+%ss] %s\n' "$((SECONDS - started))" "$*"; }

mkdir -p "$BIN"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/framesmith-validate.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# --- tools -------------------------------------------------------------------------------

# go_install NAME PACKAGE VERSION [LDFLAGS]: builds into $BIN/NAME-VERSION once, links $BIN/NAME.
go_install() {
  local name="$1" pkg="$2" version="$3" ldflags="${4:-}"
  local target="$BIN/$name-$version"
  if [[ ! -x "$target" ]]; then
    log "installing $name $version (go install $pkg@$version)"
    local gobin="$WORK/gobin-$name"
    mkdir -p "$gobin"
    (cd "$WORK" && GOBIN="$gobin" CGO_ENABLED=0 "$GO" install -trimpath -ldflags "-s -w $ldflags" "$pkg@$version")
    mv "$gobin/$name" "$target"
  fi
  ln -sfn "$name-$version" "$BIN/$name"
}

helm_minor="${K8S_VERSION#*.}"; helm_minor="${helm_minor%%.*}"
go_install helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
  "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$helm_minor"
go_install kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
HELM="$BIN/helm"
KUBECONFORM="$BIN/kubeconform"

# chartcheck is built from this repository; rebuilt whenever its sources change.
CC_SRC="$ROOT/deploy/tools/chartcheck"
cc_hash="$(cat "$CC_SRC"/go.mod "$CC_SRC"/go.sum "$CC_SRC"/*.go | sha256sum | cut -c1-12)"
CHARTCHECK="$BIN/chartcheck-$cc_hash"
if [[ ! -x "$CHARTCHECK" ]]; then
  log "building deploy/tools/chartcheck"
  (cd "$CC_SRC" && CGO_ENABLED=0 "$GO" build -trimpath -o "$CHARTCHECK" .)
fi

# --- schemas -----------------------------------------------------------------------------

# mod_dir MODULE@VERSION: the module's folder in the module cache (downloaded if needed).
mod_dir() {
  local json
  json="$(cd "$WORK" && "$GO" mod download -json "$1")"
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json"
}

SCHEMAS="$CACHE/schemas/k8s-v$K8S_VERSION-keda-$KEDA_VERSION-$cc_hash"
if [[ ! -f "$SCHEMAS/.complete" ]]; then
  log "generating schemas: Kubernetes v$K8S_VERSION (k8s.io/kubernetes), KEDA $KEDA_VERSION (github.com/kedacore/keda/v2)"
  k8s_dir="$(mod_dir "k8s.io/kubernetes@v$K8S_VERSION")"
  keda_dir="$(mod_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")"
  [[ -d "$k8s_dir" && -d "$keda_dir" ]] || { echo "validate: module download failed" >&2; exit 1; }
  swagger="$k8s_dir/api/openapi-spec/swagger.json"
  [[ -f "$swagger" ]] || { echo "validate: $swagger not found" >&2; exit 1; }
  tmp="$SCHEMAS.tmp.$$"
  rm -rf "$tmp"
  "$CHARTCHECK" openapi -swagger "$swagger" -out "$tmp" -k8s-version "v$K8S_VERSION"
  "$CHARTCHECK" crd -swagger "$swagger" -out "$tmp/crds" "$keda_dir"/config/crd/bases/keda.sh_*.yaml
  touch "$tmp/.complete"
  rm -rf "$SCHEMAS"
  mv "$tmp" "$SCHEMAS"
fi

kubeconform() {
  "$KUBECONFORM" -strict -summary -output text \
    -kubernetes-version "$K8S_VERSION" \
    -schema-location "$SCHEMAS" \
    -schema-location "$SCHEMAS/crds{{ .StrictSuffix }}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json" \
    "$@"
}

# --- value sets --------------------------------------------------------------------------

validate_set() {
  local values="$1" name out expect
  name="$(basename "$values" -values.yaml)"
  out="$WORK/$name.yaml"
  log "[$name] helm lint --strict"
  "$HELM" lint --strict --quiet --kube-version "$K8S_VERSION" -f "$values" "$CHART" >"$WORK/$name.lint" 2>&1 \
    || { cat "$WORK/$name.lint"; return 1; }
  log "[$name] helm template"
  "$HELM" template framesmith "$CHART" --namespace framesmith --kube-version "$K8S_VERSION" -f "$values" >"$out"
  log "[$name] kubeconform -strict"
  kubeconform "$out"
  # How many ScaledObjects the set renders: "# expect-scaledobjects: N" in the file (default 2).
  expect="$(sed -n 's/^# expect-scaledobjects: *\([0-9][0-9]*\).*/\1/p' "$values")"
  expect="${expect:-2}"
  log "[$name] ScaledObject taskQueue == TASK_QUEUE_* of the scaled Deployment (expect $expect)"
  "$CHARTCHECK" keda -expect "$expect" "$out"
}

passed=0 failed=0
for values in "$CHART"/ci/*-values.yaml; do
  set +e
  (set -euo pipefail; validate_set "$values")
  rc=$?
  set -e
  if [[ $rc -eq 0 ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); log "FAILED: $(basename "$values")"; fi
done

# --- self-tests --------------------------------------------------------------------------

# selftest WHAT PATTERN CMD...: CMD must fail, and its output must match PATTERN (so that it
# failed for the reason under test, not because a schema or a file was missing).
selftest() {
  local what="$1" pattern="$2"; shift 2
  set +e
  ("$@") >"$WORK/selftest.log" 2>&1
  local rc=$?
  set -e
  if [[ $rc -ne 0 ]] && grep -Eq "$pattern" "$WORK/selftest.log"; then
    log "self-test ok: $what is rejected"; passed=$((passed + 1))
  else
    cat "$WORK/selftest.log"; log "FAILED self-test: $what (exit $rc, expected a failure matching /$pattern/)"; failed=$((failed + 1))
  fi
}

cat >"$WORK/broken.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  replicas: "two"
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
        - name: c
          image: x:1
          resourcez: {}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: broken}
spec:
  scaleTargetRef: {name: broken}
  minReplicaCount: "0"
  triggers:
    - type: temporal
      metadatas: {taskQueue: q}
EOF
selftest "an invalid Deployment and ScaledObject (kubeconform)" 'Valid: 0, Invalid: 2, Errors: 0' \
  kubeconform "$WORK/broken.yaml"

if [[ -f "$WORK/default.yaml" ]]; then
  sed 's/taskQueue: "framesmith-gpu"/taskQueue: "framesmith-gpu-typo"/' "$WORK/default.yaml" >"$WORK/mismatch.yaml"
  selftest "a ScaledObject on another queue than its Deployment polls (chartcheck)" \
    'taskQueue "framesmith-gpu-typo" != TASK_QUEUE_GPU="framesmith-gpu"' \
    "$CHARTCHECK" keda -expect 2 "$WORK/mismatch.yaml"
fi

# Runs one check function (its own output explains a failure) and counts it.
run_check() {
  local rc
  set +e
  "$1"
  rc=$?
  set -e
  if [[ $rc -eq 0 ]]; then log "ok: $2"; passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# Object storage (ci/s3-values.yaml): no pod mounts a shared volume and no claim is rendered.
s3_check() {
  local out="$WORK/s3.yaml"
  [[ -f "$out" ]] || { echo "ci/s3-values.yaml was not rendered"; return 1; }
  if grep -Eq 'kind: PersistentVolumeClaim|claimName:|STORAGE_ROOT' "$out"; then echo "s3: the shared volume is still rendered"; return 1; fi
  grep -q 'STORAGE_URL: "s3://' "$out" || { echo "s3: no STORAGE_URL in the ConfigMap"; return 1; }
}
run_check s3_check "with objectStorage.url no PersistentVolumeClaim or shared mount"

# Dockerfiles: npm ci needs every workspace's package.json next to the lockfile.
dockerfile_check() {
  local ws df missing=0
  mapfile -t ws < <(sed -n '/"workspaces"/,/\]/p' "$ROOT/package.json" | grep -o '"[^"]*"' | tr -d '"' | grep -v '^workspaces$')
  for df in "$ROOT"/deploy/docker/*.Dockerfile; do
    for w in "${ws[@]}"; do
      if ! grep -Eq "^COPY .*\b$w/package.json\b" "$df"; then
        echo "$(basename "$df"): does not copy $w/package.json (npm ci would fail)"; missing=1
      fi
    done
  done
  return $missing
}
run_check dockerfile_check "Dockerfiles copy every workspace package.json"

# Images with ffmpeg use Framesmith's minimal build (scripts/gpu-kit), never a distribution's.
ffmpeg_image_check() {
  local df bad=0
  for df in "$ROOT"/deploy/docker/*.Dockerfile; do
    if grep -Eq 'apt-get install.*\bffmpeg\b' "$df"; then echo "$(basename "$df"): installs a distribution ffmpeg"; bad=1; fi
    if grep -q 'ffmpeg\|ffprobe' "$df" && ! grep -q 'bash /src/build-ffmpeg.sh' "$df"; then
      echo "$(basename "$df"): uses ffmpeg without building it from scripts/gpu-kit"; bad=1
    fi
  done
  return $bad
}
run_check ffmpeg_image_check "images build the minimal ffmpeg (scripts/gpu-kit/ffmpeg-configure.txt)"

# Images run compiled JavaScript: CMD and the chart's args start dist/main.js with the condition
# that resolves the workspace packages to dist/, and no runtime stage copies TypeScript sources.
compiled_image_check() {
  local df bad=0
  for df in "$ROOT"/deploy/docker/*.Dockerfile; do
    if ! grep -Eq '^CMD \["node", "--conditions=framesmith-dist", "[a-z/-]+/dist/main\.js"\]$' "$df"; then
      echo "$(basename "$df"): CMD does not run dist/main.js with --conditions=framesmith-dist"; bad=1
    fi
    if sed -n '/^FROM .* AS runtime$/,$p' "$df" | grep -Eq '^COPY .*(/src |tsconfig)'; then
      echo "$(basename "$df"): the runtime stage copies TypeScript sources"; bad=1
    fi
  done
  if [[ -f "$WORK/default.yaml" ]]; then
    local n
    n="$(grep -Ec 'args: \["node", "--conditions=framesmith-dist", "[a-z/-]+/dist/main\.js"\]' "$WORK/default.yaml" || true)"
    [[ "$n" == 4 ]] || { echo "chart: $n of 4 Deployments run dist/main.js with --conditions=framesmith-dist"; bad=1; }
  fi
  return $bad
}
run_check compiled_image_check "images and chart run compiled dist/main.js"

log "done in $((SECONDS - started))s (helm $HELM_VERSION, kubeconform $KUBECONFORM_VERSION, Kubernetes v$K8S_VERSION, KEDA $KEDA_VERSION)"
echo "validate: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
