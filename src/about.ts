import { envVarName, loadConfigSchema } from './settings-schema.js';
import { DESCRIPTION, TAP_NAME, VERSION } from './package-info.js';
import { scoped } from './scope.js';
import { replicationKey, STREAMS, type StreamDef } from './streams.js';

/** Declared to Meltano and in --about; only what the tap really implements. */
export const CAPABILITIES = ['catalog', 'discover', 'state', 'about', 'test', 'activate-version', 'structured-logging'] as const;

export type AboutFormat = 'text' | 'json' | 'markdown';

export function versionLine(): string {
  return `${TAP_NAME} v${VERSION}, Node.js ${process.version}`;
}

export function aboutInfo() {
  return {
    name: TAP_NAME,
    description: DESCRIPTION,
    version: VERSION,
    // No sdk_version or supported_python_versions: this tap is not built on the Python SDK.
    capabilities: [...CAPABILITIES],
    settings: loadConfigSchema(),
    streams: (STREAMS as readonly StreamDef[]).map((def) => ({
      name: def.name,
      endpoint: `GET ${def.path}`,
      replication_key: replicationKey(def) ?? null,
      selected_by_default: def.selectedByDefault ?? true,
      permission: def.permission ?? null,
      workspace_endpoint: scoped(def, 'workspace') === def ? null : `GET ${scoped(def, 'workspace').path}`,
    })),
  };
}

function streamLine(s: ReturnType<typeof aboutInfo>['streams'][number]): string {
  const how = s.replication_key ? `incremental on ${s.replication_key}` : 'full table';
  return `${s.name}: ${s.endpoint}, ${how}${s.selected_by_default ? '' : ', not selected by default'}${s.permission ? `, needs ${s.permission}` : ''}${s.workspace_endpoint ? `; scope workspace: ${s.workspace_endpoint}` : ''}`;
}

export function renderAbout(format: AboutFormat): string {
  const info = aboutInfo();
  const settings = Object.entries(info.settings.properties);
  const required = new Set(info.settings.required);
  if (format === 'json') return JSON.stringify(info, null, 2) + '\n';
  if (format === 'markdown') {
    const rows = settings.map(([name, s]) =>
      `| ${name} | ${required.has(name) ? 'yes' : 'no'} | ${s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``} | ${s.description} |`);
    return [
      `# \`${info.name}\``, '', info.description, '',
      `Version ${info.version}, written in TypeScript for Node.js.`, '',
      '## Capabilities', '', ...info.capabilities.map((c) => `* \`${c}\``), '',
      '## Streams', '', ...info.streams.map((st) => `* \`${st.name}\`: ${streamLine(st).slice(st.name.length + 2)}`), '',
      '## Settings', '', '| Setting | Required | Default | Description |', '|:--|:--:|:--:|:--|', ...rows, '',
      `A full list of supported settings and capabilities is available by running: \`${info.name} --about\``, '',
    ].join('\n');
  }
  return [
    `Name: ${info.name}`,
    `Description: ${info.description}`,
    `Version: ${info.version}`,
    `Runtime: Node.js ${process.version}`,
    'Capabilities:', ...info.capabilities.map((c) => `  - ${c}`),
    'Streams:', ...info.streams.map((st) => `  - ${streamLine(st)}`),
    'Settings:',
    ...settings.flatMap(([name, s]) => [
      `  - Name: ${name}`,
      `    Type: ${s.type}`,
      `    Required: ${required.has(name) ? 'yes' : 'no'}`,
      ...(s.default === undefined ? [] : [`    Default: ${String(s.default)}`]),
      `    Environment Variable: ${envVarName(name)}`,
      `    Description: ${s.description}`,
    ]),
    '',
  ].join('\n');
}
