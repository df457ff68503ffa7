import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { resolveProfile } from '../catalogue/profiles';
import { writeDataset } from '../etl/generate';
import { loadCsv } from '../etl/load-csv';
import type { Config } from '../platform/config';
import type { CatalogueStore } from './catalogue-store';

/**
 * First start on an empty store (SEED_ON_EMPTY, the development default): generate the dataset
 * when SEED_FILE is missing, and load it through the ETL, so `npm start` serves data at once.
 */
export async function seedIfEmpty(config: Config, store: CatalogueStore, log: Logger): Promise<void> {
  if (!config.SEED_ON_EMPTY || !(await store.loader.isEmpty())) return;
  if (!existsSync(config.SEED_FILE)) {
    log.info({ rows: config.SEED_ROWS, file: config.SEED_FILE }, 'generating the dataset');
    await writeDataset(config.SEED_FILE, config.SEED_ROWS);
  }
  const summary = await loadCsv({
    input: config.SEED_FILE,
    profile: resolveProfile(config.INGEST_PROFILE),
    loader: store.loader,
    mode: 'upsert',
  });
  log.info(summary, 'loaded the dataset');
}
