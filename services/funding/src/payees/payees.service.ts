import { Injectable } from '@nestjs/common';
import { SiteRegisteredV1 } from '@app/contracts';
import { AccreditationStatus, Payee, PayeeRepository } from './payee.repository';
import { PayeeView } from './payee.view';

/** Who funding pays: the sites as redemption describes them, with their payout account and accreditation. */
@Injectable()
export class PayeesService {
  constructor(private readonly payees: PayeeRepository) {}

  recordDetails(site: SiteRegisteredV1): Promise<void> {
    return this.payees.upsert({
      siteId: site.siteId,
      name: site.name,
      siret: site.siret ?? null,
      rna: site.rna ?? null,
      iban: site.iban ?? null,
      bic: site.bic ?? null,
    });
  }

  async recordStatus(siteId: string, status: AccreditationStatus): Promise<void> {
    // Site events share the site's partition, so its registration always comes first.
    if (!(await this.payees.setStatus(siteId, status)))
      throw new Error(`Unknown site ${siteId}: no SiteRegistered seen`);
  }

  /** For the operator: whom funding pays, and whose money waits for an account (those first). */
  async list(): Promise<PayeeView[]> {
    return (await this.payees.list()).map((row) => ({
      siteId: row.siteId,
      known: row.known,
      name: row.name,
      siret: row.siret,
      rna: row.rna,
      accreditationStatus: row.accreditationStatus,
      payoutAccount: row.iban && row.bic ? { iban: maskIban(row.iban), bic: row.bic } : null,
      held: { statements: row.heldStatements, cents: row.heldCents, reason: row.heldReason },
    }));
  }

  findByIds(siteIds: string[]): Promise<Map<string, Payee>> {
    return this.payees.findByIds(siteIds);
  }
}

/** Enough to recognise an account, not to use it: FR76…1234. */
function maskIban(iban: string): string {
  const compact = iban.replace(/\s+/g, '');
  return `${compact.slice(0, 4)}…${compact.slice(-4)}`;
}
