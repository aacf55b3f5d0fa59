/** Rocket.Chat's error bodies, as the emulated routes send them (docs/rocketchat-api-notes.md#error-bodies). */
import type { ApiResult } from './common.js';

const LOGIN_MSG = 'You must be logged in to do this.';

export const err = {
  unauthorized: (): ApiResult => ({
    status: 401, body: { success: false, error: LOGIN_MSG, status: 'error', message: LOGIN_MSG },
  }),
  permission: (): ApiResult => ({
    status: 403, body: { success: false, error: 'User does not have the permissions required for this action [error-unauthorized]' },
  }),
  forbidden: (): ApiResult => ({ status: 403, body: { success: false, error: 'unauthorized' } }),
  invalidParams: (message: string): ApiResult => ({
    status: 400, body: { success: false, errorType: 'error-invalid-params', error: message },
  }),
  invalidSort: (raw: string): ApiResult => ({
    status: 400,
    body: {
      success: false, error: `Invalid sort parameter provided: "${raw}" [error-invalid-sort]`, errorType: 'error-invalid-sort',
      details: { helperMethod: 'parseJsonQuery' },
    },
  }),
  notFound: (): ApiResult => ({ status: 404, body: { success: false, error: 'Resource not found' } }),
  internal: (): ApiResult => ({ status: 500, body: { success: false, error: 'Internal server error' } }),
  unavailable: (): ApiResult => ({ status: 503, body: { success: false, error: 'Service Unavailable' } }),
  tooManyRequests: (waitSeconds: number): ApiResult => ({
    status: 429,
    body: {
      success: false,
      error: `Error, too many requests. Please slow down. You must wait ${waitSeconds} seconds before trying this endpoint again. [error-too-many-requests]`,
    },
  }),
  roomsUpdatedSince: (): ApiResult => ({
    status: 400,
    body: {
      success: false, error: 'The "updatedSince" query parameter must be a valid date. [error-updatedSince-param-invalid]',
      errorType: 'error-updatedSince-param-invalid',
    },
  }),
  subscriptionsUpdatedSince: (): ApiResult => ({
    status: 400,
    body: {
      success: false, error: 'The "lastUpdate" query parameter must be a valid date. [error-roomId-param-invalid]',
      errorType: 'error-roomId-param-invalid',
    },
  }),
};
