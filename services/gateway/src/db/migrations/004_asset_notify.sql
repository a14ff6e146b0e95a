-- WatchAsset without polling: every committed change to what a watcher shows (state, progress,
-- failure reason, or anything that moves date_modified, such as a rename) and every delete
-- NOTIFYs the asset's id on one channel. Each gateway LISTENs on one connection and wakes only
-- the streams watching that id (services/gateway/src/service/asset-changes.ts). NOTIFY is sent
-- at commit, so a woken stream always reads the committed row.
CREATE FUNCTION framesmith_asset_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('framesmith_asset_changed', OLD.id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER assets_notify_update AFTER UPDATE ON assets FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.progress IS DISTINCT FROM NEW.progress
        OR OLD.failure_reason IS DISTINCT FROM NEW.failure_reason OR OLD.date_modified IS DISTINCT FROM NEW.date_modified)
  EXECUTE FUNCTION framesmith_asset_notify();

CREATE TRIGGER assets_notify_delete AFTER DELETE ON assets FOR EACH ROW
  EXECUTE FUNCTION framesmith_asset_notify();
