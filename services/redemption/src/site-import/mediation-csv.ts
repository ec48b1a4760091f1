import { parse } from 'csv-parse/sync';
import type { SiteLabel } from '@app/contracts';
import { hasControlCharacter, isCalendarDate, isValidRna, isValidSiret } from '@app/validation';
import { departementOfInseeCode } from '../sites/site-location';
import type { SiteDetails } from '../sites/site.model';

/**
 * Reads the national "Lieux de médiation numérique" CSV (schema v1.0.2,
 * Frictionless table schema). Only the fields the scheme needs are read,
 * and each is checked against the schema's constraints (required, type,
 * pattern) before use.
 */

export const REQUIRED_COLUMNS = ['id', 'pivot', 'nom', 'commune', 'code_postal', 'adresse', 'date_maj'] as const;

const PATTERNS = {
  pivot: /^[a-zA-Z0-9]{9,14}$/,
  code_postal: /^\d{5}$/,
  code_insee: /^([013-9]\d|2[AB1-9])\d{3}$/,
  telephone: /^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$/,
  dispositif_programmes_nationaux:
    /(?:(?:^|\|)(Aidants Connect|Bibliothèques numérique de référence|Certification PIX|Conseillers numériques|Emmaüs Connect|France Services|Grande école du numérique|La Croix Rouge|Point d'accès numérique CAF|Promeneurs du net|Relais numérique \(Emmaüs Connect\)))+$/u,
};

/** National programmes the scheme knows as labels; the others become `other`. */
const LABELS: Record<string, SiteLabel> = {
  'France Services': 'france_services',
  'Conseillers numériques': 'conseillers_numeriques',
  'Aidants Connect': 'aidants_connect',
  'Certification PIX': 'pix',
};

const EMAIL = /^[^\s@|]+@[^\s@|]+\.[^\s@|]+$/;

export interface MediationRow {
  /** 1-based number of the data row (the header is not counted). */
  row: number;
  id: string | null;
  details: Omit<SiteDetails, 'iban' | 'bic'> | null;
  errors: string[];
}

export class MediationCsvError extends Error {}

export function readMediationCsv(text: string): MediationRow[] {
  let records: Array<Record<string, string>>;
  try {
    records = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    throw new MediationCsvError(`Le fichier n'est pas un CSV lisible : ${(error as Error).message}`);
  }
  const header = records.length > 0 ? Object.keys(records[0]) : (parse(text, { bom: true, to_line: 1 })[0] ?? []);
  const missing = REQUIRED_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new MediationCsvError(`Colonnes obligatoires absentes : ${missing.join(', ')}.`);

  const seen = new Set<string>();
  return records.map((record, index) => {
    const row = index + 1;
    const errors: string[] = [];
    const value = (field: string) => record[field]?.trim() ?? '';
    for (const field of REQUIRED_COLUMNS) if (!value(field)) errors.push(`${field} : valeur obligatoire manquante.`);
    for (const [field, text] of Object.entries(record))
      if (hasControlCharacter(text)) errors.push(`${field} : contient un caractère invisible non autorisé.`);

    const id = value('id') || null;
    if (id && seen.has(id)) errors.push(`id : « ${id} » figure déjà plus haut dans le fichier (il doit être unique).`);
    if (id) seen.add(id);

    const pivot = value('pivot');
    let siret: string | null = null;
    let rna: string | null = null;
    if (pivot) {
      if (!PATTERNS.pivot.test(pivot)) errors.push('pivot : 9 à 14 chiffres ou lettres attendus.');
      else if (/^\d{14}$/.test(pivot) && isValidSiret(pivot)) siret = pivot;
      else if (/^\d{14}$/.test(pivot)) errors.push(`pivot : le SIRET ${pivot} est invalide (clé de contrôle).`);
      else if (isValidRna(pivot.toUpperCase())) rna = pivot.toUpperCase();
      else
        errors.push(
          `pivot : « ${pivot} » n'est ni un SIRET (14 chiffres) ni un numéro RNA (W et 9 chiffres), seuls acceptés pour le paiement.`,
        );
    }

    const postalCode = value('code_postal');
    if (postalCode && !PATTERNS.code_postal.test(postalCode)) errors.push('code_postal : 5 chiffres attendus.');

    const inseeCode = value('code_insee');
    let departement: string | null = null;
    if (!inseeCode) errors.push('code_insee : nécessaire au dispositif pour situer le lieu dans son département.');
    else if (!PATTERNS.code_insee.test(inseeCode))
      errors.push(`code_insee : « ${inseeCode} » n'est pas un code commune valide.`);
    else if (!(departement = departementOfInseeCode(inseeCode)))
      errors.push(`code_insee : ${inseeCode} n'est dans aucun département couvert par le dispositif.`);

    const phone = value('telephone');
    if (phone && !PATTERNS.telephone.test(phone))
      errors.push('telephone : format international attendu, par exemple +33180059880.');

    const emails = value('courriels')
      ? value('courriels')
          .split('|')
          .map((email) => email.trim())
      : [];
    const badEmail = emails.find((email) => !EMAIL.test(email));
    if (badEmail !== undefined) errors.push(`courriels : « ${badEmail} » n'est pas une adresse électronique.`);

    const programmes = value('dispositif_programmes_nationaux');
    if (programmes && !PATTERNS.dispositif_programmes_nationaux.test(programmes)) {
      errors.push('dispositif_programmes_nationaux : valeur hors de la liste du standard.');
    }

    const updatedOn = value('date_maj');
    if (updatedOn && !isCalendarDate(updatedOn))
      errors.push(`date_maj : « ${updatedOn} » n'est pas une date AAAA-MM-JJ.`);

    if (errors.length > 0 || !departement) return { row, id, details: null, errors };
    const complement = value('complement_adresse');
    const labels = [...new Set(programmes ? programmes.split('|').map((name) => LABELS[name] ?? 'other') : [])].sort();
    return {
      row,
      id,
      errors,
      details: {
        name: value('nom'),
        siret,
        rna,
        address: [value('adresse'), complement, value('commune')].filter(Boolean).join(', '),
        postalCode,
        inseeCode,
        departement,
        contactEmail: emails[0] ?? null,
        contactPhone: phone || null,
        labels,
      },
    };
  });
}
