// One ETL run of the production build (dist/, as the container runs it) in its own process, so
// peak RSS belongs to this load alone. Prints the summary with peakRssMb as one JSON line.
const { openSqliteCatalogueStore } = require('../../dist/composition/catalogue-store');
const { loadCsv } = require('../../dist/etl/load-csv');
const { kaggleAnimes } = require('../../dist/catalogue/profiles/kaggle-animes');

async function main() {
  const [input, database] = process.argv.slice(2);
  const store = openSqliteCatalogueStore({ DATABASE_PATH: database });
  const summary = await loadCsv({ input, profile: kaggleAnimes, loader: store.loader, mode: 'upsert' });
  await store.close();
  console.log(JSON.stringify({ ...summary, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

main();
