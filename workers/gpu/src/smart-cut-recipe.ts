// How a smart cut's edges are encoded so that they join the source's copied GOPs, per codec:
// the source's encoder options read from its SEI and mirrored (clip-x264.ts, clip-x265.ts),
// and the check that an encoded edge's parameter sets equal the copy's, byte for byte.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { seekCeil } from './clip/clip-args.js';
import { mirrorX264Options, parameterSetsAtArgs, parseH264Headers, sameNalUnits, sameParameterSets, withFixedFrameRate } from './clip/clip-x264.js';
import { hevcParameterSetArgs, mirrorX265Options, normaliseHevcBsf, parseHevcHeaders } from './clip/clip-x265.js';
import { findAvcC, parseAvcC } from './clip/mp4-avcc.js';
import { type EdgeEncoder, hevcMiddleBsf } from './clip/smart-cut-args.js';
import type { OpenedSource } from '@framesmith/core/media/open-source';
import { FILE_ONLY, type Runner } from './clip-runner.js';

/** How the edges are encoded and checked against the copied GOPs. */
export interface EdgeRecipe {
  encoder: EdgeEncoder;
  /** A second encoder to try for an edge that does not match with the first. */
  alternative: EdgeEncoder | null;
  /** Filter for the copied GOPs (HEVC's VUI normalisation and leading-picture drop). */
  middleBsf: string | null;
  /** Why an encoded piece cannot join the copied GOPs, or null. Runs after the middle is made. */
  mismatch: (piece: string, name: string) => Promise<string | null>;
}

export interface RecipeSource {
  src: OpenedSource;
  videoIndex: number;
}

/**
 * H.264: x264's options from the SEI of the first packet; the edges' SPS/PPS must equal the
 * source's at the first copied keyframe. Both places are read in one ffmpeg run; the edges'
 * parameter sets come from their own avcC.
 */
export async function h264Recipe(run: Runner, s: RecipeSource, middleTime: number): Promise<EdgeRecipe | string> {
  const { src, videoIndex } = s;
  const files = { first: path.join(run.scratch, 'sets-first.h264'), middle: path.join(run.scratch, 'sets-middle.h264') };
  await run.bytes(
    parameterSetsAtArgs({ input: src.input, inputOptions: src.inputOptions, streamIndex: videoIndex, reads: [{ at: null, output: files.first }, { at: seekCeil(middleTime), output: files.middle }] }),
  );
  const source = parseH264Headers(await readFile(files.first));
  if (source.x264 === null) return 'the source was not encoded by x264, so the edges cannot reproduce its parameter sets';
  const atMiddle = parseH264Headers(await readFile(files.middle));
  if (atMiddle.sps.length === 0) return 'the source parameter sets could not be read';
  const mirror = mirrorX264Options(source.x264, atMiddle.sps[0]!);
  if (!mirror.ok) return mirror.reason;
  return {
    encoder: { codec: 'libx264', params: mirror.params },
    alternative: { codec: 'libx264', params: withFixedFrameRate(mirror.params) },
    middleBsf: null,
    mismatch: async (file, name) => {
      const record = findAvcC(await readFile(file));
      const made = record ? parseAvcC(record) : null;
      return made && sameParameterSets(made, atMiddle) ? null : `the re-encoded ${name} has SPS/PPS different from the source's`;
    },
  };
}

export interface HevcRecipeSource extends RecipeSource {
  openGop: boolean;
  /** The copied GOPs' file, whose parameter sets (after the middle filter) the edges must match. */
  middleFile: string;
}

/**
 * HEVC: x265's options from the SEI; the copied GOPs pass through the VUI normalisation (and
 * lose an open GOP's leading pictures), and the edges' VPS/SPS/PPS must equal the copy's.
 */
export async function hevcRecipe(run: Runner, s: HevcRecipeSource): Promise<EdgeRecipe | string> {
  const { src, videoIndex } = s;
  const source = parseHevcHeaders(await run.bytes(hevcParameterSetArgs({ input: src.input, inputOptions: src.inputOptions, streamIndex: videoIndex })));
  if (source.x265 === null) return 'the source was not encoded by x265, so the edges cannot reproduce its parameter sets';
  const mirror = mirrorX265Options(source.x265);
  if (!mirror.ok) return mirror.reason;
  const raw = (src.probe.raw as { streams?: Record<string, unknown>[] } | null)?.streams?.find((x) => x.index === videoIndex) ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const bsf = normaliseHevcBsf({ colorRange: text(raw.color_range), chromaLocation: text(raw.chroma_location) });
  const sets = async (input: string) => parseHevcHeaders(await run.bytes(hevcParameterSetArgs({ input, inputOptions: FILE_ONLY, streamIndex: 0 }))).parameterSets;
  let copied: Promise<Buffer[]> | null = null;
  return {
    encoder: { codec: 'libx265', params: mirror.params, bsf },
    alternative: null,
    middleBsf: hevcMiddleBsf(bsf, s.openGop),
    mismatch: async (file, name) => {
      // One read of the copy for both edges, which are checked side by side.
      copied ??= sets(s.middleFile);
      const [made, copy] = await Promise.all([sets(file), copied]);
      return sameNalUnits(made, copy) ? null : `the re-encoded ${name} has VPS/SPS/PPS different from the source's`;
    },
  };
}
