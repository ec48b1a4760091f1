import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser, Roles } from '@app/auth';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('passes/:passId')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: "Every event of a pass (and its booklet's issue), in order" })
  pass(@Param('passId', ParseUUIDPipe) passId: string, @CurrentUser() user: AuthenticatedUser) {
    return this.audit.pass(user, passId);
  }

  @Get('booklets/:bookletId')
  @Roles('operator', 'funder')
  @ApiOperation({ summary: 'Every event of a booklet and its passes, in order' })
  booklet(@Param('bookletId', ParseUUIDPipe) bookletId: string, @CurrentUser() user: AuthenticatedUser) {
    return this.audit.booklet(user, bookletId);
  }
}
