-- Idempotency-Key on the create requests (docs/api.md, Idempotent requests). The primary key
-- is what makes 50 concurrent retries create one asset: exactly one INSERT of (scope, key)
-- wins in PostgreSQL, whichever gateway it reaches. The winner creates the asset with the id
-- it recorded here, so a takeover after a crash reuses that id (and its workflow id) instead
-- of making a second asset.
CREATE TABLE idempotency_keys (
  -- Who used the key: a hash of the API key, never the key itself.
  scope text NOT NULL,
  key text NOT NULL,
  -- sha256 of the request kind and the normalised request: the same key with another body is refused.
  request_hash text NOT NULL,
  asset_id uuid NOT NULL,
  -- False while the first request is still creating the asset; waiting retries poll it.
  done boolean NOT NULL DEFAULT false,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

-- Keys expire after 24 h; the gateway deletes expired rows by this index.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
