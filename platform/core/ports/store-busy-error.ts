/**
 * A write could not start in time because another writer holds the store (a bulk load commits as
 * one transaction). Nothing was written; the request may be retried.
 */
export class StoreBusyError extends Error {}
