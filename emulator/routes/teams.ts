/** teams.list (the teams stream): the caller's teams, with their room and member counts. */
import type { Identity } from '../identities.js';
import { isResult, pageOf, parseSortOr, stableSort, type RouteDef } from './common.js';

export const teamsList: RouteDef = {
  path: '/api/v1/teams.list', auth: true, rateLimited: true, stream: 'teams', recordsKey: 'teams',
  handle(ctx) {
    const sort = parseSortOr(ctx);
    if (isResult(sort)) return sort;
    const { ds, page } = ctx;
    const uid = (ctx.identity as Identity).userId;
    const mine = stableSort(ds.teamsOf(uid), sort);
    const records = pageOf(mine, page).map((t) => {
      let rooms = 0;
      for (const r of ds.rooms) if (r.teamId === t._id) rooms++;
      const members = ds.teamMembers.get(t._id as string)?.size ?? 0;
      return { ...t, rooms, numberOfUsers: members + (ds.teamExtraMembers.get(t._id as string) ?? 0) };
    });
    return { status: 200, body: { teams: records, total: mine.length, count: records.length, offset: page.offset, success: true } };
  },
};
