/**
 * Every route the emulator serves. Adding a route: write its `RouteDef` in its own file (see
 * common.ts) and add it to ROUTES; the pipeline then authenticates, validates, rate-limits and
 * injects faults for it like for every other route.
 */
import type { RouteDef, StreamName } from './common.js';
import { channelsList, roomsGet } from './rooms.js';
import { rolesList } from './roles.js';
import { info, me } from './server-info.js';
import { subscriptionsGet } from './subscriptions.js';
import { teamsList } from './teams.js';
import { usersList } from './users.js';
import { contactsSearch, departmentList, livechatAgents, livechatManagers, visitorsSearch } from '../omnichannel/people.js';
import { livechatRoomsRoute } from '../omnichannel/rooms.js';
import { adminRooms, roomsInfo, teamsListAll } from '../workspace/routes.js';
import { statistics } from '../workspace/statistics.js';
import { getDeletedMessagesRoute } from '../messages/deleted-messages.js';
import { syncMessagesRoute } from '../messages/sync-messages.js';

export const ROUTES: readonly RouteDef[] = [
  info,
  me,
  teamsList,
  roomsGet,
  channelsList,
  rolesList,
  subscriptionsGet,
  usersList,
  adminRooms,
  teamsListAll,
  roomsInfo,
  statistics,
  livechatRoomsRoute,
  visitorsSearch,
  contactsSearch,
  livechatAgents,
  livechatManagers,
  departmentList,
  syncMessagesRoute,
  getDeletedMessagesRoute,
];

export const ROUTE_BY_PATH: ReadonlyMap<string, RouteDef> = new Map(ROUTES.map((r) => [r.path, r]));
export const ROUTE_BY_STREAM: ReadonlyMap<StreamName, RouteDef> = new Map(
  ROUTES.filter((r) => r.stream).map((r) => [r.stream as StreamName, r]),
);
