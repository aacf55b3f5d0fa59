/** Public entry point of the emulator package: `import { startEmulator } from '../emulator/index.js'`. */
export { startEmulator } from './server.js';
export type {
  Emulator, EmulatorOptions, EmulatorStats, RequestLogEntry, RequestHook, RequestHookInfo, PublicIdentityInfo, RouteStats,
  FaultRule, FaultKind, MutationSpec, MutationResult, RateLimitOptions, DatasetSizes, IdentityName, StreamName,
  ExpectedOptions, ApiSettings,
} from './server.js';
export { DEFAULT_SIZES } from './data/dataset.js';
export { DATA_END_MS } from './data/common.js';
export { FAULT_KINDS } from './faults.js';
export { IDENTITY_NAMES } from './identities.js';
