import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { RocketChatClient } from '../src/client.js';
import type { ClientOptions, ResponseEvent } from '../src/client-options.js';
import { createFakeClock, type FakeClock } from './support/fake-clock.js';
import { HttpError, RateLimitWaitError } from '../src/errors.js';
import { setLogSink } from '../src/log.js';

const TOKEN = 'tok-Zx9Qw8Er7Ty6Ui5Op4';
const USER_ID = 'aobEdbYhXfu5hkeqG';
const USERS = '/api/v1/users.list';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
/** A handler built at request time from the fake clock (e.g. X-RateLimit-Reset = now + 41.4 s). */
type Step = Handler | { withClock: (clock: FakeClock) => Handler };

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
const ok = json(200, { users: [{ _id: 'u1' }], count: 1, offset: 0, total: 1, success: true });
const serverError = json(500, { success: false, error: 'Internal server error' });
const resetSocket: Handler = (req) => req.socket.destroy();
const stall: Handler = () => undefined;

interface Setup {
  client: RocketChatClient;
  clock: FakeClock;
  endpoint: string;
  events: ResponseEvent[];
  requests: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
  connections: () => number;
  /** Stops the server: later connections are refused. */
  stop: () => Promise<void>;
}

/** A scripted server on 127.0.0.1:0: each request takes the next handler. */
async function withServer(
  script: Step[],
  body: (s: Setup) => Promise<void>,
  options: Partial<ClientOptions> = {},
): Promise<void> {
  const clock = createFakeClock();
  const requests: Setup['requests'] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const step = script.shift() ?? json(599, { error: 'script exhausted' });
    (typeof step === 'function' ? step : step.withClock(clock))(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const events: ResponseEvent[] = [];
  const client = new RocketChatClient({
    endpoint,
    userId: USER_ID,
    token: TOKEN,
    timeoutMs: 2_000,
    maxRetries: 3,
    maxInFlight: 2,
    maxRateLimitWaitMs: 900_000,
    clock,
    random: () => 0.5,
    onResponse: (e) => events.push(e),
    ...options,
  });
  try {
    const stop = async (): Promise<void> => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    };
    await body({ client, clock, endpoint, events, requests, connections: () => connections, stop });
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function failure(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof HttpError, `expected an HttpError, got ${inspect(err)}`);
    thrown.push(err);
    return err;
  }
  assert.fail('expected a rejection');
}

const logLines: string[] = [];
const thrown: unknown[] = [];
before(() => setLogSink((line) => logLines.push(line)));
after(() => setLogSink((line) => process.stderr.write(line)));

describe('RocketChatClient: success', () => {
  it('sends auth, Accept and User-Agent headers and the query, and returns the body', async () => {
    await withServer([ok], async ({ client, requests, events }) => {
      const body = await client.get(USERS, { count: 100, offset: 0, sort: '{"_id":1}', skip: undefined }, { expect: { recordsKey: 'users' } });
      assert.deepEqual(body.users, [{ _id: 'u1' }]);
      const [req] = requests;
      assert.equal(req!.url, '/api/v1/users.list?count=100&offset=0&sort=%7B%22_id%22%3A1%7D');
      assert.equal(req!.headers['x-user-id'], USER_ID);
      assert.equal(req!.headers['x-auth-token'], TOKEN);
      assert.equal(req!.headers.accept, 'application/json');
      assert.match(req!.headers['user-agent'] ?? '', /^tap-rocketchat\/\d+\.\d+\.\d+/);
      assert.deepEqual(events.map((e) => [e.path, e.status, e.attempt, e.outcome]), [[USERS, 200, 1, 'ok']]);
    });
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    await withServer([ok, ok, ok], async ({ client, connections }) => {
      for (let i = 0; i < 3; i++) await client.get(USERS, {});
      assert.equal(connections(), 1);
    });
  });
});

