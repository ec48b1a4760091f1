import { Module } from '@nestjs/common';
import { AllocationsModule } from '../allocations/allocations.module';
import { BookletsModule } from '../booklets/booklets.module';
import { RedemptionEventsConsumer } from '../consumers/redemption-events.consumer';
import { VoidsModule } from '../voids/voids.module';
import { PassOutcomesService } from './pass-outcomes.service';

@Module({
  imports: [BookletsModule, VoidsModule, AllocationsModule],
  controllers: [RedemptionEventsConsumer],
  providers: [PassOutcomesService],
})
export class PassOutcomesModule {}
