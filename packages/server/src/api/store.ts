import { ErrorCode, LiveportError } from '@liveport/protocol';
import type { StoreAdapter } from '@liveport/commerce';
import type { AgentService } from '@liveport/agent';
import type { Router } from '../http/Router.ts';

/** The public catalog, for the storefront pages: products only, never customers or orders. */
export function storeRoutes(
  router: Router,
  store: StoreAdapter,
  agent: AgentService,
  storeName: string,
): void {
  router
    .add('GET', '/api/store/info', async () => {
      const policy = await agent.policy();
      return {
        json: {
          name: storeName,
          currencies: policy.currencies,
          policy: policy.summary,
          brain: agent.brain(),
        },
      };
    })
    .add('GET', '/api/store/products', async (req) => {
      const q = req.url.searchParams.get('q')?.slice(0, 200) ?? '';
      const category = req.url.searchParams.get('category')?.slice(0, 40) || undefined;
      const products = q
        ? (await store.searchProducts({ text: q, category, limit: 48 })).map((h) => h.product)
        : (await store.listProducts()).filter((p) => !category || p.category === category);
      return { json: { products } };
    })
    .add('GET', '/api/store/products/:handle', async (req) => {
      const product = await store.getProduct(req.params.handle!);
      if (!product) throw new LiveportError(ErrorCode.NOT_FOUND, `no product ${req.params.handle}`);
      return { json: { product } };
    });
}
