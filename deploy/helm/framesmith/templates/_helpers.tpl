{{/* Names ------------------------------------------------------------------------------- */}}

{{- define "framesmith.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "framesmith.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* (list $ "cpu-worker") -> <fullname>-cpu-worker */}}
{{- define "framesmith.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "framesmith.fullname" $root | trunc 50 | trimSuffix "-") (index . 1) -}}
{{- end -}}

{{- define "framesmith.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "framesmith.labels" -}}
helm.sh/chart: {{ include "framesmith.chart" . }}
app.kubernetes.io/name: {{ include "framesmith.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: framesmith
{{- end -}}

{{/* (list $ "gateway") */}}
{{- define "framesmith.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "framesmith.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "framesmith.componentLabels" -}}
{{ include "framesmith.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "framesmith.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "framesmith.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "framesmith.configMapName" -}}
{{- printf "%s-config" (include "framesmith.fullname" .) -}}
{{- end -}}

{{- define "framesmith.secretName" -}}
{{- default (printf "%s-secrets" (include "framesmith.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "framesmith.claimName" -}}
{{- default (printf "%s-storage" (include "framesmith.fullname" .)) .Values.storage.persistence.existingClaim -}}
{{- end -}}

{{/* (list $ .Values.gateway) -> registry/repository:tag or @digest */}}
{{- define "framesmith.image" -}}
{{- $root := index . 0 -}}
{{- $img := (index . 1).image -}}
{{- $registry := default $root.Values.image.registry $img.registry -}}
{{- $repo := $img.repository -}}
{{- if $registry }}{{ $repo = printf "%s/%s" (trimSuffix "/" $registry) $repo }}{{ end -}}
{{- $digest := default $root.Values.image.digest $img.digest -}}
{{- if $digest -}}
{{- printf "%s@%s" $repo $digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (toString (default $root.Chart.AppVersion (default $root.Values.image.tag $img.tag))) -}}
{{- end -}}
{{- end -}}

{{/* Drain ------------------------------------------------------------------------------- */}}

{{/* (list $ .Values.gpuWorker) -> DRAIN_GRACE_MS of that component */}}
{{- define "framesmith.drainGraceMs" -}}
{{- $root := index . 0 -}}
{{- $v := index . 1 -}}
{{- if kindIs "invalid" $v.drainGraceMs -}}
{{- $root.Values.drain.graceMs | int64 -}}
{{- else -}}
{{- $v.drainGraceMs | int64 -}}
{{- end -}}
{{- end -}}

{{/* ceil(drain grace / 1000) + margin + pre-stop sleep */}}
{{- define "framesmith.terminationGracePeriodSeconds" -}}
{{- $root := index . 0 -}}
{{- $v := index . 1 -}}
{{- $ms := include "framesmith.drainGraceMs" . | int64 -}}
{{- $preStop := 0 -}}
{{- if $v.preStopSleepSeconds }}{{ $preStop = $v.preStopSleepSeconds | int64 }}{{ end -}}
{{- add (div (add $ms 999) 1000) ($root.Values.drain.terminationMarginSeconds | int64) $preStop -}}
{{- end -}}

{{/* Environment --------------------------------------------------------------------------- */}}

{{/* DATABASE_URL for every process: see database.* in values.yaml for the order. */}}
{{- define "framesmith.databaseEnv" -}}
{{- if or .Values.secrets.existingSecret .Values.database.url }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "framesmith.secretName" . }}
      key: {{ .Values.secrets.keys.databaseUrl }}
{{- else }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "database.passwordSecret.name is required when database.url and secrets.existingSecret are empty" .Values.database.passwordSecret.name }}
      key: {{ .Values.database.passwordSecret.key }}
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:$(DATABASE_PASSWORD)@%s:%v/%s%s" .Values.database.user .Values.database.host .Values.database.port .Values.database.name (ternary (printf "?%s" .Values.database.options) "" (ne .Values.database.options "")) | quote }}
{{- end }}
{{- end -}}

{{/* map -> env list */}}
{{- define "framesmith.envMap" -}}
{{- range $k, $v := . }}
{{- if not (kindIs "invalid" $v) }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Probes: (list "http" .Values.gateway.probes) */}}
{{- define "framesmith.probes" -}}
{{- $port := index . 0 -}}
{{- $p := index . 1 -}}
{{- range $kind := list "startup" "liveness" "readiness" }}
{{- with (index $p $kind) }}
{{ $kind }}Probe:
  httpGet:
    path: {{ .path }}
    port: {{ $port }}
  periodSeconds: {{ .periodSeconds }}
  timeoutSeconds: {{ .timeoutSeconds }}
  failureThreshold: {{ .failureThreshold }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "framesmith.podAnnotations" -}}
{{- $root := index . 0 -}}
{{- $v := index . 1 -}}
{{- $port := index . 2 -}}
checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
{{- if $root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ $port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- with $v.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Scheduling block shared by every pod: (list $ .Values.x) */}}
{{- define "framesmith.scheduling" -}}
{{- $v := index . 1 -}}
{{- with $v.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Variables the chart derives from its own values; overriding them through extraEnv or a
     component's env would break what KEDA and the processes agree on. (list $ map "where") */}}
{{- define "framesmith.guardEnv" -}}
{{- $reserved := list "TEMPORAL_ADDRESS" "TEMPORAL_NAMESPACE" "TASK_QUEUE_ORCHESTRATION" "TASK_QUEUE_CPU" "TASK_QUEUE_GPU" "STORAGE_ROOT" "STORAGE_URL" "S3_ENDPOINT" "S3_REGION" "S3_FORCE_PATH_STYLE" "SCRATCH_DIR" "METRICS_PORT" "DRAIN_GRACE_MS" "DATABASE_URL" "API_KEYS" "PORT" "GRPC_PORT" -}}
{{- $where := index . 2 -}}
{{- range $k, $_ := (index . 1) }}
{{- if has $k $reserved }}
{{- fail (printf "%s: %s is set by the chart from its own values (temporal.*, storage.*, objectStorage.*, metrics.port, drain.*, database.*, secrets.*, gateway ports); set those instead" $where $k) }}
{{- end }}
{{- end }}
{{- end -}}
