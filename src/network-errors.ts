/**
 * What a failed exchange below HTTP becomes: a NetworkError that names the host and port, says
 * in words what went wrong, and whether trying again can help. Used by src/http.ts.
 */

export type NetworkErrorKind = 'reset' | 'timeout' | 'dns' | 'refused' | 'unreachable' | 'tls' | 'truncated' | 'other';

/** The exchange failed below HTTP. `message` never contains request headers. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly kind: NetworkErrorKind,
    /** False where trying again cannot help: unknown host, certificate problems. */
    readonly retryable: boolean,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;
/** Certificate verification failures: the only TLS errors a CA setting can fix. */
const CERT_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_TLS_CERT_)/;
/** What OpenSSL says when the other side answered a TLS hello in plain text (an http:// server). */
const NOT_TLS = /wrong version number|packet length too long|http request|unknown protocol|record layer failure/i;

/** `chat.example.com:443`: the port spelled out even when it is the default. */
function hostAndPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/** OpenSSL's reason alone: "…:SSL routines:ssl3_get_record:wrong version number:../deps/…" → "wrong version number". */
function tlsReason(detail: string): string {
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(detail)?.[1];
  return (reason ?? detail).replace(/\\n|\n/g, ' ').trim();
}

function tlsError(detail: string, code: string, target: URL): NetworkError {
  const where = hostAndPort(target);
  if (NOT_TLS.test(detail) || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return new NetworkError(`the server at ${where} does not speak TLS: is the endpoint http://${where}? (${tlsReason(detail)}; ${code})`, 'tls', false, code);
  }
  const advice = CERT_CODE.test(code) ? '; for a private CA set NODE_EXTRA_CA_CERTS' : '';
  return new NetworkError(`TLS error talking to ${where}: ${tlsReason(detail)} (${code})${advice}`, 'tls', false, code);
}

/** Maps what the socket throws; anything else (a bug) is rethrown untouched. */
export function toNetworkError(err: unknown, target: URL, stage: 'connect' | 'body', received: number): unknown {
  if (err instanceof NetworkError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  if (code === undefined) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const { hostname } = target;
  const host = hostAndPort(target);
  const tag = ` (${code})`;

  if (stage === 'body' && (RESET_CODES.has(code) || code.startsWith('Z_'))) {
    return new NetworkError(`response body truncated: the connection closed after ${received} bytes${tag}`, 'truncated', true, code);
  }
  if (RESET_CODES.has(code)) {
    return new NetworkError(`connection reset before the response arrived${tag}`, 'reset', true, code);
  }
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return new NetworkError(`connection to ${host} timed out${tag}`, 'timeout', true, code);
  }
  if (code === 'ENOTFOUND') {
    return new NetworkError(`DNS lookup failed: host ${hostname} not found${tag} (endpoint ${host}); check endpoint`, 'dns', false, code);
  }
  if (code.startsWith('EAI_')) {
    return new NetworkError(`DNS lookup of ${hostname} failed temporarily${tag}`, 'dns', true, code);
  }
  if (code === 'ECONNREFUSED') {
    return new NetworkError(`connection refused by ${host}${tag}: is the server running, and is endpoint right?`, 'refused', true, code);
  }
  if (['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN'].includes(code)) {
    return new NetworkError(`${host} is unreachable${tag}`, 'unreachable', true, code);
  }
  if (TLS_CODE.test(code)) return tlsError(detail, code, target);
  return new NetworkError(`network error: ${detail}${tag}`, 'other', true, code);
}
