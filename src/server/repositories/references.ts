/**
 * Reads MySQL's "a foreign key constraint fails" error (1452): which column
 * pointed at which table. Inserts rely on the schema's foreign keys instead of
 * a SELECT per referenced row, and the route turns this into a 404 or 400.
 */
export interface MissingReference {
  column: string;
  table: string;
}

const FK_FAILS = /FOREIGN KEY \(`([^`]+)`\) REFERENCES `([^`]+)`/;

export function missingReference(error: unknown): MissingReference | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { errno, message } = error as { errno?: unknown; message?: unknown };
  if (errno !== 1452 || typeof message !== 'string') return undefined;
  const match = FK_FAILS.exec(message);
  return match ? { column: match[1]!, table: match[2]! } : undefined;
}