describe('RocketChatClient: transient failures', () => {
  it('retries 500, 502, a reset and 408, then returns exactly one result', async () => {
    const script = [serverError, json(502, '<html>Bad Gateway</html>'), resetSocket, json(408, { success: false, error: 'timeout' }), ok];
    await withServer(script, async ({ client, clock, events, requests }) => {
      const body = await client.get(USERS, {}, { expect: { recordsKey: 'users' } });
      assert.equal(body.total, 1);
      assert.equal(requests.length, 5);
      assert.deepEqual(events.map((e) => [e.attempt, e.status, e.outcome]), [
        [1, 500, 'retry'], [2, 502, 'retry'], [3, undefined, 'retry'], [4, 408, 'retry'], [5, 200, 'ok'],
      ]);
      // full jitter with random() = 0.5: half of 1, 2, 4, 8 s
      assert.deepEqual(clock.sleeps, [500, 1000, 2000, 4000]);
      assert.deepEqual(client.stats(), { requests: 5, retries: 4, rateLimited: 0, byRoute: { [USERS]: { requests: 5, rateLimited: 0 } }, byStream: { [USERS]: { requests: 5, retries: 4, rateLimited: 0 } } });
    }, { maxRetries: 4 });
  });

  it('gives up after maxRetries with the last reason', async () => {
    await withServer([serverError, serverError, serverError], async ({ client, events }) => {
      const err = await failure(client.get(USERS, { count: 100 }));
      assert.equal(err.message, 'GET /api/v1/users.list?count=100 failed after 3 attempts: answered 500 (Internal server error)');
      assert.equal(err.status, 500);
      assert.equal(err.attempts, 3);
      assert.equal(events.at(-1)!.outcome, 'fatal');
    }, { maxRetries: 2 });
  });

  it('honours Retry-After on a 503 without jitter', async () => {
    await withServer([json(503, { success: false, error: 'Service Unavailable' }, { 'Retry-After': '7' }), ok], async ({ client, clock }) => {
      await client.get(USERS, {});
      assert.deepEqual(clock.sleeps, [7000]);
    });
  });

  it('retries a connection reset before the response', async () => {
    await withServer([resetSocket, resetSocket], async ({ client }) => {
      const err = await failure(client.get(USERS, {}));
      assert.match(err.message, /^GET \/api\/v1\/users.list failed after 2 attempts: connection reset before the response arrived \(ECONNRESET\)$/);
      assert.equal(err.status, undefined);
    }, { maxRetries: 1 });
  });

  it('a reset during the body is a truncated body, retried', async () => {
    const cut: Handler = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '5000' });
      res.write('{"users":[{"_id":"u1"},');
      setTimeout(() => req.socket.destroy(), 20);
    };
    await withServer([cut, ok], async ({ client, events }) => {
      await client.get(USERS, {}, { expect: { recordsKey: 'users' } });
      assert.deepEqual(events.map((e) => e.outcome), ['retry', 'ok']);
    });
    await withServer([cut], async ({ client }) => {
      const err = await failure(client.get(USERS, {}));
      assert.match(err.message, /failed after 1 attempt: response body truncated: the connection closed after 23 bytes \(ECONNRESET\)/);
    }, { maxRetries: 0 });
  });

  it('a body shorter than Content-Length is truncated', async () => {
    const short: Handler = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"success":true}');
      setTimeout(() => req.socket.end(), 20); // a clean FIN, 984 bytes short
    };
    await withServer([short], async ({ client }) => {
      const err = await failure(client.get(USERS, {}));
      assert.match(err.message, /response body truncated/);
    }, { maxRetries: 0 });
  });

  it('the timeout covers a body that stalls, and a response that never starts', async () => {
    const stallBody: Handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"users":[');
    };
    await withServer([stallBody, ok], async ({ client, events }) => {
      await client.get(USERS, {});
      assert.deepEqual(events.map((e) => e.outcome), ['retry', 'ok']);
    }, { timeoutMs: 400 });
    await withServer([stallBody, stall], async ({ client }) => {
      const err = await failure(client.get(USERS, {}));
      assert.equal(err.message, 'GET /api/v1/users.list failed after 2 attempts: timed out after 0.4 s before the response headers');
      assert.match(logLines.join(''), /timed out after 0\.4 s while reading the body \(10 bytes received\)/);
    }, { timeoutMs: 400, maxRetries: 1 });
  });

  it('a refused connection before any answer is not retried: one error naming host and port', async () => {
    const clock = createFakeClock();
    const client = new RocketChatClient({
      endpoint: 'http://127.0.0.1:1', userId: USER_ID, token: TOKEN, timeoutMs: 1000, maxRetries: 2,
      maxInFlight: 1, maxRateLimitWaitMs: 1000, clock, random: () => 0,
    });
    try {
      const before = logLines.length;
      const err = await failure(client.get(USERS, {}));
      assert.equal(err.message, 'GET /api/v1/users.list on http://127.0.0.1:1 failed: connection refused by 127.0.0.1:1 (ECONNREFUSED): is the server running, and is endpoint right?');
      assert.equal(err.attempts, 1);
      assert.deepEqual(clock.sleeps, [], 'no backoff');
      assert.deepEqual(logLines.slice(before).filter((l) => l.includes('WARNING')), [], 'no retry warning');
    } finally {
      client.close();
    }
  });

  it('a refused connection after the server has answered is retried', async () => {
    await withServer([ok], async ({ client, endpoint, clock, stop }) => {
      await client.get(USERS, {});
      const port = new URL(endpoint).port;
      await stop(); // the server goes away: later connections are refused
      const err = await failure(client.get(USERS, {}));
      assert.equal(err.message, `GET /api/v1/users.list failed after 2 attempts: connection refused by 127.0.0.1:${port} (ECONNREFUSED): is the server running, and is endpoint right?`);
      assert.equal(clock.sleeps.length, 1, 'one backoff before the one retry');
    }, { maxRetries: 1 });
  });
});

