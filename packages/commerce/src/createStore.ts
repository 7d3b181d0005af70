import type { StoreAdapter, StorePolicy } from './types.ts';
import { SqliteStore } from './SqliteStore.ts';
import { ShopifyStore } from './ShopifyStore.ts';

export type StoreConfig =
  | { kind: 'sqlite'; file: string; referenceDate?: Date }
  | {
      kind: 'shopify';
      shopUrl: string;
      accessToken: string;
      apiVersion?: string;
      policy?: Omit<StorePolicy, 'currencies'>;
    };

/** The store named by Liveport's config: the embedded SQLite demo shop, or a real Shopify shop. */
export function createStore(config: StoreConfig): StoreAdapter {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteStore(
        config.file,
        config.referenceDate ? { referenceDate: config.referenceDate } : {},
      );
    case 'shopify':
      return new ShopifyStore(config);
  }
}
