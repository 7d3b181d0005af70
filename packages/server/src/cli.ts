import { parseArgs } from 'node:util';
import { TrackSource } from '@liveport/protocol';
import { CONFIG_FLAGS, ConfigError, loadConfig } from './config.ts';
import { loadOrCreateKeys } from './keys.ts';
import { ensureSpeechEngines } from './chat/createAgent.ts';
import { LiveportNode } from './LiveportNode.ts';
import { mintToken } from './token.ts';

const USAGE = `liveport — real-time rooms, calls and AI service for online stores

  liveport start [--port 7880] [--rtc-port-min 50000] [--rtc-port-max 60000]
                 [--announced-ip IP] [--bind-address IP] [--data-dir .liveport]
                 [--config liveport.config.json] [--webhook URL]... [--no-demo]
                 [--llm-base-url URL --llm-model NAME [--llm-api-key KEY]] [--llm-model-path FILE.gguf]
                 [--store-name NAME] [--customer-session-secret SECRET]
  liveport token --identity ID --room NAME [--name NAME] [--ttl SECONDS]
                 [--publish camera,microphone,screen,screen_audio] [--no-subscribe]
                 [--data] [--admin] [--create] [--list]

Settings come from the config file, then LIVEPORT_* environment variables, then flags.`;

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    if (command === 'start') return await start(rest);
    if (command === 'token') return token(rest);
    console.log(USAGE);
    return command === 'help' || command === '--help' ? 0 : 2;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CliError) {
      console.error(`liveport: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

class CliError extends Error {}

/** Flags of the config, with `--no-x` meaning `--x=false`. */
function configFlags(args: string[]) {
  const normalized = args.map((a) =>
    a.startsWith('--no-') && !a.includes('=') ? `--${a.slice(5)}=false` : a,
  );
  const options = Object.fromEntries([
    ['config', { type: 'string' as const }],
    ...CONFIG_FLAGS.map((f) => [f, { type: 'string' as const, multiple: f === 'webhook' }]),
  ]);
  try {
    return parseArgs({ args: normalized, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
}

async function start(args: string[]): Promise<number> {
  const values = configFlags(args);
  const flags: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) flags[k] = v as string | string[];
  // `--demo` alone means true
  if (flags.demo === '') flags.demo = 'true';
  const config = loadConfig({ flags });
  // A promise rejected deep inside a media library (one connection's bad state) must not end
  // every call on the node: say so and carry on.
  process.on('unhandledRejection', (reason) =>
    console.error('liveport: unhandled rejection, kept running:', reason),
  );
  const node = new LiveportNode(config);
  const started = await node.start();
  console.log(`Liveport node listening on ${started.url}`);
  if (config.demo) {
    console.log(`  storefront:  ${started.url}/shop   (the AI agent's chat widget is on every page)`);
    console.log(`  call page:   ${started.url}/call?room=demo`);
  }
  const brain = node.parts!.agent.brain();
  console.log(
    brain.limited
      ? '  AI agent:    fallback mode (guided steps; set LIVEPORT_LLM_BASE_URL + LIVEPORT_LLM_MODEL, or run Ollama, for a model)'
      : `  AI agent:    ${brain.kind} ${brain.model}`,
  );
  console.log(`  chat socket: ${started.url.replace(/^http/, 'ws')}/chat`);
  const agentService = node.parts!.agent;
  if (!agentService.voiceUnavailable)
    console.log('  voice:       on (the Talk button in the widget; POST /api/rooms/:room/agent)');
  ensureSpeechEngines(config, agentService, (line) => console.log(line));
  console.log(`  REST API:    ${started.url}/api/rooms`);
  console.log(`  agent desk:  ${started.desk.url}   (staff console; POST /api/desk/login)`);
  if (started.desk.demoLogins.length) {
    console.log('  demo staff:  (password for all: ' + started.desk.demoLogins[0]!.password + ')');
    for (const login of started.desk.demoLogins) {
      console.log(`               ${login.email.padEnd(22)} ${login.role.padEnd(10)} ${login.name}`);
    }
  }
  console.log(`  signaling:   ${started.url.replace(/^http/, 'ws')}/rtc`);
  console.log(
    `  media (UDP): ports ${config.rtc.portMin}-${config.rtc.portMax}${config.rtc.announcedIp ? ` announced as ${config.rtc.announcedIp}` : ''}`,
  );
  if (started.keysCreated) {
    console.log(`\nCreated API credentials in ${started.keysFile} (shown once):`);
    console.log(`  API key:    ${started.apiKey}`);
    console.log(`  API secret: ${started.apiSecret}`);
  } else {
    console.log(`  API key:     ${started.apiKey} (secret in ${started.keysFile})`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: closing rooms and connections…`);
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  return new Promise<number>(() => undefined);
}

function token(args: string[]): number {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        identity: { type: 'string' },
        room: { type: 'string' },
        name: { type: 'string' },
        ttl: { type: 'string', default: '21600' },
        publish: { type: 'string', default: 'camera,microphone,screen,screen_audio' },
        'no-subscribe': { type: 'boolean', default: false },
        data: { type: 'boolean', default: false },
        admin: { type: 'boolean', default: false },
        create: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (!values.identity) throw new CliError('--identity is required');
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new CliError('--ttl must be a positive number of seconds');
  const sources = values.publish ? values.publish.split(',').filter(Boolean) : [];
  for (const s of sources) {
    if (!TrackSource.safeParse(s).success)
      throw new CliError(`unknown source ${s}; use ${TrackSource.options.join(', ')}`);
  }
  const config = loadConfig({
    flags: {
      ...(values['data-dir'] && { 'data-dir': values['data-dir'] }),
      ...(values.config && { config: values.config }),
    },
  });
  const [apiKey, apiSecret] = [...loadOrCreateKeys(config.dataDir, config.keys).keys.entries()][0]!;
  const jwt = mintToken({
    apiKey,
    apiSecret,
    identity: values.identity,
    name: values.name,
    ttlSec: ttl,
    grants: {
      room: values.room,
      join: values.room !== undefined,
      publish: sources as TrackSource[],
      subscribe: !values['no-subscribe'],
      publishData: values.data,
      roomAdmin: values.admin,
      roomCreate: values.create,
      roomList: values.list,
    },
  });
  console.log(jwt);
  return 0;
}
