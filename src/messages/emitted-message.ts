import { isObject } from '../is-object.js';
import type { MessageRow } from './sync-messages-api.js';

/** What the tap emits of a message the server sent (tests derive the expected records from it). */
function needsRewrite(m: MessageRow): boolean {
  return m.t === 'rm' || 'token' in m || 'navigation' in m || 'requestData' in m;
}

/**
 * A message deleted with the "show deleted status" setting (or a thread parent) stays as
 * `t: 'rm'`: it is emitted with `_sdc_deleted_at` set (docs/rocketchat-api-notes.md#message-deletions).
 * An omnichannel visitor's token (on visitor messages, and inside navigation and transfer
 * requests) is a credential of that visitor: it never leaves the tap.
 */
export function rewrite(m: MessageRow): Record<string, unknown> {
  if (!needsRewrite(m)) return m;
  const { token: _token, ...out } = m as Record<string, unknown>;
  if (m.t === 'rm') out._sdc_deleted_at = typeof m.editedAt === 'string' ? m.editedAt : m._updatedAt;
  out.navigation = withoutNested(m.navigation, 'page');
  out.requestData = withoutNested(m.requestData, 'visitor');
  if (out.navigation === undefined) delete out.navigation;
  if (out.requestData === undefined) delete out.requestData;
  return out;
}

/** `value` with `value[key].token` removed (a copy), or `value` itself when there is none. */
function withoutNested(value: unknown, key: string): unknown {
  if (!isObject(value) || !isObject(value[key]) || !('token' in value[key])) return value;
  const { token: _token, ...inner } = value[key];
  return { ...value, [key]: inner };
}

