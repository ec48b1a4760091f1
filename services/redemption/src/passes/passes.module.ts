import { Module } from '@nestjs/common';
import { IssuanceEventsConsumer } from '../consumers/issuance-events.consumer';
import { ExpiryJob } from './expiry.job';
import { ExpiryRunsController } from './expiry-runs.controller';
import { PassRepository } from './pass.repository';
import { PassesService } from './passes.service';

@Module({
  controllers: [IssuanceEventsConsumer, ExpiryRunsController],
  providers: [PassesService, PassRepository, ExpiryJob],
  exports: [PassRepository],
})
export class PassesModule {}
