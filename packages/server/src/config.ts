import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The node's configuration: a JSON file, then environment variables, then command-line flags,
 * each overriding the one before. Everything is validated once at start; a bad value stops the
 * node with a message naming the setting and where it came from.
 */
const ip = z.string().refine((v) => isIP(v) !== 0, 'must be an IP address');
const port = z.number().int().min(0).max(65535);

export const NodeConfig = z
  .object({
    port: port.default(7880),
    host: z.string().min(1).default('0.0.0.0'),
    /** Where the node keeps its keys and data. */
    dataDir: z.string().min(1).default('.liveport'),
    rtc: z
      .object({
        portMin: port.min(1).default(50000),
        portMax: port.min(1).default(60000),
        bindAddress: ip.optional(),
        announcedIp: ip.optional(),
        /** a new subscriber starts from a cached keyframe group this young, else asks for a keyframe */
        keyframeCacheMs: z.number().int().min(0).max(10000).default(500),
      })
      .prefault({})
      .refine((r) => r.portMin <= r.portMax, {
        message: 'rtc.portMin must not exceed rtc.portMax',
        path: ['portMin'],
      }),
    room: z
      .object({
        emptyTimeoutSec: z.number().int().min(1).max(86400).default(300),
        maxParticipants: z.number().int().min(0).default(0),
      })
      .prefault({}),
    participantTimeoutSec: z.number().int().min(2).max(3600).default(20),
    /** Serve the demo pages and mint demo tokens (turn off in production). */
    demo: z.boolean().default(true),
    webhooks: z.array(z.url()).default([]),
    /** API keys given by configuration instead of the data folder: key -> secret (32+ chars). */
    keys: z.record(z.string().min(3), z.string().min(32)).default({}),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** The shop the agent serves: the embedded demo store (SQLite in dataDir) or a Shopify shop. */
    store: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('sqlite'), file: z.string().min(1).optional() }),
        z.object({ kind: z.literal('shopify'), shopUrl: z.url(), accessToken: z.string().min(1) }),
      ])
      .default({ kind: 'sqlite' }),
    /**
     * The agent's brain: an OpenAI-compatible endpoint or a local GGUF file. Without one the node
     * looks for Ollama on localhost, else runs the agent in fallback mode.
     */
    llm: z
      .object({
        baseUrl: z.url().optional(),
        apiKey: z.string().optional(),
        model: z.string().min(1).optional(),
        modelPath: z.string().min(1).optional(),
        /** look for Ollama at 127.0.0.1:11434 when nothing is configured */
        detectOllama: z.boolean().default(true),
      })
      .prefault({}),
    /**
     * Speech for the voice agent: OpenAI-compatible endpoints when given, else Debian's
     * pocketsphinx (recognition, English) and espeak-ng (synthesis) when installed.
     */
    speech: z
      .object({
        sttBaseUrl: z.url().optional(),
        sttApiKey: z.string().optional(),
        sttModel: z.string().min(1).default('whisper-1'),
        ttsBaseUrl: z.url().optional(),
        ttsApiKey: z.string().optional(),
        ttsModel: z.string().min(1).default('tts-1'),
        ttsVoice: z.string().min(1).default('alloy'),
      })
      .prefault({}),
    voice: z
      .object({
        /** customer speech that interrupts the agent (ms); leaders use 160-500 */
        bargeInMinMs: z.number().int().min(60).max(2000).default(200),
        /** silence that ends the customer's turn (ms) */
        endSilenceMs: z.number().int().min(150).max(5000).default(600),
        /** silence that ends a turn whose words already read as a complete sentence (ms) */
        completeEndSilenceMs: z.number().int().min(100).max(5000).default(250),
        /** a pause this long (ms) starts recognizing the words so far; 0 waits for the end */
        earlyRecognitionMs: z.number().int().min(0).max(5000).default(150),
        /** the model starts answering in that pause, and is dropped unheard if the customer goes on */
        preemptiveReply: z.boolean().default(true),
        vad: z.enum(['auto', 'energy', 'silero']).default('auto'),
        /** install Debian's espeak-ng and pocketsphinx at start when missing (root on Debian only) */
        installEngines: z.boolean().default(true),
      })
      .prefault({}),
    agent: z
      .object({
        storeName: z.string().min(1).max(100).default('Liveport Demo Store'),
        /** shared with the storefront to sign signed-in customers' chat sessions */
        customerSessionSecret: z.string().min(16).optional(),
        /** chat messages one address may send at once, and per second after (shared by a NAT's customers) */
        senderBurst: z.number().int().min(1).max(100000).default(60),
        senderPerSecond: z.number().int().min(1).max(100000).default(5),
        /** chat messages one conversation may send at once, and per second after */
        messageBurst: z.number().int().min(1).max(100000).default(8),
        messagesPerSecond: z.number().min(0.01).max(100000).default(0.5),
      })
      .prefault({}),
    /** The human desk: staff accounts, routing to people, the agent console at /desk. */
    desk: z
      .object({
        /**
         * seed the demo staff (admin@desk.example, …) at first start, with this password;
         * default: only when `demo` is on, so a production node has no well-known admin login
         */
        seedDemoStaff: z.boolean().optional(),
        demoPassword: z.string().min(8).max(1024).default('liveport-demo'),
        /** how long an agent has to accept an offer */
        offerTimeoutMs: z.number().int().min(1000).max(600_000).default(20_000),
        /** how long a customer may wait before supervisors are brought in */
        slaMs: z.number().int().min(1000).max(86_400_000).default(120_000),
        /** an agent whose last console closed stays online this long (a reload, a flaky link) */
        offlineGraceMs: z.number().int().min(0).max(3_600_000).default(30_000),
        /** translate between customers' and agents' languages with the configured model */
        translate: z.boolean().default(true),
        /** how long a video consultation rings before the customer is offered chat or a call back */
        videoRingSec: z.number().int().min(1).max(600).default(45),
      })
      .prefault({}),
  })
  .strict();
