import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { SERVICE_SETTINGS } from '@app/platform';
import { RedemptionSettings } from '../redemption.settings';
import { PassesService } from './passes.service';

/** Hourly, so a pass is released to its funders within an hour of its last usable day ending (Europe/Paris). */
@Injectable()
export class ExpiryJob {
  private readonly logger = new Logger(ExpiryJob.name);

  constructor(
    private readonly passes: PassesService,
    @Inject(SERVICE_SETTINGS) private readonly settings: RedemptionSettings,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'pass-expiry', timeZone: 'Europe/Paris' })
  async run(): Promise<void> {
    if (!this.settings.EXPIRY_JOB_ENABLED) return;
    try {
      await this.passes.expireDue();
    } catch (error) {
      // The next run takes over: nothing was committed for the failed batch.
      this.logger.error(`Expiry run failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
