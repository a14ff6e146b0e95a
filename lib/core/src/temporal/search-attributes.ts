// The namespace must know our search attributes, or every workflow start fails with
// INVALID_ARGUMENT. A fresh cluster lacks them: create them when allowed
// (TEMPORAL_REGISTER_SEARCH_ATTRIBUTES), else say exactly what is missing and the command that
// creates it. The priority levels (`matching.priorityLevels`) are server dynamic config, which
// no frontend API reveals, so they cannot be checked from here (deploy/README.md documents them).
import type { Connection } from '@temporalio/client';
import type { Config } from '../config.js';
import { callWithDeadline } from './call-with-deadline.js';
import { SEARCH_ATTRIBUTES } from './names.js';

type SaType = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES]['type'];

// temporal.api.enums.v1.IndexedValueType
const INDEXED_VALUE_TYPE: Record<SaType, number> = { Keyword: 2, Int: 3 };
const TYPE_NAME: Record<number, string> = { 1: 'Text', 2: 'Keyword', 3: 'Int', 4: 'Double', 5: 'Bool', 6: 'Datetime', 7: 'KeywordList' };

export interface SearchAttributeProblems {
  missing: { name: string; type: SaType }[];
  wrongType: { name: string; type: SaType; actual: string }[];
}

/** Pure: compares the namespace's custom attributes (name → IndexedValueType) with ours. */
export function compareSearchAttributes(existing: Record<string, number | string>): SearchAttributeProblems {
  const problems: SearchAttributeProblems = { missing: [], wrongType: [] };
  for (const { name, type } of Object.values(SEARCH_ATTRIBUTES)) {
    const actual = existing[name];
    if (actual === undefined) problems.missing.push({ name, type });
    else if (actual !== INDEXED_VALUE_TYPE[type] && actual !== `INDEXED_VALUE_TYPE_${type.toUpperCase()}`) {
      problems.wrongType.push({ name, type, actual: typeof actual === 'number' ? (TYPE_NAME[actual] ?? String(actual)) : actual });
    }
  }
  return problems;
}

/** Pure: the operator's message, with the CLI commands that fix it (one `create` per type). */
export function describeSearchAttributeProblems(p: SearchAttributeProblems, namespace: string, address: string): string | null {
  const parts: string[] = [];
  if (p.missing.length) {
    const byType = new Map<SaType, string[]>();
    for (const m of p.missing) byType.set(m.type, [...(byType.get(m.type) ?? []), m.name]);
    const commands = [...byType].map(
      ([type, names]) => `temporal operator search-attribute create --address ${address} --namespace ${namespace} ${names.map((n) => `--name ${n}`).join(' ')} --type ${type}`,
    );
    parts.push(
      `the Temporal namespace "${namespace}" lacks the search attributes ${p.missing.map((m) => `${m.name} (${m.type})`).join(', ')}; ` +
        `create them with: ${commands.join(' && ')} (or start with TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=true)`,
    );
  }
  for (const w of p.wrongType) {
    parts.push(`the search attribute ${w.name} in namespace "${namespace}" is ${w.actual}, expected ${w.type} (remove and recreate it: temporal operator search-attribute remove --name ${w.name})`);
  }
  return parts.length ? parts.join('; ') : null;
}

/**
 * Checks (and, when allowed, creates) the search attributes. Resolves to null when all is
 * well, else to the operator's message. Remembers success; a failure is checked again at most
 * every `timeouts.searchAttributeRecheckMs`, so running the printed command makes the process ready without a restart.
 */
export function createSearchAttributeCheck(connection: Connection, config: Config): () => Promise<string | null> {
  const ns = config.temporalNamespace;
  const recheckMs = config.timeouts.searchAttributeRecheckMs;
  const ms = config.timeouts.temporalCallMs;
  let ok = false;
  let last: { at: number; problem: Promise<string | null> } | null = null;

  const check = async (): Promise<string | null> => {
    const list = () => callWithDeadline(connection, ms, 'to list search attributes', () => connection.operatorService.listSearchAttributes({ namespace: ns }));
    let problems = compareSearchAttributes((await list()).customAttributes ?? {});
    if (problems.missing.length && config.temporalRegisterSearchAttributes) {
      const searchAttributes = Object.fromEntries(problems.missing.map((m) => [m.name, INDEXED_VALUE_TYPE[m.type]]));
      // Two processes may add them at once: the loser's ALREADY_EXISTS is fine, the list decides.
      await callWithDeadline(connection, ms, 'to add search attributes', () => connection.operatorService.addSearchAttributes({ namespace: ns, searchAttributes })).catch(() => undefined);
      problems = compareSearchAttributes((await list()).customAttributes ?? {});
    }
    const problem = describeSearchAttributeProblems(problems, ns, config.temporalAddress);
    ok = problem === null;
    return problem;
  };

  return async () => {
    if (ok) return null;
    if (!last || Date.now() - last.at >= recheckMs) {
      const problem = check().catch((err: unknown) => `the search attributes of namespace "${ns}" could not be checked: ${(err as Error).message}`);
      last = { at: Date.now(), problem };
    }
    return last.problem;
  };
}
