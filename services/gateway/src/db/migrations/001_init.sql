CREATE TABLE vuflows (
  id                 uuid PRIMARY KEY,
  name               text NOT NULL,
  configuration_json jsonb NOT NULL,
  is_default         boolean NOT NULL DEFAULT false,
  date_created       timestamptz NOT NULL DEFAULT now()
);
-- At most one default vuflow; it is (re)written from configuration at start-up.
CREATE UNIQUE INDEX vuflows_one_default ON vuflows (is_default) WHERE is_default;

CREATE TABLE events (
  id            uuid PRIMARY KEY,
  title         text NOT NULL,
  content_id    text NOT NULL,
  ref_id        text,
  external_id   text,
  vuflow_id     uuid REFERENCES vuflows (id),
  vod_file      text,
  source_url    text,
  last_sync     jsonb,
  date_created  timestamptz NOT NULL DEFAULT now(),
  date_modified timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assets (
  id             uuid PRIMARY KEY,
  event_id       uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  name           text NOT NULL,
  path           text NOT NULL,
  extension      text NOT NULL,
  state          smallint NOT NULL CHECK (state IN (0, 1, 2)),
  type           smallint NOT NULL CHECK (type IN (0, 1, 2, 3)),
  job_id         text,
  content_id     text NOT NULL,
  priority       smallint NOT NULL DEFAULT 5,
  request        jsonb,
  failure_reason text,
  progress       real,
  date_created   timestamptz NOT NULL DEFAULT clock_timestamp(),
  date_modified  timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- One asset per file: name clashes get a numeric suffix instead of an overwrite.
CREATE UNIQUE INDEX assets_path_unique ON assets (path);
CREATE INDEX assets_event ON assets (event_id, date_created, id);
CREATE INDEX assets_list_order ON assets (date_created, id);
CREATE INDEX assets_job ON assets (job_id);
CREATE INDEX assets_generating ON assets (date_created) WHERE state = 0;
