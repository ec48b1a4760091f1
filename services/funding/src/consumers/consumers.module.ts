import { Module } from '@nestjs/common';
import { KnownAgenciesModule } from '../agencies/known-agencies.module';
import { AllocationsModule } from '../allocations/allocations.module';
import { PassPostingsModule } from '../ledger/pass-postings.module';
import { IssuanceEventsConsumer } from './issuance-events.consumer';
import { RedemptionEventsConsumer } from './redemption-events.consumer';

@Module({
  imports: [KnownAgenciesModule, AllocationsModule, PassPostingsModule],
  controllers: [IssuanceEventsConsumer, RedemptionEventsConsumer],
})
export class ConsumersModule {}
