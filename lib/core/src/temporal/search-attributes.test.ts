import { describe, expect, it } from 'vitest';
import { compareSearchAttributes, describeSearchAttributeProblems } from './search-attributes.js';

describe('search attribute check', () => {
  it('is content with all four attributes of the right types', () => {
    const p = compareSearchAttributes({ FramesmithAssetId: 2, FramesmithEventId: 2, FramesmithAssetType: 2, FramesmithPriority: 3, Other: 1 });
    expect(describeSearchAttributeProblems(p, 'default', 'temporal:7233')).toBeNull();
  });

  it('names what is missing and gives one create command per type', () => {
    const p = compareSearchAttributes({ FramesmithEventId: 2 });
    expect(describeSearchAttributeProblems(p, 'prod', 'temporal:7233')).toBe(
      'the Temporal namespace "prod" lacks the search attributes FramesmithAssetId (Keyword), FramesmithAssetType (Keyword), FramesmithPriority (Int); create them with: ' +
        'temporal operator search-attribute create --address temporal:7233 --namespace prod --name FramesmithAssetId --name FramesmithAssetType --type Keyword && ' +
        'temporal operator search-attribute create --address temporal:7233 --namespace prod --name FramesmithPriority --type Int (or start with TEMPORAL_REGISTER_SEARCH_ATTRIBUTES=true)',
    );
  });

  it('reports a wrong type (names or numbers)', () => {
    const p = compareSearchAttributes({ FramesmithAssetId: 'INDEXED_VALUE_TYPE_KEYWORD', FramesmithEventId: 2, FramesmithAssetType: 2, FramesmithPriority: 2 });
    expect(p.wrongType).toEqual([{ name: 'FramesmithPriority', type: 'Int', actual: 'Keyword' }]);
    expect(p.missing).toEqual([]);
  });
});
