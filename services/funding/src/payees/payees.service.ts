import { Injectable } from '@nestjs/common';
import { SiteRegisteredV1 } from '@app/contracts';
import { AccreditationStatus, Payee, PayeeRepository } from './payee.repository';

/** Who funding pays: the sites as redemption describes them, with their payout account and accreditation. */
@Injectable()
export class PayeesService {
  constructor(private readonly payees: PayeeRepository) {}

  recordDetails(site: SiteRegisteredV1): Promise<void> {
    return this.payees.upsert({ siteId: site.siteId, name: site.name, siret: site.siret ?? null, rna: site.rna ?? null, iban: site.iban ?? null, bic: site.bic ?? null });
  }

  async recordStatus(siteId: string, status: AccreditationStatus): Promise<void> {
    // Site events share the site's partition, so its registration always comes first.
    if (!(await this.payees.setStatus(siteId, status))) throw new Error(`Unknown site ${siteId}: no SiteRegistered seen`);
  }

  findByIds(siteIds: string[]): Promise<Map<string, Payee>> {
    return this.payees.findByIds(siteIds);
  }
}
