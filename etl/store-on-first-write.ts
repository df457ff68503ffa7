import { rmSync } from 'node:fs';
import type { CatalogueLoad, CatalogueLoader, LoadMode } from '../platform/core/ports/catalogue-loader';

/** What the ETL needs of a store: its loader, and a way to let it go. */
export interface LoaderStore {
  readonly loader: CatalogueLoader;
  close(): Promise<void>;
}

export interface StoreOnFirstWriteOptions {
  /** Opens the store: creates and migrates it if need be. */
  readonly open: () => Promise<LoaderStore>;
  /** The SQLite file this run would create (it did not exist at start). @default none */
  readonly newFile?: string;
}

/**
 * The ETL's store, opened (and so created and migrated) only when a load begins: a run that fails
 * on its arguments or its header, or a dry run, never touches the database. A file this run
 * created is removed again unless the load committed, so a failed first load leaves no file behind.
 */
export class StoreOnFirstWrite implements CatalogueLoader {
  private store?: Promise<LoaderStore>;

  constructor(private readonly options: StoreOnFirstWriteOptions) {}

  private opened(): Promise<LoaderStore> {
    this.store ??= this.options.open();
    return this.store;
  }

  async begin(mode: LoadMode, options: Parameters<CatalogueLoader['begin']>[1]): Promise<CatalogueLoad> {
    return (await this.opened()).loader.begin(mode, options);
  }

  async isEmpty(): Promise<boolean> {
    if (!this.store && this.options.newFile) return true;
    return (await this.opened()).loader.isEmpty();
  }

  /** Closes the store if it was opened; without `keepNewFile`, deletes the file this run created. */
  async close({ keepNewFile }: { readonly keepNewFile: boolean }): Promise<void> {
    if (this.store) await (await this.store).close();
    const file = this.options.newFile;
    if (keepNewFile || !file) return;
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
  }
}
