import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { PayeeView } from './payee.view';
import { PayeesService } from './payees.service';

@ApiTags('payees')
@Controller('payees')
export class PayeesController {
  constructor(private readonly payees: PayeesService) {}

  @Get()
  @Roles('operator')
  @ApiOkResponse({ type: [PayeeView] })
  @ApiOperation({
    summary: 'List the payees',
    description:
      'The sites funding pays, with their payout account and their held statements: whom to chase for an IBAN',
  })
  list(): Promise<PayeeView[]> {
    return this.payees.list();
  }
}
