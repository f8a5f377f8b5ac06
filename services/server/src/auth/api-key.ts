/**
 * The key in an `Authorization: Bearer <key>` header, or `undefined`. Other schemes and
 * malformed headers count as no key at all. (Keys are generated and hashed by
 * `storage/api-keys.ts`, which stores only their SHA-256.)
 */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer[ \t]+(\S{8,512})[ \t]*$/i.exec(value) : null;
  return match?.[1];
}
