export type IssuableVerdict = 'issuable' | 'closed' | 'not_yet_valid' | 'expired';

/**
 * Whether a booklet may be issued on `today`: the program must be open and
 * `today` within [validFrom, validUntil]. The tolerance only extends
 * redemption, never issuance. ISO dates compare as strings.
 */
export function issuableVerdict(
  program: { status: string; validFrom: string; validUntil: string },
  today: string,
): IssuableVerdict {
  if (program.status !== 'open') return 'closed';
  if (today < program.validFrom) return 'not_yet_valid';
  if (today > program.validUntil) return 'expired';
  return 'issuable';
}
