import { ANIME_COLUMNS, type TargetColumn } from '../../catalogue/definition';
import { AnimeInputSchema, columnSchema } from '../../catalogue/schema';
import { compileSchema } from '../../catalogue/validation';

/** The validator the API and the ETL use. */
const accepts = (schema: Parameters<typeof compileSchema>[0], value: unknown) => compileSchema(schema)(value);

/**
 * Each column's example is what the OpenAPI document shows and what clients and the generated
 * contract suite send: it must be a value the column itself accepts.
 */
describe("the definition's examples", () => {
  it.each(ANIME_COLUMNS.map((c) => [c.field, c] as const))(
    '%s: its example passes its own schema',
    (_, column) => {
      expect(accepts(columnSchema(column), column.example)).toBe(true);
    },
  );

  it('make up a valid record together, shown as the document shows it', () => {
    const record = Object.fromEntries(ANIME_COLUMNS.map((c) => [c.field, c.example]));
    expect(accepts(AnimeInputSchema, record)).toBe(true);
    expect((AnimeInputSchema.properties.title as { example?: unknown }).example).toBe('Cowboy Bebop');
  });

  it('refuses an example the column would refuse (negative control)', () => {
    const year = ANIME_COLUMNS.find((c) => c.field === 'year')! as TargetColumn;
    expect(accepts(columnSchema(year), 1850)).toBe(false);
  });
});
