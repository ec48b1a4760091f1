import { Module } from '@nestjs/common';
import { SettlementItemRepository } from './settlement-item.repository';
import { SettlementItemsService } from './settlement-items.service';

@Module({
  providers: [SettlementItemsService, SettlementItemRepository],
  exports: [SettlementItemsService],
})
export class SettlementItemsModule {}
