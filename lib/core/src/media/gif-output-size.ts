// The pixel size of a GIF, decided once so that ffmpeg scales to it and gifski is told the same
// width (gifski otherwise shrinks anything above about 800x600 on its own).

export interface GifSize {
  width: number;
  height: number;
}

export interface GifSizeRequest {
  /** Requested width in pixels, or null; the gateway allows 1..limits.maxOutputDimension. */
  width: number | null;
  height: number | null;
}

/**
 * Both given: exactly that size (the picture is stretched, as asked). One given: the other
 * follows the source's aspect. None given: the source size, shrunk to `defaultMaxWidth`
 * (limits.defaultGifMaxWidth, 480 by default) when wider, never enlarged.
 *
 * The derived side is rounded to the nearest pixel the way ffmpeg's `scale=W:-1` does
 * (av_rescale, halves away from zero), not to an even number: GIF has no chroma
 * subsampling, so `-2` would only distort the aspect. Storage pixels are used, like
 * `scale` does; sources with non-square pixels keep their stored shape.
 */
export function gifOutputSize(source: GifSize, requested: GifSizeRequest, defaultMaxWidth: number): GifSize {
  const derive = (given: number, from: number, to: number) => Math.max(1, Math.round((given * to) / from));
  const { width, height } = requested;
  if (width !== null && height !== null) return { width, height };
  if (width !== null) return { width, height: derive(width, source.width, source.height) };
  if (height !== null) return { width: derive(height, source.height, source.width), height };
  if (source.width <= defaultMaxWidth) return { width: source.width, height: source.height };
  return { width: defaultMaxWidth, height: derive(defaultMaxWidth, source.width, source.height) };
}
