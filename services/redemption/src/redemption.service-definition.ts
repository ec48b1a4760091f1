import { Module } from '@nestjs/common';
import { MessagingTables1763800000000 } from '@app/messaging';
import { ServiceDefinition } from '@app/platform';

/** Its features arrive with their own issues; the service already runs, reports health and relays its outbox. */
@Module({})
export class RedemptionModule {}

export const redemptionService: ServiceDefinition = {
  name: 'redemption',
  defaultPort: 3002,
  description: 'Accredited mediation sites and the redemption of passes, with no double spend.',
  module: RedemptionModule,
  entities: [],
  migrations: [MessagingTables1763800000000],
};
