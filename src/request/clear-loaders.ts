import { RequestContext } from './context';

/**
 * Loaders cache per request: a mutation that returns data must not serve what an earlier field of the
 * same operation cached before the write.
 */
export function clearLoaders(ctx: RequestContext): void {
  for (const loader of Object.values(ctx.loaders)) (loader as { clearAll?: () => unknown }).clearAll?.();
}
