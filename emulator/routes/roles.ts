/** roles.list (the roles stream): every role, without `_updatedAt`. */
import { omitFields } from '../mongo.js';
import type { RouteDef } from './common.js';

const NOT_LISTED: ReadonlySet<string> = new Set(['_updatedAt']);

export const rolesList: RouteDef = {
  path: '/api/v1/roles.list', auth: true, rateLimited: true, stream: 'roles', recordsKey: 'roles',
  handle(ctx) {
    const roles = ctx.ds.roles.map((r) => omitFields(r, NOT_LISTED));
    return { status: 200, body: { roles, success: true } };
  },
};