describe('RocketChatClient: 2xx bodies that are not what they claim', () => {
  it('invalid JSON on 200 is retried, then fatal', async () => {
    await withServer([json(200, '{"users":[{"_id"'), ok], async ({ client, events }) => {
      await client.get(USERS, {}, { expect: { recordsKey: 'users' } });
      assert.deepEqual(events.map((e) => e.outcome), ['retry', 'ok']);
    });
    await withServer([json(200, 'not json at all')], async ({ client, endpoint }) => {
      const err = await failure(client.get(USERS, {}));
      assert.equal(
        err.message,
        `GET /api/v1/users.list failed after 1 attempt: answered 200 but the body is not JSON (starts with "not json at all"): is ${endpoint} a Rocket.Chat server?`,
      );
    }, { maxRetries: 0 });
  });

  it('an HTML page on 200 names the endpoint', async () => {
    const html: Handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>proxy login</body></html>');
    };
    await withServer([html, html], async ({ client, endpoint }) => {
      const err = await failure(client.get(USERS, {}));
      assert.ok(err.message.includes('answered 200 but the body is not JSON (starts with "<!DOCTYPE html> <html><head>'), err.message);
      assert.ok(err.message.endsWith(`is ${endpoint} a Rocket.Chat server?`));
      assert.equal(err.attempts, 2);
    }, { maxRetries: 1 });
  });

  it('a missing records key is transient', async () => {
    await withServer([json(200, { success: true, other: [] })], async ({ client }) => {
      const err = await failure(client.get(USERS, {}, { expect: { recordsKey: 'users' } }));
      assert.match(err.message, /answered 200 but the body has no "users" array \(keys: success, other\)/);
    }, { maxRetries: 0 });
  });

  it('success: false on 200 is fatal at once, with the server error', async () => {
    await withServer([json(200, { success: false, error: 'Something broke [error-x]' })], async ({ client, requests }) => {
      const err = await failure(client.get(USERS, {}));
      assert.equal(err.message, 'GET /api/v1/users.list answered 200 with success: false: Something broke [error-x]');
      assert.equal(requests.length, 1);
    });
  });
});

