import { Module } from '@nestjs/common';
import { KnownAgenciesModule } from '../agencies/known-agencies.module';
import { AllocationsModule } from '../allocations/allocations.module';
import { PassPostingsModule } from '../ledger/pass-postings.module';
import { IssuanceEventsConsumer } from './issuance-events.consumer';
import { PayeesModule } from '../payees/payees.module';
import { RedemptionEventsConsumer } from './redemption-events.consumer';
import { SiteEventsConsumer } from './site-events.consumer';

@Module({
  imports: [KnownAgenciesModule, AllocationsModule, PassPostingsModule, PayeesModule],
  controllers: [IssuanceEventsConsumer, RedemptionEventsConsumer, SiteEventsConsumer],
})
export class ConsumersModule {}
