import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createStore, type StoreAdapter } from '@liveport/commerce';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  AgentService,
  SqliteConversationStore,
  missingSpeechEngines,
  selectProvider,
  selectSpeech,
  type LlmConfig,
  type SpeechSelectionConfig,
} from '@liveport/agent';
import type { NodeConfig } from '../config.ts';

export interface AgentParts {
  store: StoreAdapter;
  agent: AgentService;
}

function llmConfig(config: NodeConfig): LlmConfig | undefined {
  const { llm } = config;
  if (llm.modelPath) return { kind: 'llama-cpp', modelPath: llm.modelPath };
  if (llm.baseUrl) {
    return {
      kind: 'openai',
      baseUrl: llm.baseUrl,
      model: llm.model ?? 'gpt-4o-mini',
      ...(llm.apiKey && { apiKey: llm.apiKey }),
    };
  }
  return undefined;
}

/** The store, the conversations and the brain, as configured; the agent service on top. */
export async function createAgent(config: NodeConfig): Promise<AgentParts> {
  mkdirSync(config.dataDir, { recursive: true });
  const store = createStore(
    config.store.kind === 'sqlite'
      ? { kind: 'sqlite', file: config.store.file ?? join(config.dataDir, 'store.db') }
      : config.store,
  );
  const conversations = new SqliteConversationStore(join(config.dataDir, 'conversations.db'));
  const provider = await selectProvider(
    { llm: llmConfig(config) },
    { ollamaBaseUrl: config.llm.detectOllama ? undefined : false },
  );
  const speechConfig = speechSettings(config);
  const speech = await selectSpeech(speechConfig);
  const agent = new AgentService({
    ...speech,
    voice: config.voice,
    store,
    conversations,
    provider,
    storeName: config.agent.storeName,
    customerSessionSecret: config.agent.customerSessionSecret,
    senderRateLimit: { burst: config.agent.senderBurst, perSecond: config.agent.senderPerSecond },
    rateLimit: { burst: config.agent.messageBurst, perSecond: config.agent.messagesPerSecond },
  });
  await agent.start();
  return { store, agent };
}

function speechSettings(config: NodeConfig): SpeechSelectionConfig {
  const s = config.speech;
  return {
    ...(s.sttBaseUrl && {
      stt: {
        kind: 'openai' as const,
        baseUrl: s.sttBaseUrl,
        model: s.sttModel,
        ...(s.sttApiKey && { apiKey: s.sttApiKey }),
      },
    }),
    ...(s.ttsBaseUrl && {
      tts: {
        kind: 'openai' as const,
        baseUrl: s.ttsBaseUrl,
        model: s.ttsModel,
        voice: s.ttsVoice,
        ...(s.ttsApiKey && { apiKey: s.ttsApiKey }),
      },
    }),
  };
}

/**
 * Voice needs Debian's speech engines. A node running as root on Debian installs the missing
 * ones in the background (text features work meanwhile) and turns voice on when they are in;
 * otherwise it names the packages. Returns the lines to print at start.
 */
export function ensureSpeechEngines(
  config: NodeConfig,
  agent: AgentService,
  log: (line: string) => void,
): void {
  const speechConfig = speechSettings(config);
  const missing = missingSpeechEngines(speechConfig);
  if (!missing.length) return;
  const packages = [...new Set(missing.flatMap((m) => m.debianPackages))];
  const canInstall =
    config.voice.installEngines && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    for (const m of missing) log(`  voice:       ${m.message}`);
    return;
  }
  log(
    `  voice:       installing ${packages.join(' ')} with apt-get in the background; text chat works meanwhile`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = spawn(
    'sh',
    ['-c', `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${packages.join(' ')}`],
    { stdio: 'ignore', env },
  );
  install.on('error', () =>
    log('  voice:       apt-get could not run; install ' + packages.join(' ') + ' yourself'),
  );
  install.on('exit', (code) => {
    if (code !== 0)
      return log(`  voice:       apt-get failed (exit ${code}); install ${packages.join(' ')} yourself`);
    void selectSpeech(speechConfig).then((providers) => {
      agent.setSpeech(providers);
      log(
        agent.voiceUnavailable ? `  voice:       still off: ${agent.voiceUnavailable}` : '  voice:       on',
      );
    });
  });
}
