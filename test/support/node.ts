import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveportNode, loadConfig, mintToken, type NodeConfigInput } from '@liveport/server';
import type { GrantsInput } from '@liveport/protocol';

export interface TestNode {
  node: LiveportNode;
  url: string;
  apiKey: string;
  apiSecret: string;
  token(
    identity: string,
    grants?: GrantsInput,
    extra?: { ttlSec?: number; name?: string; now?: number },
  ): string;
  stop(): Promise<void>;
}

/** A real node on loopback, on free ports, with its own data folder. */
export async function startTestNode(overrides: Partial<NodeConfigInput> = {}): Promise<TestNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveport-test-'));
  const config = loadConfig({ env: {}, cwd: dataDir });
  const node = new LiveportNode({
    ...config,
    port: 0,
    host: '127.0.0.1',
    dataDir,
    rtc: { ...config.rtc, bindAddress: '127.0.0.1', portMin: 40000, portMax: 49999 },
    // tests choose their brain; a developer's Ollama must not change what they see
    llm: { ...config.llm, detectOllama: false },
    ...(overrides as object),
  });
  const started = await node.start();
  return {
    node,
    url: started.url,
    apiKey: started.apiKey,
    apiSecret: started.apiSecret,
    token: (identity, grants, extra = {}) =>
      mintToken({
        apiKey: started.apiKey,
        apiSecret: started.apiSecret,
        identity,
        name: extra.name ?? identity,
        ttlSec: extra.ttlSec,
        now: extra.now,
        grants: grants ?? {
          room: 'test',
          join: true,
          subscribe: true,
          publishData: true,
          publish: ['camera', 'microphone'],
        },
      }),
    stop: async () => {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
