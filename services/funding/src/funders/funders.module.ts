import { Module } from '@nestjs/common';
import { FunderRepository } from './funder.repository';
import { FundersController } from './funders.controller';
import { FundersService } from './funders.service';

@Module({
  controllers: [FundersController],
  providers: [FundersService, FunderRepository],
  exports: [FunderRepository],
})
export class FundersModule {}
