// Neither package ships types and no @types package is installed; these cover only what
// gpu-capabilities.ts calls.
declare module 'node-nvidia-smi' {
  /** Runs `nvidia-smi -q -x` and hands back the XML parsed by xml2js ({explicitArray: false, trim: true}). */
  function nvidiaSmi(callback: (err: unknown, data?: unknown) => void): void;
  export default nvidiaSmi;
}

declare module 'xml2js' {
  export interface ParserOptions {
    explicitArray?: boolean;
    trim?: boolean;
    explicitRoot?: boolean;
    mergeAttrs?: boolean;
  }
  export function parseStringPromise(xml: string, options?: ParserOptions): Promise<unknown>;
  const xml2js: { parseStringPromise: typeof parseStringPromise };
  export default xml2js;
}
