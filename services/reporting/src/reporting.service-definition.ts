import { Module } from '@nestjs/common';
import { DeadLetterResolution1765100000000, MessagingTables1763800000000 } from '@app/messaging';
import { ServiceDefinition } from '@app/platform';
import { ReportingReadModels1763800400000 } from './migrations/1763800400000-reporting-read-models';
import { BulkLoadedGenerations1764000000000 } from './migrations/1764000000000-bulk-loaded-generations';
import { RebuildHeartbeats1764200000000 } from './migrations/1764200000000-rebuild-heartbeats';
import { ParallelBulkLoadFinish1764300000000 } from './migrations/1764300000000-parallel-bulk-load-finish';
import { ProjectionModule } from './projection/projection.module';
import { RebuildsModule } from './rebuilds/rebuilds.module';
import { ReportingSettings } from './reporting.settings';
import { ViewsModule } from './views/views.module';

@Module({ imports: [ProjectionModule, ViewsModule, RebuildsModule] })
export class ReportingModule {}

export const reportingService: ServiceDefinition = {
  name: 'reporting',
  defaultPort: 3004,
  description:
    'Read models built only from events: funder and operator views, per-pass audit trail, exports, rebuild by replay.',
  apiTags: {
    programs: 'Read models of programs (summary, breakdowns, profiles), each answer with its freshness',
    audit: 'Every event of a pass or a booklet, in order',
    exports: 'CSV exports of a program (UTF-8 with BOM, `;`, decimal comma), streamed',
    rebuilds: 'Rebuilding the read models by replaying every retained topic',
  },
  module: ReportingModule,
  // Read models are plain SQL in one schema per generation (see the migration): no entity.
  entities: [],
  migrations: [
    MessagingTables1763800000000,
    ReportingReadModels1763800400000,
    BulkLoadedGenerations1764000000000,
    RebuildHeartbeats1764200000000,
    ParallelBulkLoadFinish1764300000000,
    DeadLetterResolution1765100000000,
  ],
  settings: ReportingSettings,
};
