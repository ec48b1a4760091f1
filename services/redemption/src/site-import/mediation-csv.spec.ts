import { readFileSync } from 'node:fs';
import { MediationCsvError, readMediationCsv } from './mediation-csv';

const HEADER =
  'id,pivot,nom,commune,code_postal,code_insee,adresse,complement_adresse,telephone,courriels,dispositif_programmes_nationaux,date_maj';
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n');
const GOOD =
  'lieu-1,73282932000074,Espace Muret,Muret,31600,31395,1 rue Clemenceau,,+33561000000,contact@muret.fr,France Services|La Croix Rouge,2024-04-02';

describe('reading the national "Lieux de médiation numérique" CSV', () => {
  it('given a valid row, then its details with the département from the INSEE code and known labels', () => {
    expect(readMediationCsv(csv(GOOD))).toEqual([
      {
        row: 1,
        id: 'lieu-1',
        errors: [],
        details: {
          name: 'Espace Muret',
          siret: '73282932000074',
          rna: null,
          address: '1 rue Clemenceau, Muret',
          postalCode: '31600',
          inseeCode: '31395',
          departement: '31',
          contactEmail: 'contact@muret.fr',
          contactPhone: '+33561000000',
          labels: ['france_services', 'other'],
        },
      },
    ]);
  });

  it('given the example file of the standard, then its row is read (its pivot is a valid SIRET)', () => {
    const path = `${__dirname}/../../../../test/redemption/fixtures/exemple-valide.csv`;
    const [row] = readMediationCsv(readFileSync(path, 'utf8'));
    expect(row.errors).toEqual([]);
    expect(row.details).toMatchObject({
      name: 'Anonymal',
      departement: '51',
      inseeCode: '51454',
      labels: ['aidants_connect', 'conseillers_numeriques', 'other'],
    });
  });

  it.each([
    ['lieu-2,,Sans pivot,Muret,31600,31395,1 rue,,,,,2024-04-02', 'pivot : valeur obligatoire manquante.'],
    [
      'lieu-2,73282932000075,Mauvais SIRET,Muret,31600,31395,1 rue,,,,,2024-04-02',
      'pivot : le SIRET 73282932000075 est invalide (clé de contrôle).',
    ],
    ['lieu-2,123456789,SIREN,Muret,31600,31395,1 rue,,,,,2024-04-02', expect.stringContaining("n'est ni un SIRET")],
    ['lieu-2,W313000123,Asso,Muret,3160,31395,1 rue,,,,,2024-04-02', 'code_postal : 5 chiffres attendus.'],
    ['lieu-2,W313000123,Asso,Muret,31600,,1 rue,,,,,2024-04-02', expect.stringContaining('code_insee : nécessaire')],
    [
      'lieu-2,W313000123,Asso,Muret,31600,97502,1 rue,,,,,2024-04-02',
      expect.stringContaining("n'est dans aucun département"),
    ],
    ['lieu-2,W313000123,Asso,Muret,31600,31395,1 rue,,0561000000,,,2024-04-02', expect.stringContaining('telephone')],
    [
      'lieu-2,W313000123,Asso,Muret,31600,31395,1 rue,,,pas-un-courriel,,2024-04-02',
      expect.stringContaining('courriels'),
    ],
    [
      'lieu-2,W313000123,Asso,Muret,31600,31395,1 rue,,,,Club Informatique,2024-04-02',
      expect.stringContaining('dispositif_programmes_nationaux'),
    ],
    ['lieu-2,W313000123,Asso,Muret,31600,31395,1 rue,,,,,2024-02-30', expect.stringContaining('date_maj')],
    ['lieu-2,W313000123,,Muret,31600,31395,1 rue,,,,,2024-04-02', 'nom : valeur obligatoire manquante.'],
  ])('given the row %s, then it is rejected: %s', (line, error) => {
    const [row] = readMediationCsv(csv(line));
    expect(row.details).toBeNull();
    expect(row.errors).toContainEqual(error);
  });

  it('given two rows with one id, then the second is rejected', () => {
    const rows = readMediationCsv(csv(GOOD, GOOD));
    expect(rows[0].errors).toEqual([]);
    expect(rows[1].errors).toEqual(['id : « lieu-1 » figure déjà plus haut dans le fichier (il doit être unique).']);
  });

  it('given a NUL character in a name or an impossible update day, then that row alone is rejected', () => {
    const rows = readMediationCsv(
      csv(
        GOOD,
        GOOD.replace('lieu-1', 'lieu-2').replace('Espace Muret', 'Espace\u0000Muret'),
        GOOD.replace('lieu-1', 'lieu-3').replace('2024-04-02', '2024-02-30'),
      ),
    );
    expect(rows.map((row) => row.errors)).toEqual([
      [],
      ['nom : contient un caractère invisible non autorisé.'],
      ["date_maj : « 2024-02-30 » n'est pas une date AAAA-MM-JJ."],
    ]);
  });

  it('given a file without the required columns, then the whole file is refused', () => {
    expect(() => readMediationCsv('id,nom\nx,y')).toThrow(MediationCsvError);
    expect(() => readMediationCsv('id,nom\nx,y')).toThrow(/pivot, commune, code_postal, adresse, date_maj/);
  });
});
