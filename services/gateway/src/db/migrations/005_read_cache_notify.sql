-- The read cache (services/gateway/src/service/read-cache.ts) keeps an asset only while it is
-- told of every change to what a reader sees, so 004's notifications widen: any committed
-- change to an asset row (not only the columns a watcher shows), a new row (a cached list page
-- may now be missing it), and, with the payload '*', any change to events or vuflows, which
-- move the URLs of every asset under them. Watchers woken by a change they do not show simply
-- re-read their row.
DROP TRIGGER assets_notify_update ON assets;
CREATE TRIGGER assets_notify_update AFTER UPDATE ON assets FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION framesmith_asset_notify();

-- One function for every row trigger: OLD is NULL in an INSERT trigger, NEW in a DELETE one.
CREATE OR REPLACE FUNCTION framesmith_asset_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('framesmith_asset_changed', COALESCE(NEW.id, OLD.id)::text);
  RETURN NULL;
END;
$$;
CREATE TRIGGER assets_notify_insert AFTER INSERT ON assets FOR EACH ROW
  EXECUTE FUNCTION framesmith_asset_notify();

CREATE FUNCTION framesmith_catalog_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('framesmith_asset_changed', '*');
  RETURN NULL;
END;
$$;
CREATE TRIGGER events_notify AFTER INSERT OR UPDATE OR DELETE ON events FOR EACH STATEMENT
  EXECUTE FUNCTION framesmith_catalog_notify();
CREATE TRIGGER vuflows_notify AFTER INSERT OR UPDATE OR DELETE ON vuflows FOR EACH STATEMENT
  EXECUTE FUNCTION framesmith_catalog_notify();
