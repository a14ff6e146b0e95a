// The one logger factory: pino writing one JSON object per line (level, time, component, msg,
// the request's transaction id from the log context), or a readable single line per entry
// when LOG_FORMAT=pretty (npm start). Secrets never reach a line: every path that can hold an
// API key is censored by pino's redaction (REDACT_PATHS), whatever code logs the object.
import { pino, type DestinationStream, type Logger } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import { type LogSettings, loadLogSettings } from '../config.js';
import { currentLogContext } from './log-context.js';

/** The request headers that carry an API key or credential (REST API-KEY / X-Auth-Key, gRPC metadata). */
const SECRET_HEADERS = ['["api-key"]', '["x-auth-key"]', '.authorization', '.cookie'];

/**
 * Where an API key or credential can sit in a logged object: request headers at the top level
 * (`headers`) and on the request lines (`req.headers`, HTTP and RPC), and the configuration's
 * secrets at the top level or under `config`/`credentials`. Explicit paths only: pino's
 * redaction with a wildcard (`*.headers...`) walks every key of the object on every line,
 * about 40 µs of a 60 µs request line (measured, issue #16 B6); a new place a secret is logged
 * gets its path here.
 */
export const REDACT_PATHS = [
  ...['headers', 'req.headers'].flatMap((at) => SECRET_HEADERS.map((h) => at + h)),
  'apiKey', 'apiKeys', 'config.apiKey', 'config.apiKeys',
  'secretAccessKey', 'credentials.secretAccessKey',
  'config.contentSigning.secret', 'config.webhooks.signingSecret',
];
export const REDACTED = '[Redacted]';

/** A logger for one process (`name`: gateway, orchestrator, worker-cpu, ...). `destination` is for tests. */
export function createLogger(name: string, settings: LogSettings, destination?: DestinationStream): Logger {
  const stream =
    destination ??
    (settings.format === 'pretty'
      ? // One line per entry; the launcher prefixes the process name, and request headers are left to the JSON format.
        prettyStream({ sync: true, colorize: false, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name,req', errorLikeObjectKeys: ['err'] })
      : pino.destination({ fd: 1, sync: true }));
  return pino(
    {
      name,
      level: settings.level,
      // Level names, not numbers: `"level":"error"` is what people grep for.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      mixin: () => currentLogContext() ?? {},
    },
    stream,
  );
}

let root: Logger | null = null;
let processName = 'framesmith';

/** Names this process in every line (runMain calls it before anything logs). */
export function setProcessName(name: string): void {
  processName = name;
  root = null;
}

/** This process's logger, configured from LOG_LEVEL/LOG_FORMAT on first use. */
export function processLogger(): Logger {
  root ??= createLogger(processName, loadLogSettings());
  return root;
}