describe('RocketChatClient: fatal statuses', () => {
  it('400 shows the server error and the query', async () => {
    const body = { success: false, error: 'Invalid sort parameter provided: "{name:1}" [error-invalid-sort]', errorType: 'error-invalid-sort' };
    await withServer([json(400, body)], async ({ client, requests }) => {
      const err = await failure(client.get(USERS, { sort: '{name:1}' }));
      assert.equal(err.message, 'GET /api/v1/users.list?sort={name:1} answered 400 (bad request): Invalid sort parameter provided: "{name:1}" [error-invalid-sort]');
      assert.equal(err.status, 400);
      assert.equal(requests.length, 1);
    });
  });

  it('401 says the credentials were rejected', async () => {
    const body = { success: false, error: 'You must be logged in to do this.', status: 'error', message: 'You must be logged in to do this.' };
    await withServer([json(401, body)], async ({ client, endpoint, events }) => {
      const err = await failure(client.get(USERS, { count: 1 }));
      assert.equal(err.message, `credentials rejected by ${endpoint} (401 on GET /api/v1/users.list?count=1): check user_id and token`);
      assert.deepEqual(events.map((e) => e.outcome), ['fatal']);
    });
  });

  it('403 names the stream, endpoint and permission', async () => {
    const body = { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' };
    await withServer([json(403, body)], async ({ client, endpoint }) => {
      const err = await failure(client.get(USERS, {}, { stream: 'users', permission: 'view-d-room' }));
      assert.equal(
        err.message,
        `permission denied for stream users: GET /api/v1/users.list on ${endpoint} answered 403 ` +
          '(User does not have the permissions required for this action [error-unauthorized]); the user needs the permission view-d-room',
      );
    });
  });

  it('404 suggests the endpoint is wrong', async () => {
    await withServer([json(404, { success: false, error: 'Resource not found' })], async ({ client, endpoint }) => {
      const err = await failure(client.get(USERS, {}));
      assert.equal(
        err.message,
        `GET /api/v1/users.list answered 404 (Resource not found): check that endpoint ${endpoint} is the Rocket.Chat base URL (without /api/v1) and that the server version has this route`,
      );
    });
  });

  it('a redirect is reported, not followed (it would carry X-Auth-Token elsewhere)', async () => {
    await withServer([json(301, '', { Location: 'https://chat.example.com/api/v1/users.list' })], async ({ client, requests }) => {
      const err = await failure(client.get(USERS, {}));
      assert.match(err.message, /was redirected \(301\) to https:\/\/chat.example.com\/api\/v1\/users.list: set endpoint/);
      assert.equal(requests.length, 1);
    });
  });

  it('an unexpected error (a bug, e.g. a bad URL) is not retried or wrapped', async () => {
    const client = new RocketChatClient({
      endpoint: 'not a url', userId: USER_ID, token: TOKEN, timeoutMs: 1000, maxRetries: 5,
      maxInFlight: 1, maxRateLimitWaitMs: 1000, clock: createFakeClock(),
    });
    await assert.rejects(client.get(USERS, {}), (err: Error) => err instanceof TypeError && !(err instanceof HttpError));
    assert.equal(client.stats().retries, 0);
    client.close();
  });

  it("the caller's abort is rethrown as is", async () => {
    await withServer([stall], async ({ client }) => {
      const controller = new AbortController();
      const pending = client.get(USERS, {}, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('interrupted by SIGTERM')), 30);
      await assert.rejects(pending, /^Error: interrupted by SIGTERM$/);
    });
  });
});

