import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createStore, type StoreAdapter } from '@liveport/commerce';
import { AgentService, SqliteConversationStore, selectProvider, type LlmConfig } from '@liveport/agent';
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
  const agent = new AgentService({
    store,
    conversations,
    provider,
    storeName: config.agent.storeName,
    customerSessionSecret: config.agent.customerSessionSecret,
    senderRateLimit: { burst: config.agent.senderBurst, perSecond: config.agent.senderPerSecond },
  });
  await agent.start();
  return { store, agent };
}
