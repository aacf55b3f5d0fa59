import { isObject } from './is-object.js';

/** The top-level fields that can hold a visitor's token. */
export const VISITOR_TOKEN_HOLDERS: readonly string[] = ['v', 'lastMessage'];

/**
 * An omnichannel room, its agent's subscription and its last message name the visitor's token
 * (`v.token`, `lastMessage.token`): it lets anyone holding it act as the visitor in the livechat
 * widget, and the tap never emits secrets. The same record when there is none (so it can still be
 * copied as received).
 */
export function withoutVisitorToken<T extends Record<string, unknown>>(record: T): T {
  let out = record;
  for (const key of VISITOR_TOKEN_HOLDERS) {
    const inner = out[key];
    if (isObject(inner) && 'token' in inner) {
      const { token: _token, ...rest } = inner;
      out = { ...out, [key]: rest };
    }
  }
  return out;
}
