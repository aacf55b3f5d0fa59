#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { renderAbout, versionLine, type AboutFormat } from './about.js';
import { DownstreamClosedError, InputError, InterruptedError, TapError, errorMessage } from './errors.js';
import { configureLogging, logger, setLogLevel } from './log.js';
import { TAP_NAME } from './package-info.js';
import { closestName } from './suggest.js';

const log = logger(TAP_NAME);

interface Args {
  config: string[];
  catalog?: string;
  properties?: string;
  state?: string;
  discover: boolean;
  about: boolean;
  format: AboutFormat;
  test?: string;
  version: boolean;
  debug: boolean;
}

/** The parser alone, so tests can call it without running anything. */
function parser(argv: string[]) {
  return yargs(argv)
    .scriptName(TAP_NAME)
    // Our own --version prints the SDK-style line; yargs' built-in one must be off first.
    .version(false)
    .usage(`${TAP_NAME}: Singer tap for the Rocket.Chat REST API\n\nUsage: $0 --config FILE [--catalog FILE] [--state FILE]`)
    .option('config', { type: 'string', array: true, default: [], describe: 'Config JSON file, repeatable (later files win); ENV reads TAP_ROCKETCHAT_* variables' })
    .option('catalog', { type: 'string', describe: 'Catalog JSON selecting streams and fields (as --discover prints it)' })
    .option('properties', { type: 'string', describe: 'Legacy name of --catalog' })
    .option('state', { type: 'string', describe: 'State JSON with bookmarks to resume from' })
    .option('discover', { type: 'boolean', default: false, describe: 'Print the catalog and exit' })
    .option('about', { type: 'boolean', default: false, describe: 'Describe the tap, its capabilities and settings' })
    .option('format', { choices: ['text', 'json', 'markdown'] as const, default: 'text' as AboutFormat, describe: 'Format of --about' })
    .option('test', { type: 'string', describe: 'Check reachability and credentials, and which streams the token can read' })
    .option('version', { type: 'boolean', default: false, describe: 'Print the version' })
    .option('debug', { type: 'boolean', default: false, describe: 'Debug logs, and stack traces on errors' })
    .conflicts('catalog', 'properties')
    .help()
    .strict()
    .fail((message, err) => {
      throw err ?? new InputError(withSuggestion(message));
    });
}

const OPTIONS = ['config', 'catalog', 'properties', 'state', 'discover', 'about', 'format', 'test', 'version', 'debug', 'help'];

/** "Unknown argument: confg" → "... (did you mean --config?)". */
function withSuggestion(message: string): string {
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  const unknown = /^Unknown arguments?: (\S+?)(,|$)/.exec(oneLine)?.[1];
  const guess = unknown && closestName(unknown, OPTIONS);
  return `${oneLine}${guess ? ` (did you mean --${guess}?)` : ''}; see --help`;
}

async function run(args: Args): Promise<void> {
  if (args.version) {
    process.stdout.write(versionLine() + '\n');
    return;
  }
  if (args.about) {
    process.stdout.write(renderAbout(args.format));
    return;
  }
  if (args.discover) {
    const { discoverCatalog } = await import('./catalog.js');
    process.stdout.write(JSON.stringify(discoverCatalog(), null, 2) + '\n');
    return;
  }
  if (args.test !== undefined) {
    if (args.test !== '' && args.test !== 'all') throw new InputError(`--test takes no value or "all" (got "${args.test}")`);
    const { runConnectionTest } = await import('./connection-test.js');
    await runConnectionTest(args.config);
    return;
  }
  const { runSync } = await import('./tap.js');
  await runSync({ configSources: args.config, catalogPath: args.catalog ?? args.properties, statePath: args.state });
}

/** Exit code for an error: the one error boundary of the program. */
function report(err: unknown, debug: boolean): number {
  if (err instanceof DownstreamClosedError) {
    log.warn('downstream closed stdout; stopping');
    return 141;
  }
  if (err instanceof InterruptedError) {
    log.warn(`stopped by ${err.signal}; output written so far was flushed`);
    return err.signal === 'SIGINT' ? 130 : 143;
  }
  if (err instanceof TapError) {
    log.error(err.message);
    if (debug && err.stack) process.stderr.write(err.stack + '\n');
    return err.exitCode;
  }
  // A bug, not bad input: stacks may hold request objects, so only with --debug.
  log.error(`unexpected error: ${errorMessage(err)}${debug ? '' : ' (run with --debug for details)'}`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    configureLogging(); // an unknown TAP_ROCKETCHAT_LOGLEVEL is bad input, like a bad flag
    if (debug) setLogLevel('debug');
    const args = (await parser(argv).parseAsync()) as unknown as Args;
    await run(args);
    return 0;
  } catch (err) {
    return report(err, debug);
  }
}

const code = await main(hideBin(process.argv));
process.exitCode = code;
if (code !== 0) {
  // Do not let a stray socket or a stalled reader keep a failed run alive; after a signal,
  // exit promptly (the flush was already given its bounded chance).
  setTimeout(() => process.exit(code), code === 130 || code === 143 ? 200 : 3000).unref();
}