export type NodeConfig = z.infer<typeof NodeConfig>;
export type NodeConfigInput = z.input<typeof NodeConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Parse = (raw: string) => unknown;
const asInt: Parse = (raw) => (/^-?\d+$/.test(raw.trim()) ? Number(raw) : raw);
const asBool: Parse = (raw) =>
  ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())
    ? true
    : ['0', 'false', 'no', 'off'].includes(raw.toLowerCase())
      ? false
      : raw;
const asList: Parse = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const asString: Parse = (raw) => raw;

/** Every setting reachable from the environment and the command line. */
const SETTINGS: { path: string[]; env: string; flag: string; parse: Parse }[] = [
  { path: ['port'], env: 'LIVEPORT_PORT', flag: 'port', parse: asInt },
  { path: ['host'], env: 'LIVEPORT_HOST', flag: 'host', parse: asString },
  { path: ['dataDir'], env: 'LIVEPORT_DATA_DIR', flag: 'data-dir', parse: asString },
  { path: ['rtc', 'portMin'], env: 'LIVEPORT_RTC_PORT_MIN', flag: 'rtc-port-min', parse: asInt },
  { path: ['rtc', 'portMax'], env: 'LIVEPORT_RTC_PORT_MAX', flag: 'rtc-port-max', parse: asInt },
  { path: ['rtc', 'bindAddress'], env: 'LIVEPORT_RTC_BIND_ADDRESS', flag: 'bind-address', parse: asString },
  { path: ['rtc', 'announcedIp'], env: 'LIVEPORT_RTC_ANNOUNCED_IP', flag: 'announced-ip', parse: asString },
  {
    path: ['rtc', 'keyframeCacheMs'],
    env: 'LIVEPORT_RTC_KEYFRAME_CACHE_MS',
    flag: 'keyframe-cache-ms',
    parse: asInt,
  },
  {
    path: ['room', 'emptyTimeoutSec'],
    env: 'LIVEPORT_ROOM_EMPTY_TIMEOUT',
    flag: 'room-empty-timeout',
    parse: asInt,
  },
  {
    path: ['participantTimeoutSec'],
    env: 'LIVEPORT_PARTICIPANT_TIMEOUT',
    flag: 'participant-timeout',
    parse: asInt,
  },
  { path: ['demo'], env: 'LIVEPORT_DEMO', flag: 'demo', parse: asBool },
  { path: ['webhooks'], env: 'LIVEPORT_WEBHOOKS', flag: 'webhook', parse: asList },
  { path: ['logLevel'], env: 'LIVEPORT_LOG_LEVEL', flag: 'log-level', parse: asString },
  { path: ['llm', 'baseUrl'], env: 'LIVEPORT_LLM_BASE_URL', flag: 'llm-base-url', parse: asString },
  { path: ['llm', 'apiKey'], env: 'LIVEPORT_LLM_API_KEY', flag: 'llm-api-key', parse: asString },
  { path: ['llm', 'model'], env: 'LIVEPORT_LLM_MODEL', flag: 'llm-model', parse: asString },
  { path: ['llm', 'modelPath'], env: 'LIVEPORT_LLM_MODEL_PATH', flag: 'llm-model-path', parse: asString },
  {
    path: ['llm', 'detectOllama'],
    env: 'LIVEPORT_LLM_DETECT_OLLAMA',
    flag: 'llm-detect-ollama',
    parse: asBool,
  },
  { path: ['speech', 'sttBaseUrl'], env: 'LIVEPORT_STT_BASE_URL', flag: 'stt-base-url', parse: asString },
  { path: ['speech', 'sttApiKey'], env: 'LIVEPORT_STT_API_KEY', flag: 'stt-api-key', parse: asString },
  { path: ['speech', 'sttModel'], env: 'LIVEPORT_STT_MODEL', flag: 'stt-model', parse: asString },
  { path: ['speech', 'ttsBaseUrl'], env: 'LIVEPORT_TTS_BASE_URL', flag: 'tts-base-url', parse: asString },
  { path: ['speech', 'ttsApiKey'], env: 'LIVEPORT_TTS_API_KEY', flag: 'tts-api-key', parse: asString },
  { path: ['speech', 'ttsModel'], env: 'LIVEPORT_TTS_MODEL', flag: 'tts-model', parse: asString },
  { path: ['speech', 'ttsVoice'], env: 'LIVEPORT_TTS_VOICE', flag: 'tts-voice', parse: asString },
  {
    path: ['voice', 'bargeInMinMs'],
    env: 'LIVEPORT_VOICE_BARGE_IN_MS',
    flag: 'voice-barge-in-ms',
    parse: asInt,
  },
  {
    path: ['voice', 'endSilenceMs'],
    env: 'LIVEPORT_VOICE_END_SILENCE_MS',
    flag: 'voice-end-silence-ms',
    parse: asInt,
  },
  {
    path: ['voice', 'completeEndSilenceMs'],
    env: 'LIVEPORT_VOICE_COMPLETE_END_SILENCE_MS',
    flag: 'voice-complete-end-silence-ms',
    parse: asInt,
  },
  {
    path: ['voice', 'earlyRecognitionMs'],
    env: 'LIVEPORT_VOICE_EARLY_RECOGNITION_MS',
    flag: 'voice-early-recognition-ms',
    parse: asInt,
  },
  {
    path: ['voice', 'preemptiveReply'],
    env: 'LIVEPORT_VOICE_PREEMPTIVE_REPLY',
    flag: 'voice-preemptive-reply',
    parse: asBool,
  },
  { path: ['voice', 'vad'], env: 'LIVEPORT_VOICE_VAD', flag: 'voice-vad', parse: asString },
  {
    path: ['voice', 'installEngines'],
    env: 'LIVEPORT_VOICE_INSTALL_ENGINES',
    flag: 'voice-install-engines',
    parse: asBool,
  },
  { path: ['agent', 'storeName'], env: 'LIVEPORT_STORE_NAME', flag: 'store-name', parse: asString },
  {
    path: ['agent', 'senderBurst'],
    env: 'LIVEPORT_AGENT_SENDER_BURST',
    flag: 'agent-sender-burst',
    parse: asInt,
  },
  {
    path: ['agent', 'senderPerSecond'],
    env: 'LIVEPORT_AGENT_SENDER_PER_SECOND',
    flag: 'agent-sender-per-second',
    parse: asInt,
  },
  {
    path: ['agent', 'messageBurst'],
    env: 'LIVEPORT_AGENT_MESSAGE_BURST',
    flag: 'agent-message-burst',
    parse: asInt,
  },
  {
    path: ['desk', 'demoPassword'],
    env: 'LIVEPORT_DESK_DEMO_PASSWORD',
    flag: 'desk-demo-password',
    parse: asString,
  },
  {
    path: ['desk', 'seedDemoStaff'],
    env: 'LIVEPORT_DESK_SEED_DEMO_STAFF',
    flag: 'desk-seed-demo-staff',
    parse: asBool,
  },
  {
    path: ['desk', 'offerTimeoutMs'],
    env: 'LIVEPORT_DESK_OFFER_TIMEOUT_MS',
    flag: 'desk-offer-timeout-ms',
    parse: asInt,
  },
  { path: ['desk', 'slaMs'], env: 'LIVEPORT_DESK_SLA_MS', flag: 'desk-sla-ms', parse: asInt },
  {
    path: ['desk', 'videoRingSec'],
    env: 'LIVEPORT_DESK_VIDEO_RING_SEC',
    flag: 'desk-video-ring-sec',
    parse: asInt,
  },
  { path: ['desk', 'translate'], env: 'LIVEPORT_DESK_TRANSLATE', flag: 'desk-translate', parse: asBool },
  {
    path: ['agent', 'customerSessionSecret'],
    env: 'LIVEPORT_CUSTOMER_SESSION_SECRET',
    flag: 'customer-session-secret',
    parse: asString,
  },
];

