import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { Problem, SERVICE_SETTINGS } from '@app/platform';
import { FundingSettings } from '../funding.settings';
import { SettlementRunsService } from './settlement-runs.service';

/** On the 1st of each month at 06:00 Paris, settles the month just ended (sites are paid monthly). */
@Injectable()
export class SettlementJob {
  private readonly logger = new Logger(SettlementJob.name);

  constructor(
    private readonly settlement: SettlementRunsService,
    @Inject(SERVICE_SETTINGS) private readonly settings: FundingSettings,
  ) {}

  @Cron('0 6 1 * *', { name: 'monthly-settlement', timeZone: 'Europe/Paris' })
  async run(): Promise<void> {
    if (!this.settings.SETTLEMENT_SCHEDULE_ENABLED) return;
    try {
      const run = await this.settlement.start(undefined, 'settlement-schedule');
      this.logger.log(
        `Settlement run ${run.id} for ${run.period}: ${run.statementCount} statement(s), ${run.paymentFile.controlSumCents} cents to pay`,
      );
    } catch (error) {
      // Already settled by hand: nothing to do. Anything else rolled back; the operator can POST /settlement-runs.
      if (error instanceof Problem && error.code === 'SETTLEMENT_PERIOD_ALREADY_RUN') return;
      this.logger.error(`Monthly settlement failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
