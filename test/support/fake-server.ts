/**
 * Tiny HTTP(S) servers on 127.0.0.1 for tests that need something that is not the emulator: a
 * web site that is not Rocket.Chat, a server echoing request headers, a TLS front for the emulator.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FakeServer {
  url: string;
  requests: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function listen(server: http.Server | https.Server, scheme: 'http' | 'https', requests: FakeServer['requests']): Promise<FakeServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function fakeServer(handler: Handler): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  return listen(server, 'http', requests);
}

export function fakeHttpsServer(tls: { key: string; cert: string }, handler: Handler): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  return listen(server, 'https', requests);
}

/** Forwards every request to `target` (e.g. the emulator), headers included. */
export function proxyTo(target: string): Handler {
  return (req, res) => {
    const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
}

export const send =
  (status: number, body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }): Handler =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };

/** Whether `openssl` can be run; the TLS tests skip without it. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate (EC P-256) for `names` (DNS names or IPs), written to `dir`. */
export function selfSignedCert(dir: string, names: readonly string[]): { keyPath: string; certPath: string } {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath,
      '-days', '1', '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`],
    { stdio: 'ignore' },
  );
  if (!existsSync(certPath)) throw new Error('openssl did not write the certificate');
  return { keyPath, certPath };
}