describe('RocketChatClient: 429', () => {
  const tooMany = { success: false, error: 'Error, too many requests. Please slow down. You must wait 42 seconds before trying this endpoint again. [error-too-many-requests]' };
  const limited = {
    withClock: (clock: FakeClock) => json(429, tooMany, { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(clock.now() + 41_400) }),
  };

  it('waits until X-RateLimit-Reset (epoch ms) + pad, without spending retries', async () => {
    await withServer([limited, limited, ok], async ({ client, clock, events }) => {
      await client.get(USERS, {});
      assert.deepEqual(clock.sleeps, [41_650, 41_650]);
      assert.deepEqual(events.map((e) => e.outcome), ['rate-limited', 'rate-limited', 'ok']);
      assert.deepEqual(client.stats(), { requests: 3, retries: 0, rateLimited: 2, byRoute: { [USERS]: { requests: 3, rateLimited: 2 } }, byStream: { [USERS]: { requests: 3, retries: 0, rateLimited: 2 } } });
      assert.match(logLines.join(''), /WARNING .*GET \/api\/v1\/users.list on http:\/\/127\.0\.0\.1:\d+ was rate limited \(attempt 2\): waiting 41\.6 s per X-RateLimit-Reset/);
    }, { maxRetries: 0 });
  });

  it('else Retry-After in seconds or as an HTTP date', async () => {
    const dated = { withClock: (clock: FakeClock) => json(429, { success: false, error: 'slow down' }, { 'Retry-After': new Date(clock.now() + 90_000).toUTCString() }) };
    await withServer([json(429, { success: false }, { 'Retry-After': '30' }), dated, ok], async ({ client, clock }) => {
      await client.get(USERS, {});
      assert.deepEqual(clock.sleeps, [30_000, 90_000]);
    });
  });

  it('else the seconds in the body, else 60 s', async () => {
    await withServer([json(429, tooMany), json(429, '<html>429 Too Many Requests</html>'), ok], async ({ client, clock }) => {
      await client.get(USERS, {});
      assert.deepEqual(clock.sleeps, [42_000, 60_000]);
    });
  });

  it('a wait longer than maxRateLimitWaitMs is a RateLimitWaitError', async () => {
    await withServer([json(429, tooMany, { 'Retry-After': '120' })], async ({ client, clock }) => {
      const err = await failure(client.get(USERS, { offset: 200 }));
      assert.ok(err instanceof RateLimitWaitError);
      assert.match(err.message, /^GET \/api\/v1\/users.list\?offset=200 on http:\/\/127\.0\.0\.1:\d+ is rate limited for 120 s \(per Retry-After\), longer than max_rate_limit_wait \(60 s\)/);
      assert.deepEqual(clock.sleeps, []);
    }, { maxRateLimitWaitMs: 60_000 });
  });

  it('the pacer waits proactively when the budget is spent, so no 429 is provoked', async () => {
    const paced = (remaining: number) => ({
      withClock: (clock: FakeClock) =>
        json(200, { users: [], success: true }, { 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': String(remaining), 'X-RateLimit-Reset': String(clock.now() + 10_000) }),
    });
    await withServer([paced(1), paced(0), paced(1)], async ({ client, clock }) => {
      for (let i = 0; i < 3; i++) await client.get(USERS, {});
      assert.deepEqual(clock.sleeps, [10_250]);
      assert.match(logLines.join(''), /rate-limit budget of \/api\/v1\/users.list on http:\S+ is spent \(2 calls per window\): waiting 10\.3 s/);
    });
  });
});

describe('RocketChatClient: the token stays secret', () => {
  it('appears in no error message, inspected error or log line', async () => {
    const echo: Handler = (req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ success: false, error: `bad token ${String(req.headers['x-auth-token'])}` }));
    };
    const script = [
      json(401, { success: false, error: 'You must be logged in to do this.' }),
      json(403, { success: false, error: 'unauthorized' }),
      serverError, serverError,
      resetSocket, resetSocket,
      json(429, { success: false }, { 'Retry-After': '9999' }),
      echo,
    ];
    await withServer(script, async ({ client, requests }) => {
      for (let i = 0; i < 6; i++) await failure(client.get(USERS, { count: 100 }, { stream: 'users', permission: 'view-d-room' })).catch(() => undefined);
      assert.equal(requests.at(-1)!.headers['x-auth-token'], TOKEN, 'the token was sent');
      const echoed = thrown.at(-1) as HttpError;
      assert.match(echoed.message, /bad token \[token\]/);
    }, { maxRetries: 1 });
    assert.ok(thrown.length > 10 && logLines.length > 5);
    for (const err of thrown) assert.ok(!inspect(err).includes(TOKEN), inspect(err));
    for (const line of logLines) assert.ok(!line.includes(TOKEN), line);
  });
});
