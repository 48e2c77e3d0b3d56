import { describe, expect, it } from 'vitest';
import {
  afterError,
  isLegalJobInstanceTransition,
  isLegalJobTransition,
  JOB_INSTANCE_STATUS,
  JOB_STATUS,
  jobCascade,
  publishMessage,
} from '../../../src/server/domain/states.js';

const pairs = (codes: string[]) => codes.flatMap((from) => codes.map((to) => `${from}>${to}`));

describe('job state machine', () => {
  it('allows exactly the 8 legal job transitions', () => {
    const legal = pairs(Object.keys(JOB_STATUS)).filter((p) => isLegalJobTransition(p[0]!, p[2]!));
    expect(legal.sort()).toEqual(['E>F', 'E>Q', 'G>Q', 'I>E', 'I>R', 'Q>I', 'R>D', 'R>E']);
  });

  it('allows exactly the 6 legal job-instance transitions', () => {
    const legal = pairs(Object.keys(JOB_INSTANCE_STATUS)).filter((p) => isLegalJobInstanceTransition(p[0]!, p[2]!));
    expect(legal.sort()).toEqual(['B>E', 'B>R', 'I>B', 'I>R', 'R>D', 'R>E']);
  });

  it.each([
    [1, 1, 'F'],
    [1, 3, 'Q'],
    [2, 3, 'Q'],
    [3, 3, 'F'],
  ] as const)('after an error with %i of %i attempts the job goes to %s', (attempts, max, to) => {
    expect(afterError(attempts, max)).toBe(to);
  });

  it('cascades instance moves to the job', () => {
    expect(jobCascade('R')).toBe('R');
    expect(jobCascade('D')).toBe('D');
    expect(jobCascade('E')).toBe('E');
    expect(jobCascade('B')).toBeUndefined();
  });

  it('builds the publish message as Python json.dumps did', () => {
    expect(publishMessage(5, 12, 'D')).toBe('5 [12, "D"]');
    expect(publishMessage(5, 12, 'F')).toBe('5 [12, "F"]');
    expect(publishMessage(5, 12, 'Q')).toBe('');
  });
});
