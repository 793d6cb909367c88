import { DataSource } from 'typeorm';
import { AppConfig } from '../config';
import { Identity } from './identity';

/**
 * The request's loaders, declared: each domain adds its own from its *.loaders.ts
 * (`declare module '../request/context' { interface Loaders extends ContractLoaders {} }`), so that this
 * folder, which the domains import, imports none of them. src/server/loaders.ts builds them; the type
 * checker fails there if a declared loader is not built.
 */
export interface Loaders {}

export interface RequestContext {
  dataSource: DataSource;
  config: AppConfig;
  loaders: Loaders;
  /** Null for an anonymous request. */
  identity: Identity | null;
}
