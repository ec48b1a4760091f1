import { Module } from '@nestjs/common';
import { FundingEventsConsumer } from '../consumers/funding-events.consumer';
import { IssuanceEventsConsumer } from '../consumers/issuance-events.consumer';
import { RedemptionEventsConsumer } from '../consumers/redemption-events.consumer';
import { GenerationRepository } from './generation.repository';
import { ProjectionRepository } from './projection.repository';
import { ProjectionBatchRepository } from './projection-batch.repository';
import { ProjectionService } from './projection.service';

@Module({
  controllers: [IssuanceEventsConsumer, RedemptionEventsConsumer, FundingEventsConsumer],
  providers: [GenerationRepository, ProjectionRepository, ProjectionBatchRepository, ProjectionService],
  exports: [GenerationRepository, ProjectionService],
})
export class ProjectionModule {}