export const CONFIG_FLAGS = SETTINGS.map((s) => s.flag);

export interface ConfigSources {
  /** parsed command-line flags, name -> value (without the leading dashes) */
  flags?: Record<string, string | boolean | string[]>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function loadConfig({
  flags = {},
  env = process.env,
  cwd = process.cwd(),
}: ConfigSources = {}): NodeConfig {
  const origin = new Map<string, string>();
  const merged: Record<string, unknown> = {};
  const explicitFile = (flags.config as string | undefined) ?? env.LIVEPORT_CONFIG;
  const file = explicitFile ? resolve(cwd, explicitFile) : resolve(cwd, 'liveport.config.json');
  if (explicitFile && !existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
  if (existsSync(file)) {
    let fromFile: unknown;
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new ConfigError(`config file ${file} must hold a JSON object`);
    }
    Object.assign(merged, fromFile);
    for (const key of Object.keys(fromFile)) origin.set(key, `file ${file}`);
  }
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw !== undefined && raw !== '') set(merged, s.path, s.parse(raw), origin, `environment ${s.env}`);
  }
  if (env.LIVEPORT_API_KEY || env.LIVEPORT_API_SECRET) {
    if (!env.LIVEPORT_API_KEY || !env.LIVEPORT_API_SECRET) {
      throw new ConfigError('LIVEPORT_API_KEY and LIVEPORT_API_SECRET must be given together');
    }
    set(
      merged,
      ['keys'],
      { [env.LIVEPORT_API_KEY]: env.LIVEPORT_API_SECRET },
      origin,
      'environment LIVEPORT_API_KEY',
    );
  }
  for (const s of SETTINGS) {
    const value = flags[s.flag];
    if (value === undefined) continue;
    const parsed =
      typeof value === 'boolean'
        ? value
        : Array.isArray(value)
          ? value.flatMap((v) => asList(v) as string[])
          : s.parse(value);
    set(merged, s.path, parsed, origin, `flag --${s.flag}`);
  }
  const result = NodeConfig.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const from = origin.get(path) ?? origin.get(String(issue.path[0] ?? '')) ?? 'defaults';
      return `  ${path || '(root)'}: ${issue.message} (from ${from})`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

function set(
  target: Record<string, unknown>,
  path: string[],
  value: unknown,
  origin: Map<string, string>,
  from: string,
) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
  origin.set(path.join('.'), from);
}
