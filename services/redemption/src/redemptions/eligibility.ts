import type { ParsedPassCode } from '@app/pass-codes';
import type { Site } from '../sites/site.model';
import { addDays } from '@app/calendar';

export const REFUSAL_CODES = [
  'CODE_INVALID',
  'PASS_UNKNOWN',
  'PASS_ALREADY_REDEEMED',
  'PASS_VOIDED',
  'PASS_EXPIRED',
  'PASS_NOT_YET_VALID',
  'SITE_NOT_ACCREDITED',
  'SITE_SUSPENDED',
  'SITE_REVOKED',
  'SITE_ACCREDITATION_LAPSED',
  'SITE_OUTSIDE_TERRITORY',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  message: string;
}

/** Failures that may be someone trying codes at random: they count towards the guessing limit. */
export const GUESSING_REFUSALS: ReadonlySet<RefusalCode> = new Set(['CODE_INVALID', 'PASS_UNKNOWN']);

export type PassStatus = 'issued' | 'redeemed' | 'voided' | 'expired';

/** What the rules need to know of a pass, with its live redemption when it has one. */
export interface PassState {
  id: string;
  status: PassStatus;
  amountCents: number;
  territory: string[];
  validFrom: string;
  validUntil: string;
  toleranceDays: number;
  redeemedAt: Date | null;
  redeemedAtSiteId: string | null;
}

const PARIS_DATE_TIME = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  dateStyle: 'short',
  timeStyle: 'short',
});

/** « 05/12/2025 à 14:03 », Paris time. */
export function parisDateTime(instant: Date): string {
  return PARIS_DATE_TIME.format(instant).replace(' ', ' à ');
}

function frenchDay(day: string): string {
  const [year, month, date] = day.split('-');
  return `${date}/${month}/${year}`;
}

/** The last Paris calendar day a pass can be used: its validity end plus the program's tolerance. */
export function lastUsableDay(pass: Pick<PassState, 'validUntil' | 'toleranceDays'>): string {
  return addDays(pass.validUntil, pass.toleranceDays);
}

/** Why a site may not redeem today (a Paris calendar day), or null. */
export function siteRefusal(site: Pick<Site, 'status' | 'accreditedUntil'>, today: string): Refusal | null {
  switch (site.status) {
    case 'pending':
      return {
        code: 'SITE_NOT_ACCREDITED',
        message: "Votre lieu n'est pas encore habilité à accepter des pass numériques.",
      };
    case 'suspended':
      return {
        code: 'SITE_SUSPENDED',
        message: "L'habilitation de votre lieu est suspendue : il ne peut pas accepter de pass pour le moment.",
      };
    case 'revoked':
      return {
        code: 'SITE_REVOKED',
        message: "L'habilitation de votre lieu a été révoquée : il ne peut plus accepter de pass.",
      };
    case 'accredited':
      if (site.accreditedUntil !== null && site.accreditedUntil < today) {
        return {
          code: 'SITE_ACCREDITATION_LAPSED',
          message: `L'habilitation de votre lieu a pris fin le ${frenchDay(site.accreditedUntil)} : demandez son renouvellement.`,
        };
      }
      return null;
  }
}

/**
 * Why a typed code cannot be redeemed at a site today, or null when it can.
 * The territory is checked before anything else about the pass, so a site
 * learns nothing of a pass it could never accept.
 */
export function passRefusal(
  parsed: ParsedPassCode,
  pass: PassState | null,
  site: Pick<Site, 'id' | 'departement'>,
  today: string,
): Refusal | null {
  if (!parsed.valid) {
    return parsed.reason === 'format'
      ? {
          code: 'CODE_INVALID',
          message: "Ce code n'a pas le bon format (17 caractères, chiffres et lettres) : vérifiez la saisie.",
        }
      : {
          code: 'CODE_INVALID',
          message: 'Ce code contient une erreur de frappe (caractère de contrôle incorrect) : vérifiez la saisie.',
        };
  }
  if (!pass) {
    return {
      code: 'PASS_UNKNOWN',
      message: "Aucun pass ne correspond à ce code, ou il n'est pas encore activé : vérifiez la saisie.",
    };
  }
  if (!pass.territory.includes(site.departement)) {
    return { code: 'SITE_OUTSIDE_TERRITORY', message: "Ce pass n'est pas utilisable ici." };
  }
  switch (pass.status) {
    case 'redeemed': {
      const when = pass.redeemedAt ? ` le ${parisDateTime(pass.redeemedAt)}` : '';
      const where = pass.redeemedAtSiteId === site.id ? 'dans votre lieu' : 'dans un autre lieu';
      return { code: 'PASS_ALREADY_REDEEMED', message: `Ce pass a déjà été utilisé${when}, ${where}.` };
    }
    case 'voided':
      return {
        code: 'PASS_VOIDED',
        message:
          "Ce pass a été annulé par la structure qui l'a remis (perte, vol ou erreur) : il ne peut pas être utilisé.",
      };
    case 'expired':
      return expired(pass);
    case 'issued':
      if (lastUsableDay(pass) < today) return expired(pass);
      if (pass.validFrom > today) {
        return {
          code: 'PASS_NOT_YET_VALID',
          message: `Ce pass n'est utilisable qu'à partir du ${frenchDay(pass.validFrom)}.`,
        };
      }
      return null;
  }
}

function expired(pass: PassState): Refusal {
  return {
    code: 'PASS_EXPIRED',
    message: `Ce pass a expiré : il était utilisable jusqu'au ${frenchDay(lastUsableDay(pass))} inclus.`,
  };
}
