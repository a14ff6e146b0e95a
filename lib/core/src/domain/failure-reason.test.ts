import { describe, expect, it } from 'vitest';
import { ffmpegNetworkFailure, sanitiseFailureReason } from './failure-reason.js';

const roots = ['/srv/framesmith/storage'];

describe('sanitiseFailureReason', () => {
  it('keeps the status code of an HTTP failure, not the server reason phrase or the body', () => {
    const tail = 'the source cannot be decoded: [http @ 0x55d1c0a3e2c0] HTTP error 401 Internal-Admin-Realm v2.3 (token expired for svc-billing)';
    expect(sanitiseFailureReason(tail)).toBe('the source cannot be decoded: the source answered HTTP 401');
    expect(sanitiseFailureReason('the source could not be read: http://10.0.0.5:8500/v1/kv/x.mp4: Server returned 401 Unauthorized (authorization failed)')).toBe(
      'the source could not be read: the source answered HTTP 401',
    );
    expect(sanitiseFailureReason('x (Server returned 4XX Client Error, but not one of 40{0,1,3,4})')).toBe('x (the source answered HTTP 4xx)');
  });

  it('shows storage paths relative to the root and no other absolute path', () => {
    expect(sanitiseFailureReason('/srv/framesmith/storage/events/final/vod.mp4: Invalid data found when processing input', { roots })).toBe(
      'events/final/vod.mp4: Invalid data found when processing input',
    );
    expect(sanitiseFailureReason("Error opening '/tmp/framesmith-live-Ab12/window.m3u8' and file:/home/ops/.data/scratch/x.gif", { roots })).toBe(
      "Error opening 'window.m3u8' and x.gif",
    );
    expect(sanitiseFailureReason('ENOENT: no such file or directory, open /var/lib/framesmith/storage/a.mp4')).toBe('ENOENT: no such file or directory, open a.mp4');
  });

  it('keeps URLs but drops their credentials, query and fragment', () => {
    expect(sanitiseFailureReason('the playlist https://user:pw@s3.example.com/b/live.m3u8?X-Amz-Signature=abc&X-Amz-Credential=k#f answered HTTP 403')).toBe(
      'the playlist https://s3.example.com/b/live.m3u8 answered HTTP 403',
    );
    expect(sanitiseFailureReason('the playlist http://127.0.0.1:8080/a/b.m3u8 is gone')).toBe('the playlist http://127.0.0.1:8080/a/b.m3u8 is gone');
    expect(sanitiseFailureReason("points to http://203.0.113.7, not the playlist's origin http://127.0.0.1:80)")).toBe("points to http://203.0.113.7, not the playlist's origin http://127.0.0.1:80)");
  });

  it('drops ffmpeg context prefixes and control characters, and caps the length', () => {
    expect(sanitiseFailureReason('[hls @ 0x5611aa] Failed to open segment 3\u0007\nof playlist 0')).toBe('Failed to open segment 3 of playlist 0');
    expect(sanitiseFailureReason('x'.repeat(5000))).toHaveLength(1000);
  });
});

describe('ffmpegNetworkFailure', () => {
  it.each([
    ['http://h/x: Server returned 404 Not Found', 'the source answered HTTP 404', false],
    ['http://h/x: Server returned 5XX Server Error reply', 'the source answered HTTP 5xx', true],
    ['[http @ 0x1] HTTP error 503 Slow Down', 'the source answered HTTP 503', true],
    ['http://h:1/x: Connection refused', 'the source could not be read: connection refused', true],
    ['Connection to tcp://h:1 failed: Connection timed out', 'the source could not be read: connection timed out', true],
    ['http://h/x: End of file', 'the source could not be read: the connection closed early', true],
    ['Failed to resolve hostname nope.invalid: Name or service not known', 'the source could not be read: the host name does not resolve', false],
  ])('%s', (text, message, transient) => {
    expect(ffmpegNetworkFailure(text)).toEqual({ message, transient });
  });

  it('is null for a decoding failure', () => {
    expect(ffmpegNetworkFailure('moov atom not found')).toBeNull();
  });
});
