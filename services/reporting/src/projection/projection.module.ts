import { Module } from '@nestjs/common';
import { ProjectedEventsConsumer } from '../consumers/projected-events.consumer';
import { GenerationRepository } from './generation.repository';
import { ProjectionRepository } from './projection.repository';
import { ProjectionService } from './projection.service';

@Module({
  controllers: [ProjectedEventsConsumer],
  providers: [GenerationRepository, ProjectionRepository, ProjectionService],
  exports: [GenerationRepository, ProjectionService],
})
export class ProjectionModule {}
