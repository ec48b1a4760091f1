import { Module } from '@nestjs/common';
import { PassesModule } from '../passes/passes.module';
import { SitesModule } from '../sites/sites.module';
import { AttemptGuard } from './attempt-guard';
import { FailedAttemptRepository } from './failed-attempt.repository';
import { RedemptionRepository } from './redemption.repository';
import { RedemptionsController } from './redemptions.controller';
import { RedemptionsService } from './redemptions.service';

@Module({
  imports: [SitesModule, PassesModule],
  controllers: [RedemptionsController],
  providers: [RedemptionsService, RedemptionRepository, FailedAttemptRepository, AttemptGuard],
})
export class RedemptionsModule {}
