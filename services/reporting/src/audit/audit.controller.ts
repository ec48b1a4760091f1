import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { ApiProblems } from '@app/platform';
import { PROGRAM_READ_PROBLEMS } from '../views/program-access.service';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('passes/:passId')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: 'Audit trail of a pass',
    description: "Every event of a pass (and its booklet's issue), in order",
  })
  @ApiProblems({ ...PROGRAM_READ_PROBLEMS, 404: ['PASS_NOT_FOUND', ...PROGRAM_READ_PROBLEMS[404]] })
  pass(@Param('passId', ParseUUIDPipe) passId: string, @CurrentUser() user: AuthenticatedUser) {
    return this.audit.pass(user, passId);
  }

  @Get('booklets/:bookletId')
  @Roles('operator', 'funder')
  @ApiOperation({
    summary: 'Audit trail of a booklet',
    description: 'Every event of a booklet and its passes, in order',
  })
  @ApiProblems({ ...PROGRAM_READ_PROBLEMS, 404: ['BOOKLET_NOT_FOUND', ...PROGRAM_READ_PROBLEMS[404]] })
  booklet(@Param('bookletId', ParseUUIDPipe) bookletId: string, @CurrentUser() user: AuthenticatedUser) {
    return this.audit.booklet(user, bookletId);
  }
}
