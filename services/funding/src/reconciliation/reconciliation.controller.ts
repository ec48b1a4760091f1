import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { ReconciliationService, Violation } from './reconciliation.service';

@ApiTags('ledger')
@Controller('reconciliation')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  @Roles('operator')
  @ApiOperation({ summary: 'Check the ledger', description: 'Every violated ledger invariant; empty when all holds' })
  async check(): Promise<{ checkedAt: string; violations: Violation[] }> {
    return { checkedAt: new Date().toISOString(), violations: await this.reconciliation.violations() };
  }
}
