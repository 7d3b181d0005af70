export { LiveportNode } from './LiveportNode.ts';
export type { StartedNode } from './LiveportNode.ts';
export { loadConfig, ConfigError, NodeConfig } from './config.ts';
export type { NodeConfigInput } from './config.ts';
export { mintToken, verifyToken } from './token.ts';
export type { MintOptions } from './token.ts';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER } from './webhooks.ts';
export type { WebhookEvent } from './webhooks.ts';
