// The two ways a media source fails, told apart because only one is worth a retry. Their own
// file: the source openers (open-source.ts, remote-source.ts, live-playlist.ts) all throw them.

/** A source that cannot be used: bad media, unsafe playlist, missing file. Never worth a retry. */
export class SourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
  }
}

/** The origin could not be reached (network error, 5xx): worth a retry, unlike SourceError. */
export class SourceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceUnavailableError';
  }
}
