import { describe, expect, it } from 'vitest';
import { closedWorkflowOutcome } from './reconcile-orphans.js';

const failed = (message: string) => Object.assign(new Error('Workflow execution failed'), { cause: new Error(message) });

describe('closedWorkflowOutcome', () => {
  it('applies each closed status to the asset', () => {
    expect(closedWorkflowOutcome('COMPLETED', { state: 'COMPLETED', path: 'a.jpg' })).toEqual({ state: 'COMPLETED' });
    expect(closedWorkflowOutcome('FAILED', failed('the source could not be read'))).toEqual({ state: 'FAILED', reason: 'the source could not be read' });
    expect(closedWorkflowOutcome('CANCELLED', failed('cancelled'))).toEqual({ state: 'FAILED', reason: 'the job was cancelled' });
    expect(closedWorkflowOutcome('TERMINATED', failed('operator cleanup'))).toEqual({ state: 'FAILED', reason: 'the job was terminated (operator cleanup)' });
    expect(closedWorkflowOutcome('TIMED_OUT', failed('timed out'))).toEqual({ state: 'FAILED', reason: 'the job timed out' });
  });

  it('leaves running and continued workflows alone', () => {
    expect(closedWorkflowOutcome('RUNNING', undefined)).toBeNull();
    expect(closedWorkflowOutcome('CONTINUED_AS_NEW', undefined)).toBeNull();
  });
});
