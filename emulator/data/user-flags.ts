/**
 * The one byte the user table keeps per user besides its id and username: enough to sort, filter
 * by visibility and pick room members without regenerating the document.
 */
import type { Doc } from '../mongo.js';

export const F_USERNAME = 1;
export const F_NAME = 2;
export const F_EMAIL = 4;
export const F_ACTIVE = 8;
export const F_HUMAN = 16; // type 'user', active, has a username: a plausible room member/creator

/** Number of fixed users at the start of the table: rocket.cat, the identities, awkward cases. */
export const FIXED_USERS = 13;

/** What the user table keeps of a user. */
export interface UserCore {
  id: string;
  username: string | undefined;
  flags: number;
}

export function userFlags(
  username: string | undefined, hasName: boolean, hasEmail: boolean, active: boolean, type: unknown,
): number {
  return (username !== undefined ? F_USERNAME : 0) | (hasName ? F_NAME : 0)
    | (hasEmail ? F_EMAIL : 0) | (active ? F_ACTIVE : 0)
    | (type === 'user' && active && username !== undefined ? F_HUMAN : 0);
}

/** The flags of a stored user document. */
export function docFlags(d: Doc): number {
  const username = typeof d.username === 'string' ? d.username : undefined;
  const emails = d.emails;
  return userFlags(username, typeof d.name === 'string', Array.isArray(emails) && emails.length > 0, Boolean(d.active), d.type);
}
