import { Module } from '@nestjs/common';
import { MessagingTables1763800000000 } from '@app/messaging';
import { ServiceDefinition } from '@app/platform';

/** Its features arrive with their own issues; the service already runs, reports health and relays its outbox. */
@Module({})
export class ReportingModule {}

export const reportingService: ServiceDefinition = {
  name: 'reporting',
  defaultPort: 3004,
  description: 'Read models built only from events: funder and operator views, per-pass audit trail, exports.',
  module: ReportingModule,
  entities: [],
  migrations: [MessagingTables1763800000000],
};
