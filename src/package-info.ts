import { readFileSync } from 'node:fs';

/** Package root: compiled files live in dist/src/, sources in src/; both are two levels or one below it. */
export const PACKAGE_ROOT = new URL(import.meta.url.includes('/dist/src/') ? '../../' : '../', import.meta.url);

interface PackageJson {
  name: string;
  version: string;
  description: string;
}

const pkg = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as PackageJson;

export const TAP_NAME = 'tap-rocketchat';
export const VERSION = pkg.version;
export const DESCRIPTION = pkg.description;
/** Prefix of the environment variables read by `--config ENV`, as the Meltano SDK names them. */
export const ENV_PREFIX = 'TAP_ROCKETCHAT_';

export function readPackageJson<T>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, PACKAGE_ROOT), 'utf8')) as T;
}
