import { openCatalogueStore } from '../../api/composition/catalogue-store';
import { loadCsv } from '../../etl/load-csv';
import { kaggleAnimes } from '../../pipelines/ingest/profiles/kaggle-animes';

/** One ETL run in its own process, so peak RSS belongs to this load alone. */
async function main() {
  const [input, database] = process.argv.slice(2);
  const store = openCatalogueStore({ DATABASE_PATH: database! });
  const summary = await loadCsv({
    input: input!,
    profile: kaggleAnimes,
    loader: store.loader,
    mode: 'upsert',
  });
  await store.close();
  console.log(JSON.stringify({ ...summary, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

main();
