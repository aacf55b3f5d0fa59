/**
 * Where a Dataset's message store lives: built once per Dataset on first use (the CLI builds it at
 * startup), sized by `sizes.messages`. Lazy because in-process emulators share the test's event
 * loop: building messages nobody reads would stall the other emulators' answers.
 */
import type { Dataset } from '../data/dataset.js';
import { buildMessageStore } from './generate.js';
import type { MessageStore } from './store.js';

export const DEFAULT_MESSAGES = 5000;
const stores = new WeakMap<Dataset, MessageStore>();

export function messageStore(ds: Dataset): MessageStore {
  let s = stores.get(ds);
  if (!s) {
    const n = (ds.sizes as { messages?: number }).messages ?? DEFAULT_MESSAGES;
    s = buildMessageStore(ds, n);
    stores.set(ds, s);
  }
  return s;
}
