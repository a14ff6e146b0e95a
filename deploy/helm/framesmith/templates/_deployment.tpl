{{/*
One Deployment of a Framesmith process. Called with a dict:
  root       $
  component  gateway | orchestrator | cpu-worker | gpu-worker
  values     the component's values
  entrypoint the compiled entry point (dist/main.js), run with `node --conditions=framesmith-dist`
             so the workspace packages resolve to their compiled dist/ (see the Dockerfiles)
  ports      list of {name, containerPort}
  probePort  name of the port serving /healthz /readyz /metrics
  probePortNumber  its number (for prometheus.io/port)
  env        extra env entries (YAML list as a string)
  storage    mount the shared RWX volume at STORAGE_ROOT (objectStorage.url unset), else
             private scratch at SCRATCH_DIR and the S3 credentials
  scaled     KEDA owns the replica count (spec.replicas omitted)
  gpu        request GPUs
  apiKeys    inject API_KEYS
  database   inject DATABASE_URL (gateway, orchestrator; the workers never touch PostgreSQL)
  scrape     label the pods for the headless metrics Service
*/}}
{{- define "framesmith.deployment" -}}
{{- $root := .root -}}
{{- $v := .values -}}
{{- $name := include "framesmith.componentName" (list $root .component) -}}
{{- $os := $root.Values.objectStorage -}}
{{- $shared := and .storage (not $os.url) -}}
{{- $scratch := and .storage $os.url -}}
{{- include "framesmith.guardEnv" (list $root $v.env (printf "%s env" .component)) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "framesmith.componentLabels" (list $root .component) | nindent 4 }}
spec:
  {{- if not .scaled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "framesmith.selectorLabels" (list $root .component) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "framesmith.selectorLabels" (list $root .component) | nindent 8 }}
        app.kubernetes.io/part-of: framesmith
        {{- if .scrape }}
        framesmith.io/scrape: "true"
        {{- end }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- include "framesmith.podAnnotations" (list $root $v .probePortNumber) | nindent 8 }}
    spec:
      serviceAccountName: {{ include "framesmith.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $root.Values.serviceAccount.automountServiceAccountToken }}
      enableServiceLinks: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if and .gpu $v.runtimeClassName }}
      runtimeClassName: {{ $v.runtimeClassName }}
      {{- end }}
      terminationGracePeriodSeconds: {{ include "framesmith.terminationGracePeriodSeconds" (list $root $v) }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- with (include "framesmith.scheduling" (list $root $v) | trim) }}
      {{- . | nindent 6 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "framesmith.image" (list $root $v) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: ["node", "--conditions=framesmith-dist", {{ .entrypoint | quote }}]
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          ports:
            {{- range .ports }}
            - name: {{ .name }}
              containerPort: {{ .containerPort }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "framesmith.configMapName" $root }}
          env:
            - name: DRAIN_GRACE_MS
              value: {{ include "framesmith.drainGraceMs" (list $root $v) | quote }}
            {{- if .database }}
            {{- include "framesmith.databaseEnv" $root | trim | nindent 12 }}
            {{- end }}
            {{- if .apiKeys }}
            - name: API_KEYS
              valueFrom:
                secretKeyRef:
                  name: {{ include "framesmith.secretName" $root }}
                  key: {{ $root.Values.secrets.keys.apiKeys }}
            {{- end }}
            {{- if and $scratch $os.credentials.existingSecret }}
            - name: AWS_ACCESS_KEY_ID
              valueFrom:
                secretKeyRef:
                  name: {{ $os.credentials.existingSecret }}
                  key: {{ $os.credentials.accessKeyIdKey }}
            - name: AWS_SECRET_ACCESS_KEY
              valueFrom:
                secretKeyRef:
                  name: {{ $os.credentials.existingSecret }}
                  key: {{ $os.credentials.secretAccessKeyKey }}
            {{- end }}
            {{- with .env }}
            {{- . | trim | nindent 12 }}
            {{- end }}
            {{- with (include "framesmith.envMap" $v.env | trim) }}
            {{- . | nindent 12 }}
            {{- end }}
          {{- with (include "framesmith.probes" (list .probePort $v.probes) | trim) }}
          {{- . | nindent 10 }}
          {{- end }}
          {{- if $v.preStopSleepSeconds }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", {{ $v.preStopSleepSeconds | toString | quote }}]
          {{- end }}
          resources:
            {{- $res := deepCopy (default dict $v.resources) }}
            {{- if .gpu }}
            {{- $limits := default dict $res.limits }}
            {{- $_ := set $limits $v.gpu.resourceName ($v.gpu.count | int) }}
            {{- $_ := set $res "limits" $limits }}
            {{- end }}
            {{- toYaml $res | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $v.shmSizeLimit }}
            - name: shm
              mountPath: /dev/shm
            {{- end }}
            {{- if $shared }}
            - name: storage
              mountPath: {{ $root.Values.storage.mountPath }}
            {{- end }}
            {{- if $scratch }}
            - name: scratch
              mountPath: {{ $os.scratch.mountPath }}
            {{- end }}
      volumes:
        - name: tmp
          {{- if $v.tmpSizeLimit }}
          emptyDir:
            sizeLimit: {{ $v.tmpSizeLimit }}
          {{- else }}
          emptyDir: {}
          {{- end }}
        {{- if $v.shmSizeLimit }}
        - name: shm
          emptyDir:
            medium: Memory
            sizeLimit: {{ $v.shmSizeLimit }}
        {{- end }}
        {{- if $shared }}
        - name: storage
          persistentVolumeClaim:
            claimName: {{ include "framesmith.claimName" $root }}
        {{- end }}
        {{- if $scratch }}
        - name: scratch
          emptyDir:
            sizeLimit: {{ default $os.scratch.sizeLimit $v.scratchSizeLimit }}
        {{- end }}
{{- end -}}
