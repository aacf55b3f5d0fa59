/** subscriptions.get (the subscriptions stream): the caller's own subscriptions. */
import type { Identity } from '../identities.js';
import type { Doc } from '../mongo.js';
import { parseSince, type RouteDef } from './common.js';
import { err } from './errors.js';
import { updateAndRemove } from './incremental.js';

/** subscriptionFields (+ _id): what subscriptions.get returns. */
export const SUBSCRIPTION_FIELDS: ReadonlySet<string> = new Set([
  '_id', 't', 'ts', 'ls', 'lr', 'name', 'fname', 'rid', 'code', 'f', 'u', 'open', 'alert', 'roles', 'unread', 'prid',
  'userMentions', 'groupMentions', 'archived', 'audioNotificationValue', 'desktopNotifications',
  'mobilePushNotifications', 'emailNotifications', 'desktopPrefOrigin', 'mobilePrefOrigin', 'emailPrefOrigin',
  'unreadAlert', '_updatedAt', 'blocked', 'blocker', 'autoTranslate', 'autoTranslateLanguage', 'disableNotifications',
  'hideUnreadStatus', 'hideMentionStatus', 'muteGroupMentions', 'ignored', 'E2EKey', 'E2ESuggestedKey', 'tunread',
  'tunreadGroup', 'tunreadUser', 'department', 'v', 'onHold',
]);

export const subscriptionsGet: RouteDef = {
  path: '/api/v1/subscriptions.get', auth: true, rateLimited: true, stream: 'subscriptions', recordsKey: 'update',
  schema: { allowed: new Set(['updatedSince']) },
  handle(ctx) {
    const since = parseSince(ctx.query.get('updatedSince'));
    if (since === 'invalid') return err.subscriptionsUpdatedSince();
    const uid = (ctx.identity as Identity).userId;
    return updateAndRemove(ctx.ds.subscriptions, ctx.ds.subscriptionTrash, since, SUBSCRIPTION_FIELDS,
      (s) => (s.u as Doc)._id === uid, (t) => t.uid === uid);
  },
};
