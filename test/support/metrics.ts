// Reading a Prometheus scrape in tests: a sample by name and labels.

function findMetric(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

/** A sample that must be on the scrape: a renamed or dropped metric fails here instead of reading as 0. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const value = findMetric(text, name, labels);
  if (value === undefined) throw new Error(`no sample ${name}${JSON.stringify(labels)} on the scrape`);
  return value;
}

/** A labelled counter appears at its first increment, so before any such job it is absent: 0. */
export function counterBefore(text: string, name: string, labels: Record<string, string>): number {
  return findMetric(text, name, labels) ?? 0;
}

/** A process's scrape: the gateway's on its HTTP port, a worker's on its metrics port. */
export async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}
