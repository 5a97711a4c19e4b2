/** The strong ETag of a record version: `"17"`. */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * The version an `If-Match` value names, or undefined when it is not one ETag of ours
 * (`*`, a weak or a list of tags: updates must name the one version they read).
 */
export function versionOfEtag(header: string | undefined): number | undefined {
  const match = /^\s*"(\d{1,15})"\s*$/.exec(header ?? '');
  if (match === null) return undefined;
  const version = Number(match[1]);
  return Number.isSafeInteger(version) && version > 0 ? version : undefined;
}
