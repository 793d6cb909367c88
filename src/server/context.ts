import { DataSource } from 'typeorm';
import { Identity } from '../auth/identity';
import { AppConfig } from '../config';
import { Loaders } from './loaders';

export interface RequestContext {
  dataSource: DataSource;
  config: AppConfig;
  loaders: Loaders;
  /** Null for an anonymous request. */
  identity: Identity | null;
}
