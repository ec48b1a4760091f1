import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DeadLetterResolution1765100000000, MessagingTables1763800000000 } from '@app/messaging';
import { ServiceDefinition } from '@app/platform';
import { Sites1763800100000 } from './migrations/1763800100000-sites';
import { PassesAndRedemptions1763800200000 } from './migrations/1763800200000-passes-and-redemptions';
import { RedemptionRequestClaims1763900000000 } from './migrations/1763900000000-redemption-request-claims';
import { SiteRedemptionHistory1764200000000 } from './migrations/1764200000000-site-redemption-history';
import { FailedAttemptsBySiteAndAddress1765300000000 } from './migrations/1765300000000-failed-attempts-by-site-and-address';
import { PassesModule } from './passes/passes.module';
import { RedemptionSettings } from './redemption.settings';
import { RedemptionsModule } from './redemptions/redemptions.module';
import { SiteImportModule } from './site-import/site-import.module';
import { SitesModule } from './sites/sites.module';

@Module({ imports: [ScheduleModule.forRoot(), SitesModule, SiteImportModule, PassesModule, RedemptionsModule] })
export class RedemptionModule {}

/** Repositories use SQL directly (set-based updates, row locks), so the service declares no TypeORM entities. */
export const redemptionService: ServiceDefinition = {
  name: 'redemption',
  defaultPort: 3002,
  description: 'Accredited mediation sites and the redemption of passes, with no double spend.',
  apiTags: {
    sites: 'Mediation sites: registration, national CSV import, payout account and accreditation',
    passes: "Expiry of the passes past their program's validity and tolerance",
    redemptions: "Checking and redeeming passes at a site, the site's history and cancellations",
  },
  module: RedemptionModule,
  entities: [],
  migrations: [
    MessagingTables1763800000000,
    Sites1763800100000,
    PassesAndRedemptions1763800200000,
    RedemptionRequestClaims1763900000000,
    SiteRedemptionHistory1764200000000,
    DeadLetterResolution1765100000000,
    FailedAttemptsBySiteAndAddress1765300000000,
  ],
  settings: RedemptionSettings,
};
