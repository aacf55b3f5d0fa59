import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Verdict } from '../src/classify.js';
import { attemptNumber, budgetWaitTooLong, decide, FIRST_ATTEMPT, MAX_CONSECUTIVE_429, seconds, type AttemptState, type Decision, type RetryPolicy } from '../src/retry-policy.js';

const POLICY: RetryPolicy = { maxRetries: 3, maxRateLimitWaitMs: 900_000, backoff: { baseMs: 1000, maxMs: 60_000 }, random: () => 0.5 };
const EX = { request: 'GET /api/v1/users.list?count=100', endpoint: 'https://chat.example.com' };
const state = (retries: number, rateLimitWaits = 0, rateLimitedInARow = 0): AttemptState => ({ retries, rateLimitWaits, rateLimitedInARow });

const serverError: Verdict = { kind: 'retry', reason: 'answered 500 (Internal server error)' };
const retryAfter = (waitMs: number): Verdict => ({ kind: 'retry', reason: 'answered 503 (busy)', waitMs, waitSource: 'Retry-After' });
const tooMany = (waitMs: number): Verdict => ({ kind: 'rate-limited', reason: 'answered 429 (slow down)', waitMs, waitSource: 'X-RateLimit-Reset' });
const tooLongMessage = (wait: string, source: string) =>
  `GET /api/v1/users.list?count=100 on https://chat.example.com is rate limited for ${wait} (per ${source}), longer than max_rate_limit_wait (900 s): ` +
  'raise max_rate_limit_wait, or use a bot or admin token, which Rocket.Chat does not rate limit';

describe('decide', () => {
  const cases: Array<[string, Verdict, AttemptState, Decision]> = [
    ['ok passes the body on', { kind: 'ok', body: { users: [] } }, FIRST_ATTEMPT, { kind: 'ok', outcome: 'ok', body: { users: [] } }],
    [
      'fatal gives up at once, counting every attempt',
      { kind: 'fatal', message: 'credentials rejected' }, state(1, 2),
      { kind: 'give-up', outcome: 'fatal', message: 'credentials rejected', attempts: 4, rateLimitWait: false },
    ],
    [
      'a first transient failure waits half the first backoff step (random 0.5)',
      serverError, FIRST_ATTEMPT,
      {
        kind: 'wait', outcome: 'retry', waitMs: 500, next: state(1),
        warning: 'GET /api/v1/users.list?count=100 on https://chat.example.com attempt 1 of 4 failed: answered 500 (Internal server error); retrying in 0.5 s',
      },
    ],
    [
      'the third doubles twice, and ends a run of 429s',
      serverError, state(2, 5, 3),
      {
        kind: 'wait', outcome: 'retry', waitMs: 2000, next: state(3, 5, 0),
        warning: 'GET /api/v1/users.list?count=100 on https://chat.example.com attempt 3 of 4 failed: answered 500 (Internal server error); retrying in 2 s',
      },
    ],
    [
      "the server's Retry-After, without jitter",
      retryAfter(7000), state(1),
      {
        kind: 'wait', outcome: 'retry', waitMs: 7000, next: state(2),
        warning: 'GET /api/v1/users.list?count=100 on https://chat.example.com attempt 2 of 4 failed: answered 503 (busy); retrying in 7 s',
      },
    ],
    [
      'a Retry-After past max_rate_limit_wait',
      retryAfter(1_000_000), FIRST_ATTEMPT,
      { kind: 'give-up', outcome: 'retry', message: tooLongMessage('1000 s', 'Retry-After'), attempts: 1, rateLimitWait: true },
    ],
    [
      'the retry budget spent',
      serverError, state(3),
      { kind: 'give-up', outcome: 'fatal', message: 'GET /api/v1/users.list?count=100 failed after 4 attempts: answered 500 (Internal server error)', attempts: 4, rateLimitWait: false },
    ],
    [
      'the retry budget spent, with 429 waits on the way',
      serverError, state(3, 1),
      {
        kind: 'give-up', outcome: 'fatal', attempts: 5, rateLimitWait: false,
        message: 'GET /api/v1/users.list?count=100 failed after 4 attempts (and 1 rate-limit wait): answered 500 (Internal server error)',
      },
    ],
    [
      'a 429 waits without spending retries, even with none left',
      tooMany(41_650), state(3, 2, 2),
      {
        kind: 'wait', outcome: 'rate-limited', waitMs: 41_650, next: state(3, 3, 3),
        warning: 'GET /api/v1/users.list?count=100 on https://chat.example.com was rate limited (attempt 6): waiting 41.6 s per X-RateLimit-Reset',
      },
    ],
    [
      'a 429 wait past max_rate_limit_wait',
      tooMany(1_200_000), FIRST_ATTEMPT,
      { kind: 'give-up', outcome: 'rate-limited', message: tooLongMessage('1200 s', 'X-RateLimit-Reset'), attempts: 1, rateLimitWait: true },
    ],
    [
      `the ${MAX_CONSECUTIVE_429 + 1}th 429 in a row`,
      tooMany(1000), state(0, MAX_CONSECUTIVE_429, MAX_CONSECUTIVE_429),
      {
        kind: 'give-up', outcome: 'rate-limited', attempts: MAX_CONSECUTIVE_429 + 1, rateLimitWait: false,
        message: `GET /api/v1/users.list?count=100 on https://chat.example.com still rate limited after ${MAX_CONSECUTIVE_429} waits: answered 429 (slow down)`,
      },
    ],
  ];
  for (const [name, verdict, before, expected] of cases) {
    it(name, () => assert.deepEqual(decide(verdict, before, POLICY, EX), expected));
  }

  it('max_retries 0 gives up on the first transient failure', () =>
    assert.deepEqual(decide(serverError, FIRST_ATTEMPT, { ...POLICY, maxRetries: 0 }, EX), {
      kind: 'give-up', outcome: 'fatal', message: 'GET /api/v1/users.list?count=100 failed after 1 attempt: answered 500 (Internal server error)', attempts: 1, rateLimitWait: false,
    }));
});

describe('budgetWaitTooLong', () => {
  it('counts only the attempts already made', () =>
    assert.deepEqual(budgetWaitTooLong(3_600_000, state(1, 1), POLICY, EX), {
      kind: 'give-up', outcome: 'rate-limited', message: tooLongMessage('3600 s', 'X-RateLimit-Reset'), attempts: 2, rateLimitWait: true,
    }));
});

describe('attemptNumber and seconds', () => {
  const attempts: Array<[AttemptState, number]> = [[FIRST_ATTEMPT, 1], [state(2), 3], [state(1, 4, 4), 6]];
  for (const [s, n] of attempts) it(`attempt ${n}`, () => assert.equal(attemptNumber(s), n));
  const shown: Array<[number, string]> = [[500, '0.5 s'], [60_000, '60 s'], [41_650, '41.6 s'], [10_250, '10.3 s']];
  for (const [ms, text] of shown) it(text, () => assert.equal(seconds(ms), text));
});
