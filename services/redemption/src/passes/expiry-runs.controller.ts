import { Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { ExpiryRun, PassesService } from './passes.service';

class ExpiryRunView {
  @ApiProperty() expired: number;
  @ApiProperty() batches: number;
  @ApiProperty() durationMs: number;
}

@ApiTags('passes')
@Controller('expiry-runs')
export class ExpiryRunsController {
  constructor(private readonly passes: PassesService) {}

  @Post()
  @Roles('operator')
  @ApiCreatedResponse({ type: ExpiryRunView })
  @ApiOperation({
    summary: 'Expire the passes due now',
    description: "What the hourly job does, now (e.g. right after the end of a program's tolerance)",
  })
  run(): Promise<ExpiryRun> {
    return this.passes.expireDue();
  }
}
