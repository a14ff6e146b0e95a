// A VIDEO clip's upload, begun as soon as its bytes are final, so that the checks that follow
// (the smart cut's decode of its joins, the final coverage check) run while it uploads: on S3
// the upload of a one-minute 1080p clip (42 MB) took 260-300 ms here, as long as those checks.
// Nothing is visible at the key until commit(), after every check passed (Storage.stagePut);
// a clip that fails a check, is remade or is cancelled is discarded.
import type { StagedPut, Storage, StoredFile } from '@framesmith/core/storage';

export class EarlyPublish {
  private staged: StagedPut | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly rel: string,
    private readonly file: string,
    private readonly signal: AbortSignal,
  ) {}

  /** The file's bytes are final: start publishing them (once; again only after discard()). */
  begin(): void {
    this.staged ??= this.storage.stagePut(this.rel, this.file, { signal: this.signal });
  }

  /** The file will be rewritten or is given up: drop what was staged. */
  async discard(): Promise<void> {
    const staged = this.staged;
    this.staged = null;
    await staged?.abort();
  }

  /** Every check passed: make the file visible at its key. */
  async commit(): Promise<StoredFile> {
    this.begin();
    return this.staged!.commit();
  }
}
