import 'reflect-metadata';
import { loadConfig } from './src/config';
import { createDataSource } from './src/db/data-source';

/** The DataSource the TypeORM CLI uses (`npx typeorm migration:run -d dist/ormconfig.js`). */
export default createDataSource(loadConfig().database);
