// xml2js ships no types and no @types package is installed; this covers only what
// parse-nvidia-smi.ts calls.
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
