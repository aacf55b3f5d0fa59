/**
 * Optional streams (Omnichannel, statistics): when the workspace or the token cannot serve one,
 * the stream is skipped with one warning and the run goes on; at the end the run exits with
 * SKIPPED_EXIT_CODE so a scheduler can tell "finished, but without some streams".
 */
import { HttpError, TapError } from './errors.js';
import type { StreamDef } from './streams.js';

/** Exit code of a run that finished every other stream but skipped at least one. */
export const SKIPPED_EXIT_CODE = 3;

/** The run finished; these streams were skipped (each was named in a warning). */
export class StreamsSkippedError extends TapError {
  override readonly exitCode = SKIPPED_EXIT_CODE;
  constructor(readonly streams: readonly string[]) {
    super(`finished, but ${streams.length} selected stream${streams.length === 1 ? ' was' : 's were'} skipped (${streams.join(', ')}): see the warnings above; exit code ${SKIPPED_EXIT_CODE}`);
  }
}

const OMNICHANNEL_OFF = /error-omnichannel-is-disabled/;
/** What the routes answer without their permission: 403; 401 `unauthorized` on older builds; 400 codes of routes that check in the handler. */
const NOT_PERMITTED_400 = /error-not-allowed|error-not-authorized|\[?error-unauthorized\]?|not-authorized/;

/** Why the workspace or token cannot serve the stream, or undefined when `err` is another failure. */
export function unservableReason(def: StreamDef, err: unknown): string | undefined {
  if (!(err instanceof HttpError)) return undefined;
  const needs = def.permission ? `; the token's user needs the permission ${def.permission}` : '';
  if (err.status === 400 && OMNICHANNEL_OFF.test(err.message)) return 'Omnichannel is disabled on this workspace (Livechat_enabled is off)';
  if (err.status === 403) return `the server refused it (403)${needs}`;
  if (err.status === 401 && /answered 401 \(unauthorized\)/.test(err.message)) return `the server refused it (401 unauthorized, older Rocket.Chat)${needs}`;
  if (err.status === 400 && NOT_PERMITTED_400.test(err.message)) return `the server refused it (400)${needs}`;
  if (err.status === 404) return `the server has no ${err.path} route (an older Rocket.Chat)`;
  return undefined;
}
