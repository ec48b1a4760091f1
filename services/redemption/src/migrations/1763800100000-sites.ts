import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Sites1763800100000 implements MigrationInterface {
  name = 'Sites1763800100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE sites (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        siret char(14) CHECK (siret ~ '^[0-9]{14}$'),
        rna char(10) CHECK (rna ~ '^W[0-9]{9}$'),
        address text NOT NULL,
        postal_code char(5) NOT NULL CHECK (postal_code ~ '^[0-9]{5}$'),
        insee_code char(5) NOT NULL CHECK (insee_code ~ '^([0-9]{5}|2[AB][0-9]{3})$'),
        departement text NOT NULL,
        contact_email text,
        contact_phone text,
        iban text CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
        bic text CHECK (bic ~ '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
        labels text[] NOT NULL DEFAULT '{}',
        source_id text UNIQUE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accredited', 'suspended', 'revoked')),
        accredited_until date,
        registered_by text NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((siret IS NULL) <> (rna IS NULL)),
        -- A site that ever was accredited has a checked payout account and a validity end.
        CHECK (status = 'pending' OR (accredited_until IS NOT NULL AND iban IS NOT NULL AND bic IS NOT NULL))
      )`);
    await runner.query(`
      CREATE TABLE site_accreditation_decisions (
        id bigserial PRIMARY KEY,
        site_id uuid NOT NULL REFERENCES sites(id),
        from_status text NOT NULL,
        to_status text NOT NULL,
        valid_until date,
        reason text NOT NULL,
        decided_by text NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE site_accreditation_decisions');
    await runner.query('DROP TABLE sites');
  }
}
