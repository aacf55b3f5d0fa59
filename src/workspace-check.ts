/**
 * `scope: workspace` needs an admin token. Checked once at start, before anything is written, so a
 * token without the permissions gets one clear error (exit 2) instead of a run that fails half
 * way: rooms.adminRooms answers 400 `error-not-authorized` (not 403) without
 * view-room-administration, teams.listAll 403 (401 on older builds) without view-all-teams
 * (docs/rocketchat-api-notes.md#workspace-endpoints).
 */
import type { SelectedStream } from './catalog.js';
import { HttpError, InputError } from './errors.js';
import { ADMIN_ROOM_TYPES, ADMIN_ROOMS_PATH } from './scope.js';
import type { ApiClient } from './sync-context.js';

const TEAMS_LIST_ALL = '/api/v1/teams.listAll';

function refused(err: unknown): boolean {
  return err instanceof HttpError && (err.status === 403 || err.status === 401 || (err.status === 400 && /not-authorized|unauthorized/.test(err.message)));
}

/** Throws an InputError naming the missing permission; `selected` decides whether teams.listAll is probed. */
export async function checkWorkspaceScope(client: ApiClient, selected: readonly SelectedStream[], signal?: AbortSignal): Promise<void> {
  const probe = async (path: string, params: Record<string, string | number | readonly string[]>, recordsKey: string, permission: string): Promise<void> => {
    try {
      await client.get(path, params, { expect: { recordsKey, total: true }, signal });
    } catch (err) {
      if (!refused(err)) throw err;
      throw new InputError(
        `scope "workspace" needs an admin token: ${(err as HttpError).message}; the token's user lacks the permission ${permission}. ` +
          'Use an admin\'s token, or set scope to "subscribed"',
      );
    }
  };
  await probe(ADMIN_ROOMS_PATH, { offset: 0, count: 1, types: ADMIN_ROOM_TYPES }, 'rooms', 'view-room-administration');
  if (selected.some((s) => s.def.name === 'teams')) await probe(TEAMS_LIST_ALL, { offset: 0, count: 1 }, 'teams', 'view-all-teams');
}
