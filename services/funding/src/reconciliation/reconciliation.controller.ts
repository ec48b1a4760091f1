import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { Reconciliation, ReconciliationService } from './reconciliation.service';

@ApiTags('ledger')
@Controller('reconciliation')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  @Roles('operator')
  @ApiOperation({
    summary: 'Check the ledger',
    description:
      'Every violated ledger invariant (empty when all holds), open dead letters of money events among them; warnings: open dead letters that carry no money',
  })
  async check(): Promise<{ checkedAt: string } & Reconciliation> {
    return { checkedAt: new Date().toISOString(), ...(await this.reconciliation.check()) };
  }
}
